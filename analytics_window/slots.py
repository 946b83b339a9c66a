"""Notebook pages: the `Slot` of one tab, and how host tabs and the Export tab are rendered.

A slot's `render(slot, snapshot)` builds or updates its content and may return a generator
of drawing steps, which the window runs one per `after()` tick.
"""
from __future__ import annotations

import dataclasses
import inspect
import logging
import tkinter as tk
from collections.abc import Callable, Generator
from tkinter import ttk
from typing import Any

from .loader import Snapshot

log = logging.getLogger(__name__)
Build = Callable[[tk.Misc, Any], tk.Widget]
Update = Callable[[tk.Widget, Any], None]


@dataclasses.dataclass
class Slot:
    """One notebook page; `render(page, snapshot)` builds or updates its content.

    `page` is the frame the content goes in; `tab` the notebook's page holding it (a
    `ScrollPage`, which scrolls `page` when the window is too short)."""

    title: str
    page: ttk.Frame
    render: Callable[[Slot, Snapshot | None], Any]  # None, or a generator of drawing steps
    widget: Any = None
    serial: int = -1  # the snapshot serial this page shows
    tab: Any = None


def then_render(widget: Any, snapshot: Snapshot) -> Generator[None, None, None]:
    """Steps: stop after building the tab, then draw it (itself in steps when it yields)."""
    yield
    steps = widget.render(snapshot)
    if inspect.isgenerator(steps):
        yield from steps


def show_error(slot: Slot, exc: BaseException) -> None:
    if slot.widget is not None and not isinstance(slot.widget, ttk.Label):
        slot.widget.destroy()
    slot.widget = ttk.Label(slot.page, text=f"This tab could not be drawn: {exc}")
    slot.widget.pack(padx=20, pady=20)


def custom_renderer(build: Build, update: Update | None) -> Callable[[Slot, Snapshot | None], None]:
    def render(slot: Slot, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        analytics = snapshot.analytics
        widget = slot.widget
        if widget is not None and update is not None:
            update(widget, analytics)
        elif widget is not None and callable(getattr(widget, "update_analytics", None)):
            widget.update_analytics(analytics)
        else:
            if widget is not None:
                widget.destroy()
            slot.widget = build(slot.page, analytics)
            if not slot.widget.winfo_manager():
                slot.widget.pack(fill=tk.BOTH, expand=True)
    return render


def render_export(slot: Slot, snapshot: Snapshot | None) -> None:
    """The training export UI, built once; a placeholder when that feature is not installed."""
    if slot.widget is not None:
        return
    window = slot.page.winfo_toplevel()
    try:
        from .export_tab import build_export_tab
    except ImportError:
        slot.widget = ttk.Label(slot.page, text="Training export is not installed")
        slot.widget.pack(padx=20, pady=20)
        return
    slot.widget = build_export_tab(slot.page, getattr(window, "tracker", None))
    if not slot.widget.winfo_manager():
        slot.widget.pack(fill=tk.BOTH, expand=True)
