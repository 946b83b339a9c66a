"""Time to first paint and to fully loaded for the analytics window, and the host's longest stall.

A host `after(10)` ticker runs the whole time; its longest gap is how long the host app
froze while the window loaded. Run under a display (an Xvfb of its own is started when
DISPLAY is unset):

    python benchmarks/bench_analytics_window.py [--sizes 2000 100000]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    proc = subprocess.Popen(["Xvfb", ":96", "-screen", "0", "1400x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    os.environ["DISPLAY"] = ":96"
    return proc


def measure(n: int) -> dict[str, float]:
    """Open the window on `n` synthetic records; times in ms."""
    import tkinter as tk

    from prompt_tracking.analytics_window import AnalyticsWindow
    from prompt_tracking import EnhancedPromptTracker
    from prompt_tracking.synthetic.history import generate_records

    with tempfile.TemporaryDirectory() as data_dir, \
            EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None) as tracker:
        tracker.import_records(generate_records(n))
        root = tk.Tk()
        root.geometry("200x100+1200+0")
        ticks: list[float] = []
        pending: list[str] = []

        def tick() -> None:
            ticks.append(time.perf_counter())
            pending[:] = [root.after(10, tick)]
        tick()
        root.update()
        start = time.perf_counter()
        window = AnalyticsWindow(root, tracker)
        first_paint = None
        while not window.loaded:
            root.update()
            if first_paint is None and window.winfo_viewable():
                first_paint = time.perf_counter()
            time.sleep(0.002)
        loaded = time.perf_counter()
        gaps = [b - a for a, b in zip(ticks, ticks[1:]) if b >= start]
        window.destroy()
        root.after_cancel(pending[0])
        root.destroy()
    return {"first_paint_ms": (first_paint - start) * 1000, "loaded_ms": (loaded - start) * 1000,
            "max_host_gap_ms": max(gaps) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 100_000])
    args = parser.parse_args()
    xvfb = ensure_display()
    try:
        print(f"{'records':>9} {'first paint':>12} {'fully loaded':>13} {'max host gap':>13}")
        for n in args.sizes:
            result = measure(n)
            print(f"{n:>9,} {result['first_paint_ms']:>10.0f}ms {result['loaded_ms']:>11.0f}ms "
                  f"{result['max_host_gap_ms']:>11.0f}ms")
    finally:
        if xvfb is not None:
            xvfb.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
