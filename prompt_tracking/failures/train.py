"""Fit the statistical fallback on a labelled corpus and write the shipped model file.

Run from the repository root:
    python -m prompt_tracking.failures.train tests/data/error_messages.jsonl [--split dev]

Only messages of the given split are used (`dev` when no `--split` is given: since the sixth round
that includes the four retired sealed sets, whose rows keep their history in `sealed`); the sealed test
splits (`final`, `final2`, any split named `final...`) are refused, so no shipped weight is ever
fitted on a message it will be scored on. The result replaces
`prompt_tracking/failures/statistical_model.npz`.
"""
from __future__ import annotations

import json
import pathlib
import sys

from prompt_tracking.failures import statistical

DEFAULT_SPLIT = "dev"


def is_sealed(split: str) -> bool:
    """Whether `split` is a sealed test set (scored once, never trained on)."""
    return split.startswith("final")


def training_entries(entries: list[dict], split: str = DEFAULT_SPLIT) -> list[dict]:
    """The entries of `split`; raises ValueError for a sealed test split."""
    if is_sealed(split):
        raise ValueError(f"split {split!r} is a sealed test set and is never trained on")
    return [entry for entry in entries if entry.get("split", DEFAULT_SPLIT) == split]


def main(argv: list[str]) -> int:
    """Train on the corpus named in argv and save the model next to this module."""
    if len(argv) < 2:
        print(__doc__)
        return 2
    split = argv[argv.index("--split") + 1] if "--split" in argv else DEFAULT_SPLIT
    with pathlib.Path(argv[1]).open(encoding="utf-8") as handle:
        entries = [json.loads(line) for line in handle if line.strip()]
    try:
        entries = training_entries(entries, split)
    except ValueError as exc:
        print(exc)
        return 2
    model = statistical.fit([entry["message"] for entry in entries], [entry["expected"] for entry in entries])
    target = pathlib.Path(statistical.__file__).with_name(statistical.MODEL_FILE)
    statistical.save(model, str(target))
    print(f"{len(entries)} {split} messages, {len(model.index)} features -> {target} ({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
