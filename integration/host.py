"""Reading a host layout: its container widget, its prompt, where a rating widget fits.

Helpers shared by `quick_integrate_tracking` and `TrackingMixin`. They only read the
host's widgets (Tk thread); the one change, `attach_rating_widget`, adds our own widget
with the geometry manager the parent's children already use, so it never clashes.
"""
from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Callable
from typing import Any

from .extract import read_widget_text

PROMPT_ATTRIBUTES = ("prompt_text", "prompt_entry", "prompt_input", "prompt_box", "prompt_var",
                     "prompt", "instruction_text", "instruction_entry", "instruction")
ANCHOR_ATTRIBUTES = ("frame", "root", "master", "parent", "window", "container")
IMAGE_SUFFIXES = (".png", ".gif", ".ppm", ".pgm")


def resolve_tracker(tracker: Any | None) -> Any:
    """`tracker`, or the default `enhanced_prompt_tracker` (imported on first use)."""
    if tracker is not None:
        return tracker
    from prompt_tracking import enhanced_prompt_tracker
    return enhanced_prompt_tracker


def find_anchor_widget(layout: Any, rating_parent: tk.Misc | None = None) -> tk.Misc | None:
    """The layout itself when it is a widget, else its most likely container widget."""
    if isinstance(layout, tk.Misc):
        return layout
    for name in ANCHOR_ATTRIBUTES:
        value = getattr(layout, name, None)
        if isinstance(value, tk.Misc):
            return value
    for value in vars(layout).values() if hasattr(layout, "__dict__") else ():
        if isinstance(value, tk.Misc):
            return value
    return rating_parent


def default_prompt_getter(layout: Any) -> Callable[[], Any]:
    """Reads `get_current_prompt()`, else the usual prompt widget or variable. Tk thread."""
    method = getattr(layout, "get_current_prompt", None)
    if callable(method):
        return method

    def read() -> str | None:
        names = list(PROMPT_ATTRIBUTES)
        names += [n for n in getattr(layout, "__dict__", {}) if "prompt" in n and n not in names]
        for name in names:
            text = read_widget_text(getattr(layout, name, None))
            if text is not None:
                return text
        return None
    return read


def attach_rating_widget(parent: tk.Misc, tracker: Any, **options: Any) -> Any:
    """A `QualityRatingWidget` placed in `parent` with the geometry manager its children use.

    With pack it claims its space first (packed at the bottom, before the content), so a
    large result packed later cannot push it out of a small window.
    """
    from prompt_tracking.widgets import QualityRatingWidget

    widget = QualityRatingWidget(parent, tracker=tracker, **options)
    if parent.grid_slaves():
        columns, rows = parent.grid_size()
        widget.grid(row=rows, column=0, columnspan=max(columns, 1), sticky="w", padx=4, pady=4)
    elif parent.pack_slaves():
        widget.pack(side="bottom", anchor="w", padx=4, pady=4, before=parent.pack_slaves()[0])
    else:  # place or no children yet: pack never clashes with place
        widget.pack(side="bottom", anchor="w", padx=4, pady=4)
    return widget


def overlay_rating_widget(window: tk.Misc, tracker: Any, **options: Any) -> Any:
    """A `QualityRatingWidget` placed over the bottom left corner of `window`.

    The fallback when the layout gives the inline widget no room: `place` coexists with
    any geometry manager the window's children use, so the host's layout is untouched.
    """
    from prompt_tracking.widgets import QualityRatingWidget

    widget = QualityRatingWidget(window, tracker=tracker, **options)
    widget.place(relx=0.0, rely=1.0, x=4, y=-4, anchor="sw")
    widget.lift()
    return widget


def is_shown(widget: tk.Misc) -> bool:
    """Whether `widget` is mapped and lies wholly inside each of its ancestors' areas."""
    try:
        if not (widget.winfo_ismapped() and widget.winfo_viewable()):
            return False
        x, y = widget.winfo_rootx(), widget.winfo_rooty()
        right, bottom = x + widget.winfo_width(), y + widget.winfo_height()
        current = widget.master
        while current is not None:
            cx, cy = current.winfo_rootx(), current.winfo_rooty()
            if x < cx or y < cy or right > cx + current.winfo_width() \
                    or bottom > cy + current.winfo_height():
                return False
            if current.winfo_toplevel() == current:
                break
            current = current.master
        return True
    except tk.TclError:
        return False


def in_hidden_tab(widget: tk.Misc) -> bool:
    """Whether `widget` sits in a notebook tab that is not the selected one."""
    try:
        child, parent = widget, widget.master
        while parent is not None and child.winfo_toplevel() != child:
            if parent.winfo_class() == "TNotebook" and str(parent.tk.call(parent, "select")) \
                    != str(child) and child.winfo_manager() == "notebook":
                return True
            child, parent = parent, parent.master
    except tk.TclError:
        return False
    return False


def preview_path(result_url: str | None) -> str | None:
    """The result as a local image file the rating dialog can show, else None."""
    if result_url and result_url.lower().endswith(IMAGE_SUFFIXES) and os.path.isfile(result_url):
        return result_url
    return None
