"""The analytics window: every tab draws the analytics' numbers, filters, actions, the API.

Charts are checked through their artists (bar heights, image data), not pixels.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.synthetic.history import generate_records


def pump(root, seconds: float = 5.0, until=None) -> None:
    """Run the Tk loop until `until()` is true (or for `seconds` when no condition)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        root.update()
        if until is not None and until():
            return
        time.sleep(0.005)
    if until is not None:
        raise AssertionError(f"condition not met within {seconds} s")


def filled_tracker(data_dir, n: int, seed: int = 0) -> EnhancedPromptTracker:
    tracker = EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None)
    if n:
        tracker.import_records(generate_records(n, seed=seed))
    return tracker


def open_loaded(root, tracker, timeout: float = 30.0, **kwargs):
    from prompt_tracking.analytics_window import AnalyticsWindow

    window = AnalyticsWindow(root, tracker, **kwargs)
    pump(root, timeout, until=lambda: window.loaded)
    return window


def show(window, title: str, timeout: float = 10.0):
    """Select a tab and wait until it shows the current snapshot; returns its content."""
    window.select_tab(title)
    slot = next(s for s in window._slots if s.title == title)
    pump(window, timeout, until=lambda: slot.serial == window._serial and slot.widget is not None
         and not window.drawing)
    return slot.widget


def reload(window, timeout: float = 30.0) -> None:
    window.refresh()
    pump(window, timeout, until=lambda: window.loaded)


def heights(container) -> list[float]:
    return [round(p.get_height(), 6) for p in container]


def widths(container) -> list[float]:
    return [round(p.get_width(), 6) for p in container]


def figure_texts(panel) -> str:
    return " ".join(t.get_text() for t in panel.figure.texts)


@pytest.fixture
def store2k(data_dir):
    with filled_tracker(data_dir, 2000) as tracker:
        yield tracker


@pytest.fixture
def window2k(tk_root, store2k):
    window = open_loaded(tk_root, store2k)
    yield window
    if window.winfo_exists():
        window.destroy()


def test_opens_on_an_empty_store_with_helpful_empty_states(tk_root, data_dir):
    with filled_tracker(data_dir, 0) as tracker:
        window = open_loaded(tk_root, tracker)
        assert "No prompts tracked yet" in figure_texts(show(window, "Overview").chart)
        assert "No ratings yet: rate a result" in figure_texts(show(window, "Quality").chart)
        assert "No prompts tracked yet" in figure_texts(show(window, "Failures").chart)
        assert "No prompts tracked yet" in figure_texts(show(window, "Models").chart)
        assert "No model parameters" in figure_texts(show(window, "Parameters").chart)
        assert show(window, "Patterns").terms.get_children() == ()
        records = show(window, "Records")
        assert records.tree.get_children() == () and "No records" in records.page_label["text"]
        window.destroy()


def test_overview_plots_the_activity_per_period(window2k):
    tab = show(window2k, "Overview")
    overview = window2k.snapshot.analytics.overview
    activity = tab.chart.figure.axes[0]
    ok, bad = activity.containers
    by_label = {b.label: b for b in overview.over_time}
    drawn = [by_label.get(label) for label in tab.periods]  # empty periods filled with zeros
    assert tab.periods[0] == overview.over_time[0].label
    assert tab.periods[-1] == overview.over_time[-1].label
    assert heights(ok) == [b.successes if b else 0 for b in drawn]
    assert heights(bad) == [b.n - b.successes if b else 0 for b in drawn]
    assert tab.figures["Prompts"].get() == "2,000"
    assert "n=2,000" in activity.get_title()


def test_quality_plots_the_rating_distribution_and_per_model_ratings(window2k):
    tab = show(window2k, "Quality")
    quality = window2k.snapshot.analytics.quality
    spread, models = tab.chart.figure.axes
    assert heights(spread.containers[0]) == [quality.distribution[s] for s in "12345"]
    expected = sorted((b.avg_rating for b in quality.by_model if b.rated), reverse=True)
    assert heights(models.containers[0]) == expected
    assert len(tab.traits.get_children()) == len(quality.high_vs_low)


def test_failures_plot_reasons_rates_and_the_model_reason_table(window2k):
    tab = show(window2k, "Failures")
    failures = window2k.snapshot.analytics.failures
    reasons_ax, rate_ax = tab.chart.figure.axes[:2]
    heat_ax = tab.heat.figure.axes[0]
    assert widths(reasons_ax.containers[0]) == list(failures.by_reason.values())
    assert sorted(heights(rate_ax.containers[0]), reverse=True) == sorted(
        (round(r * 100, 6) for r in failures.rate_by_model.values()), reverse=True)
    table = heat_ax.images[0].get_array()
    assert int(np.sum(table)) == failures.total


def test_models_tab_shows_volume_and_success_per_model(window2k):
    tab = show(window2k, "Models")
    buckets = sorted(window2k.snapshot.analytics.quality.by_model, key=lambda b: -b.n)
    volume = tab.chart.figure.axes[0]
    assert widths(volume.containers[0]) == [b.successes for b in buckets]
    assert [tab.table.item(i, "values")[0] for i in tab.table.get_children()] == \
        [b.label for b in buckets]


def test_parameters_tab_charts_the_selected_parameter_with_its_suggestion(window2k):
    tab = show(window2k, "Parameters")
    report = tab.reports[int(tab.table.selection()[0])]
    ax = tab.chart.figure.axes[0]
    assert heights(ax.containers[0]) == [round((b.success_rate or 0) * 100, 6) for b in report.bins]
    assert report.suggestion in tab.suggestion["text"]
    last = str(len(tab.reports) - 1)
    tab.table.selection_set(last)
    pump(window2k, 2, until=lambda: tab.reports[-1].parameter in ax.figure.axes[0].get_title())


def test_patterns_tab_lists_terms_and_assesses_a_typed_prompt(window2k):
    tab = show(window2k, "Patterns")
    group = tab.group.get()
    rows = [tab.terms.item(i, "values")[0] for i in tab.terms.get_children()]
    assert rows == [t.term for t in tab.groups[group]]
    tab.check.prompt.insert("1.0", "portrait, nude, blood splatter")
    tab.check.assess()
    pump(window2k, 30, until=lambda: "Failure risk" in tab.check.result.get()
         or "Not enough history" in tab.check.result.get())


def test_records_tab_pages_sorts_and_searches(window2k):
    tab = show(window2k, "Records")
    pump(window2k, 5, until=lambda: not tab.filling)
    assert len(tab.tree.get_children()) == 200
    assert "of 2,000" in tab.page_label["text"]
    tab.turn(1)
    pump(window2k, 5, until=lambda: not tab.filling)
    assert tab.view.page == 1
    tab._sorter("rating")()
    pump(window2k, 5, until=lambda: not tab.filling)
    first = tab.tree.item(tab.tree.get_children()[0], "values")
    assert first[4] == "★★★★★"
    tab.search.set("golden hour")
    tab.apply_search()
    pump(window2k, 5, until=lambda: not tab.filling)
    shown = tab.view.page_records()
    assert shown and all("golden hour" in r.prompt.casefold() for r in shown)


def test_records_tab_reason_box_reads_as_words_and_stores_the_reason(window2k, store2k):
    tab = show(window2k, "Records")
    pump(window2k, 5, until=lambda: not tab.filling)
    box = _reason_box(tab)
    assert "content filter" in box.cget("values") and "content_filter" not in box.cget("values")
    failed = next(r for r in tab.view.page_records() if not r.success)
    tab.tree.selection_set(failed.id)
    window2k.update()  # the selection's own message first ("Failed results are not rated")
    box.set("rate limit")
    box.event_generate("<<ComboboxSelected>>")
    window2k.update()
    store2k.flush()
    assert store2k.get_record(failed.id).failure_reason == "rate_limit"
    assert tab.message.get() == "Failure reason set to rate limit."


def _reason_box(tab):
    from tkinter import ttk

    def walk(widget):
        for child in widget.winfo_children():
            yield child
            yield from walk(child)
    return next(w for w in walk(tab) if isinstance(w, ttk.Combobox)
                and w.cget("textvariable") == str(tab.reason))


def test_records_tab_actions_write_through_the_tracker(window2k, store2k):
    tab = show(window2k, "Records")
    pump(window2k, 5, until=lambda: not tab.filling)
    opened: list[str] = []
    tab.open_url = opened.append
    page = tab.view.page_records()
    failed = next(r for r in page if not r.success)
    tab.tree.selection_set(failed.id)
    tab.rate(2)  # failed results are not rated (issue 13): refused, like the rating widget
    tab.recategorize("timeout")
    tab.mark_saved()
    store2k.flush()
    stored = store2k.get_record(failed.id)
    assert (stored.quality_rating, stored.failure_reason, stored.save_method) == \
        (failed.quality_rating, "timeout", "user_save")
    done = next(r for r in page if r.success and r.result_url)
    tab.tree.selection_set(done.id)
    tab.rate(2)
    store2k.flush()
    assert store2k.get_record(done.id).quality_rating == 2
    assert tab.tree.item(done.id, "values")[4] == "★★"
    tab.recategorize("timeout")  # a success has no failure reason: shown, not raised
    assert "Could not" in tab.message.get()
    tab.open_result()
    assert opened and opened[0].endswith(done.result_url.rsplit("/", 1)[-1])


def test_filters_change_the_plotted_data(window2k):
    models = window2k.snapshot.all_models
    window2k.filter_bar.model.set(models[-1])
    window2k.filter_bar.outcome.set("Failures")
    reload(window2k)
    snapshot = window2k.snapshot
    assert {r.ai_model for r in snapshot.records} == {models[-1]}
    assert all(not r.success for r in snapshot.records)
    tab = show(window2k, "Overview")
    ok, bad = tab.chart.figure.axes[0].containers
    assert sum(heights(ok)) == 0 and sum(heights(bad)) == len(snapshot.records)
    failures = show(window2k, "Failures")
    assert sum(widths(failures.chart.figure.axes[0].containers[0])) == len(snapshot.records)
    window2k.filter_bar.since.set("2025-01-10")
    window2k.filter_bar.until.set("2025-01-20")
    reload(window2k)
    days = {time.strftime("%Y-%m-%d", time.localtime(r.timestamp)) for r in window2k.snapshot.records}
    assert days and min(days) >= "2025-01-10" and max(days) <= "2025-01-20"
    window2k.filter_bar.since.set("not a date")
    window2k.refresh()
    assert "From:" in window2k.status.get()


def test_new_records_refresh_the_open_window(tk_root, store2k):
    window = open_loaded(tk_root, store2k, poll_ms=100, debounce_ms=100)
    store2k.log_successful_prompt("a brand new prompt", "seedream-4.0")
    pump(tk_root, 15, until=lambda: window.snapshot.total_records == 2001)
    window.destroy()


def test_f5_reloads(window2k):
    before = window2k.snapshot
    window2k.focus_force()
    window2k.event_generate("<F5>")
    pump(window2k, 30, until=lambda: window2k.loaded and window2k.snapshot is not before)


def test_a_failing_store_shows_a_message_not_an_exception(tk_root):
    from prompt_tracking.analytics_window import AnalyticsWindow

    class BrokenTracker:
        revision = 0

        def records(self, **_filters):
            raise OSError("disk on fire")

    window = AnalyticsWindow(tk_root, BrokenTracker())
    pump(tk_root, 10, until=lambda: "Could not load" in window.status.get())
    assert "disk on fire" in window.status.get()
    window.destroy()


def test_open_twice_raises_the_same_window_and_the_menu_entry_opens_it(tk_root, store2k):
    import tkinter as tk

    from prompt_tracking.analytics_window import add_analytics_menu, open_analytics_window

    menu = tk.Menu(tk_root, tearoff=0)
    add_analytics_menu(menu, store2k)
    assert menu.entrycget(0, "label") == "Prompt Analytics..."
    menu.invoke(0)
    first = open_analytics_window(tk_root, store2k)
    assert open_analytics_window(tk_root, store2k) is first
    pump(tk_root, 30, until=lambda: first.loaded)
    first.destroy()
    second = open_analytics_window(tk_root, store2k)
    assert second is not first
    pump(tk_root, 30, until=lambda: second.loaded)
    second.destroy()


def test_host_tab_draws_a_registered_analysis_and_updates_on_refresh(tk_root, store2k):
    from tkinter import ttk

    from prompt_tracking.analytics.analysis import register_analysis, unregister_analysis

    register_analysis("longest_prompt", lambda records: max((len(r.prompt) for r in records),
                                                            default=0))
    built: list[ttk.Label] = []

    def build(parent, analytics):
        label = ttk.Label(parent, text=str(analytics.extra["longest_prompt"]))
        built.append(label)
        return label

    try:
        window = open_loaded(tk_root, store2k)
        window.add_tab("Longest", build, update=lambda w, a: w.configure(text=f"{a.overview.total}"))
        show(window, "Longest")
        expected = max(len(r.prompt) for r in window.snapshot.records)
        assert built[0]["text"] == str(expected)
        reload(window)
        show(window, "Longest")
        assert len(built) == 1 and built[0]["text"] == "2000"
        assert "longest_prompt" in show(window, "Overview").note["text"]
        window.destroy()
    finally:
        unregister_analysis("longest_prompt")


def test_export_tab_is_the_export_ui_or_a_placeholder(window2k):
    widget = show(window2k, "Export")
    try:
        import prompt_tracking.analytics_window.export_tab  # noqa: F401
    except ImportError:
        assert widget["text"] == "Training export is not installed"
    else:
        assert widget.winfo_exists()


def test_export_tab_placeholder_when_the_feature_is_missing(tk_root, store2k, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "prompt_tracking.analytics_window.export_tab", None)  # import fails
    window = open_loaded(tk_root, store2k)
    assert show(window, "Export")["text"] == "Training export is not installed"
    window.destroy()


def test_charts_do_not_touch_global_matplotlib_state(tk_root, store2k):
    import sys

    import matplotlib

    before = dict(matplotlib.rcParams)
    had_pyplot = "matplotlib.pyplot" in sys.modules  # a pytest plugin may have loaded it
    window = open_loaded(tk_root, store2k)
    for title in window.tab_titles():
        show(window, title)
    window.destroy()
    assert dict(matplotlib.rcParams) == before
    assert ("matplotlib.pyplot" in sys.modules) == had_pyplot


@pytest.mark.parametrize("argv, expected", [(["analytics", "--demo-data"], 5000),
                                            (["analytics"], 300)])
def test_cli_opens_the_window_on_the_store_or_demo_data(display, data_dir, monkeypatch,
                                                         argv, expected):
    import argparse

    import prompt_tracking.analytics_window.window as window_module
    from prompt_tracking.cli.analytics import register_cli

    with filled_tracker(data_dir, 300):
        pass
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["--data-dir", str(data_dir), *argv])
    seen: list[int] = []
    original = window_module.AnalyticsWindow.__init__

    def close_when_loaded(self, *a, **k):
        original(self, *a, **k)
        self.bind(window_module.LOADED_EVENT, lambda e: (
            seen.append(self.snapshot.total_records), self.after(50, self.destroy)), add="+")
    monkeypatch.setattr(window_module.AnalyticsWindow, "__init__", close_when_loaded)
    assert args.func(args) == 0
    assert seen == [expected]
