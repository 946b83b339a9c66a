"""The Records tab follows the rating widget's rule: failed results are not rated.

Driven with real pointer events on the table's rows and the tab's buttons.
"""
from __future__ import annotations

from tkinter import ttk

import pytest
from prompt_tracking.widgets.rating_widget import HINT_FAILED
from test_analytics_window import filled_tracker, open_loaded, pump, show


def click(widget, x: int, y: int) -> None:
    """Move to, press and release the first button at (x, y) of `widget`."""
    widget.event_generate("<Enter>", x=x, y=y)
    widget.event_generate("<Motion>", x=x, y=y)
    widget.event_generate("<ButtonPress-1>", x=x, y=y)
    widget.event_generate("<ButtonRelease-1>", x=x, y=y)
    widget.update()


def click_row(tree: ttk.Treeview, iid: str) -> None:
    tree.see(iid)
    tree.update()
    x, y, width, height = tree.bbox(iid, "prompt") or tree.bbox(iid)
    click(tree, x + width // 2, y + height // 2)


def click_button(button: ttk.Button) -> None:
    button.update()
    click(button, button.winfo_width() // 2, button.winfo_height() // 2)


def rate_button(tab, text: str) -> ttk.Button:
    return next(b for b in tab.rate_buttons if str(b.cget("text")) == text)


@pytest.fixture
def records_tab(tk_root, data_dir):
    with filled_tracker(data_dir, 400) as tracker:
        window = open_loaded(tk_root, tracker)
        tab = show(window, "Records")
        pump(window, 5, until=lambda: not tab.filling)
        yield tab, tracker
        window.destroy()


def test_a_failed_record_cannot_be_rated_from_the_records_tab(records_tab):
    tab, tracker = records_tab
    page = tab.view.page_records()
    failed = next(r for r in page if not r.success and not r.quality_rating)
    click_row(tab.tree, failed.id)
    assert tab.tree.selection() == (failed.id,)
    assert all(b.instate(["disabled"]) for b in tab.rate_buttons)
    assert tab.message.get() == HINT_FAILED
    click_button(rate_button(tab, "3★"))
    tab.rate(4)  # a host (or a keyboard shortcut) calling the action directly
    tracker.flush()
    assert tracker.get_record(failed.id).quality_rating is None
    assert tab.tree.item(failed.id, "values")[4] == ""
    assert tab.message.get() == HINT_FAILED


def test_a_successful_record_is_rated_with_a_click_after_a_failed_one(records_tab):
    tab, tracker = records_tab
    page = tab.view.page_records()
    failed = next(r for r in page if not r.success)
    done = next(r for r in page if r.success)
    click_row(tab.tree, failed.id)
    click_row(tab.tree, done.id)
    assert all(b.instate(["!disabled"]) for b in tab.rate_buttons)
    assert tab.message.get() != HINT_FAILED
    click_button(rate_button(tab, "3★"))
    tracker.flush()
    assert tracker.get_record(done.id).quality_rating == 3
    assert tab.tree.item(done.id, "values")[4] == "★★★"
    click_button(rate_button(tab, "Clear"))
    tracker.flush()
    assert tracker.get_record(done.id).quality_rating is None
