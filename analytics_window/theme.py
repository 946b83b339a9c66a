"""Colours for the window and its charts, picked from the host's own theme.

The host's background is read (ttk style lookup, else the widget's `bg`) and a light or dark
palette is chosen by its luminance. Nothing here changes a style, an option or `rcParams`:
the palette is applied per widget and per artist by the code that draws.
"""
from __future__ import annotations

import dataclasses
import logging
import sys
import tkinter as tk
from tkinter import ttk
from types import ModuleType

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Palette:
    """The colours one window uses; `series` are distinguishable in both themes."""

    dark: bool
    background: str
    surface: str
    foreground: str
    muted: str
    grid: str
    success: str
    failure: str
    accent: str
    warning: str
    series: tuple[str, ...]
    colormap: str


LIGHT = Palette(
    dark=False, background="#ffffff", surface="#f6f7f9", foreground="#1f2328", muted="#5f6b76",
    grid="#d8dde3", success="#2a9d62", failure="#d1495b", accent="#3b6fd4", warning="#e08e0b",
    series=("#3b6fd4", "#e08e0b", "#2a9d62", "#d1495b", "#8e5cc4", "#1f9bb5", "#b5651d",
            "#7a8793", "#c2408a", "#6b8e23"),
    colormap="Blues")

DARK = Palette(
    dark=True, background="#22262b", surface="#2b3036", foreground="#e6e9ed", muted="#a3adb8",
    grid="#444c55", success="#4cc38a", failure="#ff6b7d", accent="#6ea2ff", warning="#ffb347",
    series=("#6ea2ff", "#ffb347", "#4cc38a", "#ff6b7d", "#b792ff", "#4dd0e1", "#e0a06b",
            "#aab4be", "#f28bc3", "#a6c96a"),
    colormap="cividis")


WINDOW_CLASS = "PromptAnalytics"
TREE_STYLE = "PromptAnalytics.Treeview"


def apply_to_window(window: tk.Misc, palette: Palette) -> None:
    """Colour the plain-tk widgets inside our own window (matplotlib's toolbar among them).

    The option patterns start with our window class, so no widget of the host matches; the
    Treeview style is a new name derived from the host's, so the host's own styles stay as
    they are.
    """
    for widget_class in ("Frame", "Button", "Checkbutton", "Label", "Canvas"):
        window.option_add(f"*{WINDOW_CLASS}*{widget_class}.background", palette.surface)
        window.option_add(f"*{WINDOW_CLASS}*{widget_class}.foreground", palette.foreground)
        window.option_add(f"*{WINDOW_CLASS}*{widget_class}.activeBackground", palette.grid)
        window.option_add(f"*{WINDOW_CLASS}*{widget_class}.highlightBackground", palette.surface)
    if palette.dark:
        ttk.Style(window).configure(TREE_STYLE, background=palette.background,
                                    fieldbackground=palette.background,
                                    foreground=palette.foreground)


def luminance(rgb16: tuple[int, int, int]) -> float:
    """Relative luminance (0..1) of a colour given as Tk's 16-bit channels."""
    r, g, b = (c / 65535 for c in rgb16)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def host_background(widget: tk.Misc) -> str:
    """The background colour the host shows: its ttk theme's, else the toplevel's `bg`."""
    try:
        colour = ttk.Style(widget).lookup("TFrame", "background") or \
            ttk.Style(widget).lookup(".", "background")
        if colour:
            widget.winfo_rgb(colour)
            return str(colour)
    except tk.TclError:
        log.debug("no ttk background for this host", exc_info=True)
    try:
        return str(widget.winfo_toplevel().cget("bg"))
    except tk.TclError:
        return "#ffffff"


def pick_palette(widget: tk.Misc) -> Palette:
    """DARK when the host's background is dark, else LIGHT; the surface takes the host's colour."""
    background = host_background(widget)
    try:
        dark = luminance(widget.winfo_rgb(background)) < 0.45
    except tk.TclError:
        dark = False
    base = DARK if dark else LIGHT
    return dataclasses.replace(base, surface=background)



def bootstrap_module(widget: tk.Misc) -> ModuleType | None:
    """The ttkbootstrap module when `widget`'s app runs ttkbootstrap, else None.

    It is never imported here: only found in `sys.modules`, and only used when the root is a
    ttkbootstrap `Window` or ttkbootstrap's `Style` is the active style of this interpreter.
    A ttkbootstrap widget created in a plain Tk app would switch the whole app to a
    bootstrap theme.
    """
    module = sys.modules.get("ttkbootstrap")
    if module is None:
        return None
    window_class = getattr(module, "Window", None)
    if isinstance(window_class, type) and isinstance(widget._root(), window_class):
        return module
    instance = getattr(getattr(module, "Style", None), "instance", None)
    if instance is None or getattr(instance, "tk", None) is not widget.tk:
        return None
    try:
        if ttk.Style(widget).theme_use() in instance.theme_names():
            return module
    except (tk.TclError, AttributeError):
        log.debug("ttkbootstrap style not usable here", exc_info=True)
    return None


def widget_classes(widget: tk.Misc) -> ModuleType:
    """Where to take Notebook, Checkbutton, Radiobutton... from for a window in `widget`'s app.

    ttkbootstrap 2.x builds a widget's style lazily, only for its own widget classes: a stock
    `ttk.Notebook` in a bootstrap app keeps the unpadded default tabs and a stock
    `ttk.Checkbutton` the bare indicator. So in a ttkbootstrap host we use its classes (the
    same constructor arguments), and in any other host plain `tkinter.ttk`.
    """
    return bootstrap_module(widget) or ttk
