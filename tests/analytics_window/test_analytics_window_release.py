"""Closing the analytics window frees what its widgets hold, on the Tk thread, and the GUI's
one Tk support layer (`prompt_tracking.widgets._tk`) behaves as every caller relies on."""
from __future__ import annotations

import logging
import threading
import tkinter as tk
from tkinter import ttk

import prompt_tracking.analytics_window as analytics_window
from prompt_tracking.widgets import _tk
from test_analytics_window import filled_tracker, open_loaded, pump, show

OUR_PACKAGE = analytics_window.__name__
EXPORT_TAB = f"{OUR_PACKAGE}.export_tab"  # another feature's widgets: they keep their state


def _descendants(widget: tk.Misc) -> list[tk.Misc]:
    found, stack = [], list(widget.children.values())
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(child.children.values())
    return found


def test_closing_the_window_clears_the_state_of_our_widgets(tk_root, data_dir):
    with filled_tracker(data_dir, 300) as tracker:
        window = open_loaded(tk_root, tracker)
        for title in window.tab_titles():
            show(window, title)
        widgets = _descendants(window)
        ours = [w for w in widgets if type(w).__module__.startswith(OUR_PACKAGE)
                and type(w).__module__ != EXPORT_TAB]
        plain = [w for w in widgets if isinstance(w, ttk.Treeview)]
        # Every built-in tab (and its chart panels) is one of ours.
        assert len({type(w) for w in ours}) >= 8
        assert plain and all(vars(w) for w in ours + plain)
        window.destroy()
        tk_root.update()
        held = [(type(w).__qualname__, sorted(vars(w))) for w in ours + plain if vars(w)]
        assert held == []
        assert window.runner is None and window.snapshot is None


def test_safe_logs_to_the_callers_module_and_returns_none(caplog):
    def broken() -> None:
        raise RuntimeError("boom")
    with caplog.at_level(logging.ERROR):
        assert _tk.safe(broken)() is None
    assert [r.name for r in caplog.records] == [__name__]
    assert "broken failed" in caplog.text


def test_cancel_after_is_quiet_for_fired_and_missing_timers(tk_root):
    fired: list[int] = []
    after_id = tk_root.after(1, lambda: fired.append(1))
    pump(tk_root, 2, until=lambda: fired)
    _tk.cancel_after(tk_root, after_id)  # already fired
    _tk.cancel_after(tk_root, None)
    pending = tk_root.after(10_000, lambda: fired.append(2))
    _tk.cancel_after(tk_root, pending)
    pump(tk_root, 0.05)
    assert fired == [1]


def test_tk_queue_hands_worker_items_to_the_tk_thread_in_order(tk_root):
    seen: list[tuple[int, bool]] = []
    tk_thread = threading.get_ident()
    box = _tk.TkQueue(tk_root, lambda item: seen.append((item, threading.get_ident() == tk_thread)),
                      poll_ms=5, per_tick=3)
    box.start()
    worker = threading.Thread(target=lambda: [box.inbox.put(i) for i in range(10)])
    worker.start()
    worker.join()
    pump(tk_root, 5, until=lambda: len(seen) == 10)
    assert seen == [(i, True) for i in range(10)]
    box.close()
    assert box.put(99) is False and box.closed


def test_tk_queue_polls_only_while_asked_and_survives_a_failing_handler(tk_root, caplog):
    busy = [True]
    handled: list[int] = []

    def handle(item: int) -> None:
        if item == 0:
            raise ValueError("bad item")
        handled.append(item)
    box = _tk.TkQueue(tk_root, handle, poll_ms=5, keep_polling=lambda: busy[0])
    box.start()
    with caplog.at_level(logging.ERROR):
        box.put(0)
        box.put(1)
        pump(tk_root, 5, until=lambda: handled == [1])
    assert [r.name for r in caplog.records] == [__name__]
    busy[0] = False
    pump(tk_root, 0.1)
    box.put(2)
    pump(tk_root, 0.1)
    assert handled == [1]  # not polling: the next start() picks it up
    box.start()
    pump(tk_root, 5, until=lambda: handled == [1, 2])
    assert box.close() == []


def test_tk_queue_closes_itself_when_its_widget_is_gone(tk_root):
    frame = tk.Frame(tk_root)
    box = _tk.TkQueue(frame, lambda _item: None, poll_ms=5)
    box.start()
    frame.destroy()
    pump(tk_root, 5, until=lambda: box.closed)
    assert box.put(1) is False
