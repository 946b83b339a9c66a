"""Scrolling the Records browser through 10,000 records with a real image file each.

A host `after(5)` ticker runs the whole time; its longest gap is the longest the host froze.
The scroll goes a wheel notch (6 rows) every 35 ms through every page (Next at the end of each), while thumbnails
are made on the worker and arrive on the Tk thread. Two rounds in the same run: a cold disk
cache (every thumbnail made from its PNG) and a warm one (read back from the cache), against
the baseline of the same scroll with thumbnails switched off. Target: no gap over 100 ms.

    python benchmarks/bench_records_browser.py [--records 10000]
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

TARGET_MS = 100.0
STEP_ROWS = 6  # rows per scroll step (about one wheel notch)
PAUSE_S = 0.035  # between steps: longer than the thumbnails' debounce


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    proc = subprocess.Popen(["Xvfb", ":95", "-screen", "0", "1400x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    os.environ["DISPLAY"] = ":95"
    return proc


def make_store(directory: Path, n: int) -> None:
    from PIL import Image

    from prompt_tracking import EnhancedPromptTracker
    from prompt_tracking.synthetic.history import generate_records

    images = directory / "images"
    images.mkdir()
    records = list(generate_records(n, seed=3))
    for i, record in enumerate(records):
        if record.success:
            path = images / f"{i}.png"
            Image.new("RGB", (512, 384), (i % 256, (i // 256) % 256, 120)).save(path, compress_level=1)
            record.result_url = str(path)
    with EnhancedPromptTracker(directory / "store", max_successful=None, max_failed=None) as t:
        t.import_records(records)


def scroll_round(root, tracker, thumbnails: bool) -> dict[str, float]:
    from prompt_tracking.analytics_window import AnalyticsWindow

    window = AnalyticsWindow(root, tracker)
    deadline = time.monotonic() + 120
    while not window.loaded and time.monotonic() < deadline:
        root.update()
    window.select_tab("Records")
    while (window.tab_widget("Records") is None or window.drawing) and time.monotonic() < deadline:
        root.update()
    tab = window.tab_widget("Records")
    if not thumbnails:
        tab.load_visible_thumbnails = lambda: None
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now
        ticker[0] = root.after(5, tick)
    ticker = [root.after(5, tick)]
    started = time.perf_counter()
    rows = 0
    for _page in range(tab.view.pages):
        while tab.filling:
            root.update()
        for _ in range(0, len(tab.tree.get_children()), STEP_ROWS):
            tab.tree.yview_scroll(STEP_ROWS, "units")
            rows += STEP_ROWS
            pause = time.perf_counter() + PAUSE_S  # a user's pace: thumbnails get asked for
            while time.perf_counter() < pause:
                root.update()
        tab.turn(1)
    while tab.images.busy and time.perf_counter() - started < 300:
        root.update()
    seconds = time.perf_counter() - started
    root.after_cancel(ticker[0])
    window.destroy()
    gaps.sort()
    return {"rows": rows, "seconds": seconds, "max_gap_ms": gaps[-1],
            "p99_gap_ms": gaps[int(len(gaps) * 0.99)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    xvfb = ensure_display()
    try:
        import tkinter as tk

        from prompt_tracking import EnhancedPromptTracker

        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            made = time.perf_counter()
            make_store(directory, args.records)
            print(f"{args.records:,} records, images written in {time.perf_counter() - made:.1f} s")
            root = tk.Tk()
            root.geometry("300x200+0+0")
            with EnhancedPromptTracker(directory / "store", max_successful=None,
                                       max_failed=None) as tracker:
                rounds = [("baseline, no thumbnails", False), ("cold thumbnail cache", True),
                          ("warm thumbnail cache", True)]
                results = {}
                for name, thumbs in rounds:
                    results[name] = scroll_round(root, tracker, thumbs)
                base = results["baseline, no thumbnails"]["max_gap_ms"]
                for name, r in results.items():
                    print(f"{name:<26} {r['rows']:,} rows in {r['seconds']:.1f} s · longest host "
                          f"stall {r['max_gap_ms']:.1f} ms (p99 {r['p99_gap_ms']:.1f} ms) · "
                          f"{r['max_gap_ms'] / base:.2f}x baseline")
                cache = directory / "store" / "thumbnails"
                size = sum(p.stat().st_size for p in cache.glob("*.png"))
                assert size > 0
                print(f"thumbnail cache: {len(list(cache.glob('*.png'))):,} files, {size / 1e6:.1f} MB")
                worst = max(r["max_gap_ms"] for r in results.values())
                print(f"target: no stall over {TARGET_MS:.0f} ms -> "
                      f"{'met' if worst <= TARGET_MS else 'MISSED'} ({worst:.1f} ms)")
            root.destroy()
    finally:
        if xvfb is not None:
            xvfb.terminate()


if __name__ == "__main__":
    main()
