"""Accuracy of `categorize_failure` on the real-error corpus: overall, per reason, confusions.

Run from the repository root: `python benchmarks/eval_failures.py [path/to/corpus.jsonl]`.
"""
from __future__ import annotations

import collections
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from prompt_tracking.failures import describe_failure  # noqa: E402

DEFAULT_CORPUS = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "error_corpus.jsonl"


def load_corpus(path: pathlib.Path = DEFAULT_CORPUS) -> list[dict]:
    """The corpus entries, one dict per non-empty line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(entries: list[dict]) -> dict:
    """Plain-data results: overall accuracy, per-reason (correct, total), confusion pairs, misses."""
    per_reason: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    confusions: collections.Counter[tuple[str, str]] = collections.Counter()
    provider_hits = provider_total = 0
    misses = []
    for entry in entries:
        info = describe_failure(entry["message"])
        expected, got = entry["expected"], info.reason.value
        per_reason[expected][1] += 1
        if got == expected:
            per_reason[expected][0] += 1
        else:
            confusions[(expected, got)] += 1
            misses.append((expected, got, entry["message"][:140], entry["source"]))
        if entry.get("provider"):
            provider_total += 1
            provider_hits += info.provider == entry["provider"]
    correct = sum(c for c, _ in per_reason.values())
    return {"accuracy": correct / len(entries), "total": len(entries), "per_reason": dict(per_reason),
            "confusions": confusions, "misses": misses,
            "provider_recognised": (provider_hits, provider_total)}


def main(argv: list[str]) -> int:
    path = pathlib.Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    result = evaluate(load_corpus(path))
    print(f"overall accuracy: {result['accuracy']:.1%} on {result['total']} messages")
    print("per reason:")
    for reason, (correct, total) in sorted(result["per_reason"].items()):
        print(f"  {reason:<20} {correct:>3}/{total:<3} {correct / total:6.1%}")
    hits, total = result["provider_recognised"]
    print(f"provider recognised: {hits}/{total}")
    print("confusion pairs (expected -> got):")
    for (expected, got), count in result["confusions"].most_common():
        print(f"  {expected} -> {got}: {count}")
    for expected, got, message, source in result["misses"]:
        print(f"  MISS {expected} -> {got}: {message!r} [{source}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
