"""Mean time of `describe_failure` per message over the real-error corpus (printed, not asserted).

Run from the repository root: `python benchmarks/bench_failures.py [rounds]`.
"""
from __future__ import annotations

import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks.eval_failures import load_corpus  # noqa: E402
from prompt_tracking.failures.categorize import describe_failure  # noqa: E402


def main(argv: list[str]) -> int:
    rounds = int(argv[1]) if len(argv) > 1 else 50
    messages = [entry["message"] for entry in load_corpus()]
    for message in messages:  # warm up: compile regexes, fill caches
        describe_failure(message)
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for message in messages:
            describe_failure(message)
        per_round.append((time.perf_counter() - start) / len(messages))
    slowest = max(messages, key=lambda m: _time_one(m))
    print(f"{len(messages)} messages x {rounds} rounds")
    print(f"mean per message:   {statistics.mean(per_round) * 1e6:7.1f} us")
    print(f"median per message: {statistics.median(per_round) * 1e6:7.1f} us")
    print(f"slowest message:    {_time_one(slowest) * 1e6:7.1f} us ({len(slowest)} chars)")
    long_message = "Traceback frame line\n" * 50_000 + "Read timed out"
    print(f"1 MB traceback:     {_time_one(long_message) * 1e6:7.1f} us")
    return 0


def _time_one(message: str, repeat: int = 20) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        describe_failure(message)
    return (time.perf_counter() - start) / repeat


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
