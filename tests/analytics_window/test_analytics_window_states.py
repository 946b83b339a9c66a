"""The analytics window on one-sided stores, its tables and notes, Escape, and its widget classes.

Charts are checked through their artists and texts, widgets through their options.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.synthetic.history import generate_records
from test_analytics_window import open_loaded, pump, show

ROOT = Path(__file__).resolve().parents[2]
CHART_TABS = ("Overview", "Quality", "Failures", "Models", "Parameters", "Patterns")


def tracker_with(data_dir, records) -> EnhancedPromptTracker:
    tracker = EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None)
    if records:
        tracker.import_records(records)
    return tracker


def chart_panels(tab) -> list:
    from prompt_tracking.analytics_window.charts import ChartPanel

    return [value for value in vars(tab).values() if isinstance(value, ChartPanel)]


def is_blank(panel) -> bool:
    """True when a chart shows neither a message nor any plotted artist."""
    figure = panel.figure
    if any(text.get_text().strip() for text in figure.texts):
        return False
    return not any(ax.patches or ax.lines or ax.images or ax.collections or ax.texts
                   for ax in figure.axes)


def successes_only():
    return [r for r in generate_records(600, seed=3) if r.success]


def failures_only():
    return [r for r in generate_records(900, seed=4) if not r.success]


def no_ratings():
    return [dataclasses.replace(r, quality_rating=None) for r in generate_records(600, seed=5)]


@pytest.mark.parametrize("make_records", [list, successes_only, failures_only, no_ratings],
                         ids=["empty", "successes-only", "failures-only", "no-ratings"])
def test_every_chart_shows_data_or_a_message(tk_root, data_dir, make_records):
    with tracker_with(data_dir, make_records()) as tracker:
        window = open_loaded(tk_root, tracker)
        for title in CHART_TABS:
            tab = show(window, title)
            panels = chart_panels(tab)
            assert panels, title
            blank = [p for p in panels if is_blank(p)]
            assert not blank, f"{title}: a chart with blank axes"
        window.destroy()


def test_failures_heat_map_says_why_it_is_empty(tk_root, data_dir):
    with tracker_with(data_dir, successes_only()) as tracker:
        window = open_loaded(tk_root, tracker)
        heat = show(window, "Failures").heat
        texts = " ".join(t.get_text() for t in heat.figure.texts)
        assert "No failures in this selection" in texts
        assert heat.figure.get_suptitle() == "Failures by model and reason"
        window.destroy()


def test_escape_closes_the_window(tk_root, data_dir):
    with tracker_with(data_dir, generate_records(50)) as tracker:
        window = open_loaded(tk_root, tracker)
        window.focus_force()
        pump(tk_root, 0.2)
        window.event_generate("<Escape>")
        pump(tk_root, 2, until=lambda: not window.winfo_exists())
        assert tk_root.winfo_exists()


def test_weeks_without_prompts_are_drawn_as_empty_bars(tk_root, data_dir):
    start = dt.datetime(2025, 1, 6, 12).timestamp()  # a Monday
    records = generate_records(80, seed=1)
    for i, record in enumerate(records):  # one week in January, one in mid-April
        record.timestamp = start + (i % 5) * 3600 + (0 if i < 40 else 14 * 7 * 86400)
    with tracker_with(data_dir, records) as tracker:
        window = open_loaded(tk_root, tracker)
        tab = show(window, "Overview")
        overview = window.snapshot.analytics.overview
        assert overview.period == "week" and len(overview.over_time) == 2
        ok, bad = tab.chart.figure.axes[0].containers
        totals = [a.get_height() + b.get_height() for a, b in zip(ok, bad)]
        assert len(totals) == 15  # weeks 0..14
        assert totals[0] == 40 and totals[-1] == 40 and not any(totals[1:-1])
        window.destroy()


def test_numeric_columns_keep_their_width_and_align_right(tk_root, data_dir):
    with tracker_with(data_dir, generate_records(400)) as tracker:
        window = open_loaded(tk_root, tracker)
        traits = show(window, "Quality").traits
        for column in ("high", "low", "n"):
            assert str(traits.heading(column, "anchor")) == "e"
            assert str(traits.column(column, "anchor")) == "e"
            assert not traits.column(column, "stretch")
            assert traits.column(column, "minwidth") == traits.column(column, "width")
        assert traits.column("trait", "stretch")
        window.destroy()


def test_tables_keep_their_rows_when_the_window_is_small(tk_root, data_dir):
    with tracker_with(data_dir, generate_records(1500)) as tracker:
        window = open_loaded(tk_root, tracker)
        window.geometry("760x520")
        for title, name in (("Failures", "codes"), ("Quality", "traits"), ("Models", "table")):
            tree = getattr(show(window, title), name)
            pump(tk_root, 0.3)
            assert int(tree.cget("height")) >= 6
            assert tree.winfo_height() >= tree.winfo_reqheight() - 2, title
        window.destroy()


def test_patterns_note_is_about_the_selected_group_and_wraps(tk_root, data_dir):
    from prompt_tracking.analytics_window.tabs.patterns import HIGH

    records = generate_records(1200, seed=2)
    for record in records[40:]:  # too few ratings for rating terms
        record.quality_rating = None
    with tracker_with(data_dir, records) as tracker:
        window = open_loaded(tk_root, tracker)
        tab = show(window, "Patterns")
        assert any("fewer than" in n for n in tab.notes)  # some reason with too few prompts
        tab.group.set(HIGH)
        tab.show_group()
        pump(tk_root, 0.3)
        text = str(tab.note.cget("text"))
        assert text.startswith("ratings:") and "fewer than" not in text
        assert 0 < int(str(tab.note.cget("wraplength"))) <= tab.note.winfo_width()
        window.destroy()


def test_prompt_check_defaults_to_a_model_that_takes_prompts(tk_root, data_dir):
    records = generate_records(600, seed=6)
    for record in records[:400]:  # the most used model takes no prompt, like an upscaler
        record.ai_model, record.prompt = "aaa-upscaler", ""
    with tracker_with(data_dir, records) as tracker:
        window = open_loaded(tk_root, tracker)
        check = show(window, "Patterns").check
        overview = window.snapshot.analytics.overview
        assert next(iter(overview.models)) == "aaa-upscaler"
        assert check.model.get() not in ("aaa-upscaler", "")
        assert check.model.get() == next(m for m in overview.models if m != "aaa-upscaler")
        chosen = sorted(m for m in overview.models if m not in ("aaa-upscaler", check.model.get()))[0]
        window.filter_bar.model.set(chosen)
        window.refresh()
        pump(tk_root, 30, until=lambda: window.loaded and window.snapshot.filters.models)
        show(window, "Patterns")
        assert check.model.get() == chosen
        window.destroy()


HOST_SCRIPT = """
import sys, time, tempfile
sys.path.insert(0, {root!r})
import tkinter as tk
from tkinter import ttk
from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.synthetic.history import generate_records
{make_root}
root.geometry("300x200+0+0")
from prompt_tracking.analytics_window import open_analytics_window
with EnhancedPromptTracker(tempfile.mkdtemp(), max_successful=None, max_failed=None) as tracker:
    tracker.import_records(generate_records(300))
    window = open_analytics_window(root, tracker)
    deadline = time.monotonic() + 60
    while not window.loaded and time.monotonic() < deadline:
        root.update()
    window.select_tab("Export")
    for _ in range(40):
        root.update()
        time.sleep(0.005)
    export = window.tab_widget("Export")
    print(type(window.notebook).__module__, type(export.consent_check).__module__,
          "bootstrap" if "ttkbootstrap" in sys.modules else "plain")
    window.destroy()
"""


@pytest.mark.parametrize("make_root, expected", [
    ("root = tk.Tk()", "tkinter.ttk tkinter.ttk plain"),
    ("import ttkbootstrap as tb\nroot = tb.Window(themename='bootstrap-light')",
     "ttkbootstrap ttkbootstrap bootstrap"),
], ids=["plain-tk", "ttkbootstrap"])
def test_widgets_come_from_the_hosts_toolkit(display, make_root, expected):
    script = HOST_SCRIPT.format(root=str(ROOT), make_root=textwrap.dedent(make_root))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == expected
