"""The analytics window at small and default sizes: the filter bar wraps, tabs scroll,
charts keep a readable height; the date presets; the Overview zooms to where the data is;
failure rates of models with too few tries are ranked last."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.synthetic.history import generate_records

from test_analytics_window import filled_tracker, open_loaded, pump, show


def _inside(widget, window) -> bool:
    """The widget is shown and wholly inside the window (not cut off at its right edge)."""
    left, right = window.winfo_rootx(), window.winfo_rootx() + window.winfo_width()
    top, bottom = window.winfo_rooty(), window.winfo_rooty() + window.winfo_height()
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    return (widget.winfo_viewable() and left <= x and x + widget.winfo_width() <= right
            and top <= y and y + widget.winfo_height() <= bottom)


def _sized(window, size: str) -> None:
    window.geometry(size + "+0+0")
    pump(window, 3, until=lambda: window.winfo_width() == int(size.split("x")[0]))
    pump(window, 0.3)


@pytest.fixture
def store1k(data_dir):
    with filled_tracker(data_dir, 1000) as tracker:
        yield tracker


def test_at_640x420_the_filter_bar_wraps_and_the_tab_scrolls(tk_root, store1k):
    window = open_loaded(tk_root, store1k)
    _sized(window, "640x420")
    bar = window.filter_bar
    for widget in (bar.outcome_box, bar.apply_button, bar.clear_button, bar.preset_box,
                   window.review_button):
        assert _inside(widget, window), widget
    assert bar.rows >= 2
    tab = show(window, "Overview")
    pump(window, 0.5)
    page = next(s.tab for s in window._slots if s.title == "Overview")
    assert page.scrollable                         # content taller than the page: a scrollbar
    assert page.bar.winfo_ismapped()
    chart = tab.chart.canvas.get_tk_widget()
    assert chart.winfo_height() >= 400             # not squeezed to a sliver
    first = page.canvas.yview()[0]
    page.canvas.event_generate("<Button-5>", x=20, y=20)   # the wheel scrolls the page
    pump(window, 0.2)
    assert page.canvas.yview()[0] > first
    _sized(window, "1920x1080")
    assert bar.rows == 1
    window.destroy()


def test_at_the_default_size_the_heat_map_has_room(tk_root, store1k):
    window = open_loaded(tk_root, store1k)
    assert window.winfo_width() == 1180
    tab = show(window, "Failures")
    pump(window, 0.5)
    models = len(window.snapshot.analytics.failures.rate_by_model)
    heat = tab.heat.canvas.get_tk_widget()
    assert heat.winfo_height() >= 100 + 25 * models
    assert tab.chart.canvas.get_tk_widget().winfo_height() >= 250
    window.destroy()


def test_the_window_never_gets_smaller_than_its_minsize(tk_root, store1k):
    window = open_loaded(tk_root, store1k)
    width, height = window.wm_minsize()
    assert width <= 640 and height <= 420
    window.destroy()


def test_date_presets_set_the_dates_and_filter(tk_root, data_dir):
    now = time.time()
    old = generate_records(300, seed=1, start=now - 400 * 86_400)
    recent = generate_records(200, seed=2, start=now - 3 * 86_400)
    recent = [dataclasses.replace(r, timestamp=min(r.timestamp, now - 60)) for r in recent]
    with EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None) as tracker:
        tracker.import_records(old + recent)
        window = open_loaded(tk_root, tracker)
        bar = window.filter_bar
        assert bar.preset.get() == "All time"
        bar.preset.set("Last 7 days")
        bar.preset_box.event_generate("<<ComboboxSelected>>")
        pump(window, 30, until=lambda: window.loaded and len(window.snapshot.records) < 500)
        assert bar.since.get() == (dt.date.today() - dt.timedelta(days=6)).isoformat()
        assert len(window.snapshot.records) == 200
        bar.since.set("2020-01-01")                # typed dates: the preset says so
        bar.since_entry.focus_force()
        pump(window, 2, until=lambda: window.focus_get() is bar.since_entry)
        bar.since_entry.event_generate("<Return>")
        pump(window, 0.1)
        assert bar.preset.get() == "Custom dates"
        pump(window, 30, until=lambda: window.loaded)
        bar.clear()
        assert bar.preset.get() == "All time" and bar.since.get() == ""
        pump(window, 30, until=lambda: window.loaded and len(window.snapshot.records) == 500)
        tab = show(window, "Overview")
        # a year between the two bursts is one gap slot, not fifty empty weeks
        gaps = [p for p in tab.periods if p.startswith("…")]
        assert len(gaps) == 1 and "without prompts" in gaps[0]
        assert len(tab.periods) < 20
        window.destroy()


def test_a_model_with_one_try_is_not_ranked_first(tk_root, data_dir):
    from prompt_tracking.records import PromptRecord

    records = generate_records(400, seed=3, models=["seedream-4.0", "seedance-1.0-pro"])
    lone = dataclasses.replace(records[0], id="lone-failure", ai_model="one-try-model",
                               success=False, failure_reason="content_filter",
                               quality_rating=None)
    assert isinstance(lone, PromptRecord)
    with EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None) as tracker:
        tracker.import_records(records + [lone])
        window = open_loaded(tk_root, tracker)
        tab = show(window, "Failures")
        rate_ax = tab.chart.figure.axes[1]
        labels = [t.get_text() for t in rate_ax.get_xticklabels()]
        assert labels[-1] == "one-try-model"       # 100% of one try: last, and greyed
        assert "fewer than" in rate_ax.get_title() and "tries" in rate_ax.get_title()
        window.destroy()
