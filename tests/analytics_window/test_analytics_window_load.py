"""The analytics window under load, while closing, and inside plain Tk and ttkbootstrap hosts."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from test_analytics_window import filled_tracker, pump, show

ROOT = Path(__file__).resolve().parents[2]
# The goal is 100 ms; benchmarks/bench_analytics_window.py measures about 100 ms on the 2-core
# development machine (the collector paused and frozen for large loads, records freed in
# chunks). The test allows for a loaded 2-core CI machine.
LOOSE_MAX_GAP_S = 0.25


def test_100k_records_load_while_the_host_keeps_ticking(tk_root, data_dir):
    from prompt_tracking.analytics_window import AnalyticsWindow

    with filled_tracker(data_dir, 100_000) as tracker:
        frozen_before = gc.get_freeze_count()
        ticks: list[float] = []

        def tick() -> None:
            ticks.append(time.perf_counter())
            tk_root.after(10, tick)
        tick()
        started = time.perf_counter()
        window = AnalyticsWindow(tk_root, tracker)
        tk_root.update()
        assert window.winfo_viewable() and time.perf_counter() - started < 0.3  # first paint
        pump(tk_root, 60, until=lambda: window.loaded)
        gaps = [b - a for a, b in zip(ticks, ticks[1:]) if a >= started]
        assert len(gaps) > 20 and max(gaps) < LOOSE_MAX_GAP_S, f"max host gap {max(gaps):.3f} s"
        assert window.snapshot.analytics.overview.total == 100_000
        records = show(window, "Records")
        pump(tk_root, 5, until=lambda: not records.filling)
        assert len(records.tree.get_children()) == 200
        assert "of 100,000" in records.page_label["text"]
        assert gc.get_freeze_count() > frozen_before  # the load's objects skip collections
        closed = time.perf_counter()
        window.destroy()
        pump(tk_root, 30, until=lambda: gc.get_freeze_count() == frozen_before)
        assert gc.get_freeze_count() == frozen_before  # released once its records were freed
        gaps = [b - a for a, b in zip(ticks, ticks[1:]) if a >= closed]
        assert max(gaps) < LOOSE_MAX_GAP_S, f"max host gap after closing {max(gaps):.3f} s"


def test_closing_while_loading_or_drawing_is_clean(tk_root, data_dir):
    from prompt_tracking.analytics_window import AnalyticsWindow

    with filled_tracker(data_dir, 5000) as tracker:
        early = AnalyticsWindow(tk_root, tracker)
        pump(tk_root, 0.05)
        early.destroy()  # the worker is still reading: its result must be dropped
        late = AnalyticsWindow(tk_root, tracker)
        pump(tk_root, 30, until=lambda: late.snapshot is not None)
        late.destroy()  # drawing steps and repaints are pending
        pump(tk_root, 3.0)  # worker results and cancelled jobs would surface here
        assert early._after == {} and late._after == {}
        assert not tk_root.tk.splitlist(tk_root.tk.call("after", "info"))  # nothing left scheduled


HOST_SCRIPT = """
import sys, tempfile, time
sys.path.insert(0, {root!r})
import tkinter as tk
from tkinter import ttk
import matplotlib
from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.synthetic.history import generate_records
{make_root}
root.geometry("300x200+0+0")
theme = ttk.Style(root).theme_use()
rc = dict(matplotlib.rcParams)
errors = []
root.report_callback_exception = lambda *a: errors.append(a[1])
from prompt_tracking.analytics_window import open_analytics_window
with EnhancedPromptTracker(tempfile.mkdtemp(), max_successful=None, max_failed=None) as tracker:
    tracker.import_records(generate_records(1500))
    window = open_analytics_window(root, tracker)
    deadline = time.monotonic() + 60
    while not window.loaded and time.monotonic() < deadline:
        root.update()
    for title in window.tab_titles():
        window.select_tab(title)
        for _ in range(40):
            root.update()
            time.sleep(0.005)
    dark = window.palette.dark
    window.destroy()
    root.update()
print("loaded", window.loaded, "dark", dark, "theme_kept", ttk.Style(root).theme_use() == theme,
      "rc_kept", dict(matplotlib.rcParams) == rc, "bootstrap", "ttkbootstrap" in sys.modules,
      "errors", len(errors))
"""


def run_host(make_root: str) -> str:
    script = HOST_SCRIPT.format(root=str(ROOT), make_root=textwrap.dedent(make_root))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_plain_tk_host_is_not_rethemed(display):
    line = run_host("root = tk.Tk()")
    assert line == ("loaded True dark False theme_kept True rc_kept True bootstrap False "
                    "errors 0")


def test_dark_ttkbootstrap_host_gets_dark_charts(display):
    line = run_host("import ttkbootstrap as tb\nroot = tb.Window(themename='darkly')")
    assert line == "loaded True dark True theme_kept True rc_kept True bootstrap True errors 0"
