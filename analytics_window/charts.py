"""Figure helpers: a chart panel (Figure + FigureCanvasTkAgg + toolbar) and per-artist styling.

Never pyplot, never rcParams: every colour is set on the figure, axes, text or artist itself,
so nothing leaks into the host's own matplotlib figures.
"""
from __future__ import annotations

import itertools
import logging
import tkinter as tk
from collections.abc import Sequence
from tkinter import ttk
from typing import Any, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_tkagg import FigureCanvasTkAgg, NavigationToolbar2Tk
from matplotlib.figure import Figure
from prompt_tracking.widgets._tk import cancel_after

from .draw_queue import DrawQueue
from .theme import Palette

log = logging.getLogger(__name__)
DPI = 100


# matplotlib keeps the canvas's Tk PhotoImage in the private `_tkphoto` (every 3.x release up
# to the newest tested, 3.11); we drop it only where we know it has that meaning.
_PHOTO_ATTRIBUTE = "_tkphoto"
_PHOTO_ATTRIBUTE_VERSIONS = ((3, 0), (3, 12))


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(itertools.takewhile(str.isdigit, piece))
        parts.append(int(digits or 0))
    return tuple(parts)


def drops_photo_image() -> bool:
    """True when this matplotlib's Tk canvas keeps its photo image where we expect it."""
    low, high = _PHOTO_ATTRIBUTE_VERSIONS
    return low <= _version(matplotlib.__version__) < high


class QueuedCanvas(FigureCanvasTkAgg):
    """A FigureCanvasTkAgg whose `draw_idle` goes through a DrawQueue (when it has one).

    Without a queue it repaints at idle with an `after_idle` id of its own, so `destroy` can
    cancel a pending repaint without reaching into matplotlib's private state.
    """

    draw_queue: DrawQueue | None = None
    _idle_repaint: str | None = None

    def draw_idle(self) -> None:
        if self.draw_queue is not None:
            self.draw_queue.request(self)
        elif self._idle_repaint is None:
            self._idle_repaint = self.get_tk_widget().after_idle(self._repaint_at_idle)

    def _repaint_at_idle(self) -> None:
        self._idle_repaint = None
        try:
            self.draw()
        except Exception:
            log.exception("analytics: repainting a chart failed")

    def cancel_repaint(self) -> None:
        """Forget a pending repaint (the canvas is being destroyed)."""
        if self.draw_queue is not None:
            self.draw_queue.discard(self)
        cancel_after(self.get_tk_widget(), self._idle_repaint)
        self._idle_repaint = None


class ChartPanel(ttk.Frame):
    """One matplotlib Figure in a Tk canvas, with the navigation toolbar (zoom, save PNG)."""

    def __init__(self, master: tk.Misc, palette: Palette, *, height: float = 4.0,
                 width: float = 8.0, toolbar: bool = True,
                 draw_queue: DrawQueue | None = None) -> None:
        super().__init__(master)
        self.palette = palette
        self.figure = Figure(figsize=(width, height), dpi=DPI, facecolor=palette.background,
                             layout="constrained")
        self.canvas = QueuedCanvas(self.figure, master=self)
        self.canvas.draw_queue = draw_queue
        widget = self.canvas.get_tk_widget()
        widget.configure(bg=palette.background, highlightthickness=0, height=int(height * DPI))
        # matplotlib sets the canvas's requested size to the size it was last given, so
        # the height asked for is kept here (what a scrolling page must leave it).
        self.wanted_height = int(height * DPI)
        self.toolbar: NavigationToolbar2Tk | None = None
        if toolbar:
            self.toolbar = NavigationToolbar2Tk(self.canvas, self, pack_toolbar=False)
            self.toolbar.update()
            self.toolbar.pack(side=tk.BOTTOM, fill=tk.X)
        widget.pack(side=tk.TOP, fill=tk.BOTH, expand=True)

    def set_height(self, pixels: int) -> None:
        """Ask for a canvas this tall (a scrolling page gives it the room)."""
        widget = self.canvas.get_tk_widget()
        self.wanted_height = pixels
        if int(widget.cget("height")) != pixels:
            widget.configure(height=pixels)

    def axes(self, nrows: int = 1, ncols: int = 1, *, grid_axis: Literal["x", "y", "both"] | None = "y",
             **kwargs: Any) -> list[Axes]:
        """Clear the figure and return fresh, styled axes (flattened, row by row)."""
        self.figure.clear()
        grid = self.figure.subplots(nrows, ncols, squeeze=False, **kwargs)
        found = [ax for row in grid for ax in row]
        for ax in found:
            style_axes(ax, self.palette, grid_axis=grid_axis)
        return found

    def grid_spec(self, nrows: int = 1, ncols: int = 1, **kwargs: Any) -> Any:
        """Clear the figure and return a GridSpec; add axes one at a time with `add`.

        (Not `grid`: that name is Tk's geometry manager, which a panel must keep.)"""
        self.figure.clear()
        return self.figure.add_gridspec(nrows, ncols, **kwargs)

    def add(self, spec: Any, *, grid_axis: Literal["x", "y", "both"] | None = "y", **kwargs: Any) -> Axes:
        """A styled axes in one cell of a `grid` (creating axes is slow: one per step)."""
        return style_axes(self.figure.add_subplot(spec, **kwargs), self.palette,
                          grid_axis=grid_axis)

    def empty(self, message: str, title: str | None = None) -> None:
        """Replace the chart with a helpful message instead of blank axes."""
        self.figure.clear()
        if title:
            self.figure.suptitle(title, color=self.palette.foreground, fontsize=11)
        self.figure.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=11,
                         color=self.palette.muted)
        self.redraw()

    def redraw(self) -> None:
        """Ask for a repaint at the next idle moment (coalesces several changes)."""
        self.canvas.draw_idle()

    def destroy(self) -> None:
        # A repaint of a dead canvas would raise in a Tk callback: cancel it with the widget.
        self.canvas.cancel_repaint()
        self.figure.clear()
        super().destroy()
        # The canvas and the figure point at each other; drop the Tk photo image now (on the
        # Tk thread) rather than whenever the garbage collector breaks that cycle, where
        # this matplotlib is known to keep it there.
        if drops_photo_image() and hasattr(self.canvas, _PHOTO_ATTRIBUTE):
            setattr(self.canvas, _PHOTO_ATTRIBUTE, None)


def style_axes(ax: Axes, palette: Palette, title: str | None = None, xlabel: str | None = None,
               ylabel: str | None = None, *, grid_axis: Literal["x", "y", "both"] | None = "y") -> Axes:
    """Colour one axes for the palette, and set its title and labels when given."""
    ax.set_facecolor(palette.background)
    for spine in ax.spines.values():
        spine.set_color(palette.grid)
    ax.tick_params(colors=palette.muted, labelcolor=palette.foreground, labelsize=8)
    if grid_axis in ("x", "y", "both"):
        ax.grid(axis=grid_axis, color=palette.grid, linewidth=0.6)
        ax.set_axisbelow(True)
    if title is not None:
        ax.set_title(title, color=palette.foreground, fontsize=10)
    if xlabel is not None:
        ax.set_xlabel(xlabel, color=palette.foreground, fontsize=9)
    if ylabel is not None:
        ax.set_ylabel(ylabel, color=palette.foreground, fontsize=9)
    return ax


def style_legend(ax: Axes, palette: Palette, **kwargs: Any) -> None:
    """A legend coloured for the palette."""
    legend = ax.legend(facecolor=palette.background, edgecolor=palette.grid, fontsize=8, **kwargs)
    for text in legend.get_texts():
        text.set_color(palette.foreground)


def bar_chart(ax: Axes, labels: Sequence[str], values: Sequence[float], palette: Palette, *,
              color: str | Sequence[str] | None = None, horizontal: bool = False,
              annotations: Sequence[str] | None = None, **kwargs: Any) -> Any:
    """Bars with optional text at their ends (counts, rates with n=...); returns the container."""
    color = color if color is not None else palette.accent
    positions = range(len(labels))
    if horizontal:
        bars = ax.barh(positions, values, color=color, **kwargs)
        ax.set_yticks(list(positions), list(labels))
        ax.invert_yaxis()
    else:
        bars = ax.bar(positions, values, color=color, **kwargs)
        ax.set_xticks(list(positions), list(labels))
    if annotations is not None:
        ax.bar_label(bars, labels=list(annotations), color=palette.foreground, fontsize=7,
                     padding=2)
        if horizontal:
            ax.margins(x=0.18)
        else:
            ax.margins(y=0.15)
    return bars


def rotate_labels(ax: Axes, degrees: int = 30) -> None:
    """Tilt x tick labels so long names do not overlap."""
    for label in ax.get_xticklabels():
        label.set_rotation(degrees)
        label.set_horizontalalignment("right")


def axes_text(ax: Axes, message: str, palette: Palette) -> None:
    """A message inside empty axes (used when one of several charts has no data)."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, wrap=True,
            color=palette.muted, fontsize=9)


def percent(value: float | None) -> str:
    """0.8123 -> '81%'; None -> '–'."""
    return "–" if value is None else f"{value:.0%}"


def short(text: str, limit: int = 22) -> str:
    """Text cut to `limit` characters with an ellipsis, for tick labels."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
