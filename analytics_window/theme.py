"""Colours for the window and its charts, picked from the host's own theme.

The host's background is read (`widgets._tk.host_background`) and a light or dark palette is
chosen by its luminance. Nothing here changes a style, an option or `rcParams`:
the palette is applied per widget and per artist by the code that draws.
"""
from __future__ import annotations

import dataclasses
import tkinter as tk
from tkinter import ttk

# Read through the GUI's one host-theme reader; `widget_classes` is re-exported for the tabs.
from prompt_tracking.widgets._tk import host_background, luminance, widget_classes

__all__ = ["DARK", "LIGHT", "TREE_STYLE", "WINDOW_CLASS", "Palette", "apply_to_window",
           "pick_palette", "widget_classes"]


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


# The window's own light/dark switch: the WCAG luminance of a 45% grey, the threshold the
# window has always used (the rating widgets, drawn on the host's own background, use theirs).
DARK_BELOW = 0.171


def pick_palette(widget: tk.Misc) -> Palette:
    """DARK when the host's background is dark, else LIGHT; the surface takes the host's colour."""
    background = host_background(widget)
    try:
        dark = luminance(widget, background) < DARK_BELOW
    except tk.TclError:
        dark = False
    base = DARK if dark else LIGHT
    return dataclasses.replace(base, surface=background)
