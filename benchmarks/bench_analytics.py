"""Time and memory of `tracker.analytics()` on real SQLite stores, against pandas on the same file.

For each size a store is filled with synthetic history, then in the same run:
  * analytics: `tracker.analytics()` (aggregates in SQLite, narrow stream for patterns/retries);
  * records:   `compute_analytics(list(tracker.records()))`, the record path, for reference;
  * pandas:    `read_sql` of the plain columns plus groupby per model, reason, day and rating,
               what a notebook user would write (the baseline of issue 19, target <= 1.5x).
Peak memory is tracemalloc's peak during one analytics() call (Python allocations, not
SQLite's page cache). Prints results and does not assert.

Run: python benchmarks/bench_analytics.py [--sizes 10000 100000 300000] [--repeat 3] [--no-records]
"""
from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prompt_tracking.analytics.analysis import compute_analytics  # noqa: E402
from prompt_tracking.synthetic.history import fill_store  # noqa: E402
from prompt_tracking.tracker import EnhancedPromptTracker  # noqa: E402


def best_time(fn, repeat: int) -> float:
    """Fastest of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mib(fn) -> float:
    """Peak traced allocation of one call, in MiB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def pandas_baseline(db_path: Path) -> None:
    """read_sql plus a few groupby: the per-model, per-reason, per-day and rating tables."""
    import pandas as pd

    conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        df = pd.read_sql("SELECT timestamp, ai_model, success, failure_reason, quality_rating, "
                         "save_method FROM records", conn)
    finally:
        conn.close()
    df.groupby("ai_model").agg(n=("success", "size"), ok=("success", "sum"),
                               rating=("quality_rating", "mean"))
    df[df.success == 0].groupby(["ai_model", "failure_reason"]).size()
    df.groupby(df.timestamp // 86_400).agg(n=("success", "size"), ok=("success", "sum"))
    df.groupby("quality_rating").size()
    df.groupby("save_method").agg(n=("success", "size"), rating=("quality_rating", "mean"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-records", action="store_true", help="skip the record-path timing")
    args = parser.parse_args()
    print(f"{'records':>8} {'analytics s':>12} {'pandas s':>9} {'ratio':>6} {'records s':>10} "
          f"{'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            tracker = EnhancedPromptTracker(Path(tmp) / str(n), max_successful=None,
                                            max_failed=None)
            fill_store(tracker, n, seed=0)
            tracker.flush()
            seconds = best_time(tracker.analytics, args.repeat)
            baseline = best_time(lambda: pandas_baseline(tracker.db_path), args.repeat)
            old = float("nan") if args.no_records else best_time(
                lambda: compute_analytics(list(tracker.records())), 1)
            peak = peak_mib(tracker.analytics)
            print(f"{n:>8} {seconds:>12.3f} {baseline:>9.3f} {seconds / baseline:>6.2f} "
                  f"{old:>10.3f} {peak:>9.1f}", flush=True)
            tracker.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the whole run: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
