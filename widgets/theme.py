"""Colours for the rating widgets, read from whatever theme the host app runs.

The widgets live in someone else's window, so nothing here changes a theme, a style or
the option database: it only *reads*. In a ttkbootstrap app the colours come from the
active ttkbootstrap theme, in a plain Tk/ttk app from the active ttk style and the widgets'
own defaults; both are read through the one host-theme reader in `._tk`.
"""
from __future__ import annotations

import dataclasses
import tkinter as tk

from ._tk import background_of, bootstrap_colors, luminance, mix, style_lookup

# A warm gold that keeps a contrast of at least 2:1 against near-white and near-black;
# the outline (below) carries the shape where the fill alone would be faint.
STAR_GOLD = "#f5b301"
_GOLD_EDGE_ON_LIGHT = "#b37f00"
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
    foreground = style_lookup(widget, "TLabel", "foreground", _FALLBACK_FOREGROUND)
    field_background = style_lookup(widget, "TEntry", "fieldbackground", "#ffffff")
    field_foreground = style_lookup(widget, "TEntry", "foreground", foreground)
    focus = style_lookup(widget, "TEntry", "focuscolor", "")
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
