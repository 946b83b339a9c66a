"""`DrawQueue`: chart repaints spread over `after()` ticks, one canvas per tick."""
from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable, Iterator
from typing import Any

from prompt_tracking.widgets._tk import cancel_after

log = logging.getLogger(__name__)


class DrawQueue:
    """Repaints the requested canvases one per `after()` tick.

    matplotlib's own `draw_idle` repaints in an idle handler, and Tk runs all pending idle
    handlers back to back: a tab with several charts (or a window resize) would hold the Tk
    thread for the sum of their draws. Here each repaint is its own tick.
    """

    def __init__(self, widget: tk.Misc, on_empty: Callable[[], None] | None = None) -> None:
        self._widget = widget
        self._pending: dict[int, Any] = {}
        self._steps: dict[int, Iterator[None]] = {}   # canvases part-way through a repaint
        self._after_id: str | None = None
        self._on_empty = on_empty

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def request(self, canvas: Any) -> None:
        self._pending[id(canvas)] = canvas
        self._steps.pop(id(canvas), None)  # asked again (e.g. resized): start over
        if self._after_id is None:
            self._after_id = self._widget.after(1, self._draw_one)

    def discard(self, canvas: Any) -> None:
        self._pending.pop(id(canvas), None)
        self._steps.pop(id(canvas), None)

    def close(self) -> None:
        self._pending.clear()
        self._steps.clear()
        cancel_after(self._widget, self._after_id)
        self._after_id = None

    def _draw_one(self) -> None:
        self._after_id = None
        key = next(iter(self._pending), None)
        if key is not None:
            canvas = self._pending[key]
            try:
                if not canvas.get_tk_widget().winfo_exists():
                    raise StopIteration
                steps = self._steps.get(key)
                if steps is None:
                    steps = self._steps[key] = repaint_steps(canvas)
                next(steps)
            except StopIteration:
                self.discard(canvas)
            except Exception:
                log.exception("analytics: repainting a chart failed")
                self.discard(canvas)
        if self._pending:
            self._after_id = self._widget.after(1, self._draw_one)
        elif self._on_empty is not None:
            try:
                self._on_empty()
            except Exception:
                log.exception("analytics: after repainting")


def repaint_steps(canvas: Any) -> Iterator[None]:
    """A chart's repaint in pieces of a few tens of milliseconds, one per tick.

    A first draw with constrained layout creates every axis's ticks and measures every label
    (over 100 ms for a two-axes figure): measuring one axes per tick fills matplotlib's caches,
    so the layout and the final draw that follow are each short.
    """
    figure = canvas.figure
    engine = figure.get_layout_engine()
    if not figure.axes or engine is None or type(engine).__name__.startswith("PlaceHolder"):
        canvas.draw()  # nothing to lay out (an empty state, or a fixed layout)
        return
    renderer = canvas.get_renderer()
    for axes in figure.axes:
        axes.get_tightbbox(renderer)
        yield
    engine.execute(figure)
    yield
    _draw_without_layout(canvas)


def _draw_without_layout(canvas: Any) -> None:
    """Draw with the layout computed in the previous tick, then restore the engine."""
    figure = canvas.figure
    engine = figure.get_layout_engine()
    figure.set_layout_engine("none")
    try:
        canvas.draw()
    finally:
        figure.set_layout_engine(engine)
