"""Time from a click on a star to the repainted stars, against an empty-Canvas baseline.

Each sample generates Motion, ButtonPress-1 and ButtonRelease-1 on a star (handlers run
synchronously) and then `update_idletasks()`, which runs the Canvas redisplay; the
baseline sends the same events to an empty Canvas with no bindings. The target is one
frame at 60 Hz (16 ms). Needs a display, e.g.:

    Xvfb :95 -screen 0 1400x1000x24 &
    DISPLAY=:95 python benchmarks/bench_star_bar.py [samples]
"""
from __future__ import annotations

import statistics
import sys
import time
import tkinter as tk
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prompt_tracking.widgets import StarBar  # noqa: E402

FRAME_MS = 16.0


def click_times(canvas: tk.Canvas, points: list[tuple[int, int]], samples: int) -> list[float]:
    """Milliseconds from the first generated event to the end of the idle redisplay."""
    times = []
    for i in range(samples):
        x, y = points[i % len(points)]
        start = time.perf_counter()
        canvas.event_generate("<Motion>", x=x, y=y)
        canvas.event_generate("<ButtonPress-1>", x=x, y=y)
        canvas.event_generate("<ButtonRelease-1>", x=x, y=y)
        canvas.update_idletasks()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(name: str, times: list[float]) -> str:
    cuts = statistics.quantiles(times, n=100)
    return (f"{name:<24} p50 {statistics.median(times):6.3f} ms   p99 {cuts[98]:6.3f} ms   "
            f"max {max(times):6.3f} ms   (n={len(times)})")


def main(samples: int = 2000) -> int:
    root = tk.Tk()
    root.geometry("+0+0")
    bar = StarBar(root)
    bar.pack(padx=10, pady=10)
    empty = tk.Canvas(root, width=bar.winfo_reqwidth(), height=bar.winfo_reqheight())
    empty.pack()
    root.update()
    # 1..5 in turn: never the current star, so every click sets (none clears).
    stars = [bar.star_center(i) for i in range(1, 6)]
    click_times(bar, stars, 50)  # warm up
    click_times(empty, stars, 50)
    star_times = click_times(bar, stars, samples)
    baseline = click_times(empty, stars, samples)
    root.destroy()
    print(summary("star bar click->repaint", star_times))
    print(summary("empty Canvas baseline", baseline))
    p99 = statistics.quantiles(star_times, n=100)[98]
    verdict = "within" if p99 <= FRAME_MS else "OVER"
    print(f"p99 {p99:.3f} ms is {verdict} one frame ({FRAME_MS:.0f} ms)")
    return 0 if p99 <= FRAME_MS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
