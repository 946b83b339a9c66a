"""Time and memory of compute_analytics at 2,000, 10,000 and 100,000 synthetic records.

Targets (issue 5): <= 100 ms at 2,000; <= 2 s and <= 300 MB at 100,000; close to linear growth.
Prints results and does not assert. Time is the best of `--repeat` runs without tracing;
peak memory is measured in a separate traced run (tracemalloc slows the code it traces),
and counts only what compute_analytics allocates, not the input records. The 10,000 run is
repeated on a worker thread to show the result does not depend on the calling thread.

Run: python benchmarks/bench_analytics.py [--sizes 2000 10000 100000] [--repeat 3] [--risk]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prompt_tracking.analytics.analysis import compute_analytics  # noqa: E402
from prompt_tracking.risk.model import RiskModel  # noqa: E402
from prompt_tracking.synthetic.history import generate_records  # noqa: E402


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


def same_on_worker_thread(records) -> bool:
    """compute_analytics gives the same answer on a worker thread as on this one."""
    here = compute_analytics(records).to_dict()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        there = pool.submit(compute_analytics, records).result().to_dict()
    here.pop("generated_at"), there.pop("generated_at")
    return here == there


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--risk", action="store_true", help="also time fitting the risk model")
    args = parser.parse_args()
    results = []
    print(f"{'records':>8} {'time ms':>9} {'peak MiB':>9} {'ms/1k rec':>10}" +
          (f" {'risk fit ms':>12} {'assess ms':>10}" if args.risk else ""))
    for n in args.sizes:
        records = generate_records(n, seed=0)
        seconds = best_time(lambda: compute_analytics(records), args.repeat)
        peak = peak_mib(lambda: compute_analytics(records))
        line = f"{n:>8} {seconds * 1000:>9.1f} {peak:>9.1f} {seconds * 1e6 / n:>10.2f}"
        if args.risk:
            start = time.perf_counter()
            model = RiskModel.fit(records)
            fit = time.perf_counter() - start
            assess = best_time(lambda: model.assess("a red fox, gore, oil painting", "seedream-4.0",
                                                    {"steps": 30, "guidance_scale": 7}), 3)
            line += f" {fit * 1000:>12.1f} {assess * 1000:>10.1f}"
        print(line, flush=True)
        results.append((n, seconds))
        if n == 10_000:
            print(f"{'':>8} same result on a worker thread: {same_on_worker_thread(records)}")
    for (n1, t1), (n2, t2) in zip(results, results[1:]):
        print(f"growth {n1} -> {n2}: records x{n2 / n1:.1f}, time x{t2 / t1:.2f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the whole run (records included): {rss:.0f} MiB")


if __name__ == "__main__":
    main()
