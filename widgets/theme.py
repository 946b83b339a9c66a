"""Colours for the rating widgets, read from whatever theme the host app runs.

The widgets live in someone else's window, so nothing here changes a theme, a style or
the option database: it only *reads*. In a ttkbootstrap app the colours come from the
active ttkbootstrap theme (found through `sys.modules`, never imported here, because
instantiating ttkbootstrap's `Style` would switch a plain app to a bootstrap theme). In
a plain Tk/ttk app they come from the active ttk style and the widgets' own defaults.
"""
from __future__ import annotations

import dataclasses
import sys
import tkinter as tk
from tkinter import ttk
from typing import Any

# A warm gold that keeps a contrast of at least 2:1 against near-white and near-black;
# the outline (below) carries the shape where the fill alone would be faint.
STAR_GOLD = "#f5b301"
_GOLD_EDGE_ON_LIGHT = "#b37f00"
_FALLBACK_BACKGROUND = "#d9d9d9"
_FALLBACK_FOREGROUND = "#000000"


@dataclasses.dataclass(frozen=True)
class Palette:
    """The colours one widget paints with, all as `#rrggbb` strings."""

    background: str
    foreground: str
    field_background: str
    field_foreground: str
    star_fill: str
    star_edge: str
    star_preview: str
    star_empty_edge: str
    star_disabled: str
    star_disabled_fill: str
    star_disabled_edge: str
    muted_foreground: str
    focus: str
    is_dark: bool


def to_rgb(widget: tk.Misc, color: str) -> tuple[float, float, float]:
    """A Tk colour (name or hex) as 0..1 floats."""
    r, g, b = widget.winfo_rgb(color)
    return r / 65535, g / 65535, b / 65535


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def mix(widget: tk.Misc, color: str, other: str, amount: float) -> str:
    """`color` moved `amount` (0..1) of the way towards `other`."""
    a, b = to_rgb(widget, color), to_rgb(widget, other)
    return to_hex(tuple(x + (y - x) * amount for x, y in zip(a, b)))


def luminance(widget: tk.Misc, color: str) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in to_rgb(widget, color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def bootstrap_module(widget: tk.Misc) -> Any | None:
    """The ttkbootstrap module when `widget`'s app runs a ttkbootstrap theme, else None.

    None in a plain Tk app, when ttkbootstrap is not imported, when its `Style`
    belongs to another interpreter, or when the active ttk theme is not one of its own.
    Only then may ttkbootstrap widgets be created: in a plain app they would switch the
    whole app to a bootstrap theme.
    """
    module = sys.modules.get("ttkbootstrap")
    instance = getattr(getattr(module, "Style", None), "instance", None)
    if instance is None or getattr(instance, "tk", None) is not widget.tk:
        return None
    try:
        if ttk.Style(widget).theme_use() not in instance.theme_names():
            return None
    except (tk.TclError, AttributeError):
        return None
    return module


def bootstrap_colors(widget: tk.Misc) -> Any | None:
    """ttkbootstrap's colour set for the theme `widget`'s app runs, or None."""
    module = bootstrap_module(widget)
    if module is None:
        return None
    try:
        return module.Style.instance.colors or None
    except (tk.TclError, AttributeError, KeyError):
        return None


def background_of(widget: tk.Misc) -> str:
    """The colour a child drawn inside `widget` should use as its background."""
    try:
        if isinstance(widget, ttk.Widget):
            style = str(widget.cget("style")) or widget.winfo_class()
            color = ttk.Style(widget).lookup(style, "background")
            return color or ttk.Style(widget).lookup(".", "background") or _FALLBACK_BACKGROUND
        return str(widget.cget("background"))
    except tk.TclError:
        return _FALLBACK_BACKGROUND


def _lookup(widget: tk.Misc, style: str, option: str, default: str) -> str:
    try:
        return ttk.Style(widget).lookup(style, option) or default
    except tk.TclError:
        return default


def palette_for(widget: tk.Misc) -> Palette:
    """The colours for a rating widget placed in `widget`, from the host's theme.

    Args:
        widget: the parent the rating widget is (or will be) drawn in.

    Returns:
        A `Palette`; star colours keep the gold fill and derive the outlines from the
        background's luminance, so they read on light and dark themes alike.
    """
    colors = bootstrap_colors(widget)
    background = background_of(widget)
    foreground = _lookup(widget, "TLabel", "foreground", _FALLBACK_FOREGROUND)
    field_background = _lookup(widget, "TEntry", "fieldbackground", "#ffffff")
    field_foreground = _lookup(widget, "TEntry", "foreground", foreground)
    focus = _lookup(widget, "TEntry", "focuscolor", "")
    if colors is not None:
        foreground = getattr(colors, "fg", foreground)
        field_background = getattr(colors, "inputbg", field_background)
        field_foreground = getattr(colors, "inputfg", field_foreground)
        focus = getattr(colors, "primary", focus)
    is_dark = luminance(widget, background) < 0.25
    return Palette(
        background=background,
        foreground=foreground,
        field_background=field_background,
        field_foreground=field_foreground,
        star_fill=STAR_GOLD,
        star_edge=STAR_GOLD if is_dark else _GOLD_EDGE_ON_LIGHT,
        star_preview=mix(widget, STAR_GOLD, background, 0.45),
        star_empty_edge=mix(widget, foreground, background, 0.45),
        # Disabled: a faint grey star on a fainter outline, so an inactive bar reads as
        # greyed out rather than as five empty stars waiting for a click.
        star_disabled=mix(widget, foreground, background, 0.7),
        star_disabled_fill=mix(widget, foreground, background, 0.88),
        star_disabled_edge=mix(widget, foreground, background, 0.75),
        muted_foreground=mix(widget, foreground, background, 0.4),
        focus=focus or foreground,
        is_dark=is_dark,
    )
