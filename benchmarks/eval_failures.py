"""Accuracy of `categorize_failure` on real errors: overall, per reason, confusions.

The corpus (which the rules were written against) and the held-out set (collected and
labelled separately, never used to tune rules) are reported apart: the first is a training
score, the second the honest one.

Run from the repository root: `python benchmarks/eval_failures.py [path/to/set.jsonl ...]`.
"""
from __future__ import annotations

import collections
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from prompt_tracking.failures.categorize import describe_failure  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data"
DEFAULT_CORPUS = DATA / "error_corpus.jsonl"
HOLDOUT = DATA / "error_holdout.jsonl"


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
    paths = [pathlib.Path(arg) for arg in argv[1:]] or [DEFAULT_CORPUS, HOLDOUT]
    for path in paths:
        print(f"== {path.name}")
        _report(evaluate(load_corpus(path)))
    return 0


def _report(result: dict) -> None:
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


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
