"""Fit the statistical fallback on a labelled corpus and write the shipped model file.

Run from the repository root:
    python -m prompt_tracking.failures.train tests/data/error_messages.jsonl [--split dev]

Only messages of the given split are used (all when no `--split`); the result replaces
`prompt_tracking/failures/statistical_model.npz`.
"""
from __future__ import annotations

import json
import pathlib
import sys

from prompt_tracking.failures import statistical


def main(argv: list[str]) -> int:
    """Train on the corpus named in argv and save the model next to this module."""
    if len(argv) < 2:
        print(__doc__)
        return 2
    split = argv[argv.index("--split") + 1] if "--split" in argv else None
    with pathlib.Path(argv[1]).open(encoding="utf-8") as handle:
        entries = [json.loads(line) for line in handle if line.strip()]
    entries = [entry for entry in entries if split is None or entry.get("split") == split]
    model = statistical.fit([entry["message"] for entry in entries], [entry["expected"] for entry in entries])
    target = pathlib.Path(statistical.__file__).with_name(statistical.MODEL_FILE)
    statistical.save(model, str(target))
    print(f"{len(entries)} messages, {len(model.index)} features -> {target} ({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
