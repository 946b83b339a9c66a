"""`DrawQueue`: chart repaints spread over `after()` ticks, one canvas per tick."""
from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from typing import Any

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
        self._after_id: str | None = None
        self._on_empty = on_empty

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def request(self, canvas: Any) -> None:
        self._pending[id(canvas)] = canvas
        if self._after_id is None:
            self._after_id = self._widget.after(1, self._draw_one)

    def discard(self, canvas: Any) -> None:
        self._pending.pop(id(canvas), None)

    def close(self) -> None:
        self._pending.clear()
        if self._after_id is not None:
            try:
                self._widget.after_cancel(self._after_id)
            except tk.TclError:
                pass
            self._after_id = None

    def _draw_one(self) -> None:
        self._after_id = None
        try:
            key = next(iter(self._pending))
            canvas = self._pending.pop(key)
            if canvas.get_tk_widget().winfo_exists():
                canvas.draw()
        except Exception:
            log.exception("analytics: repainting a chart failed")
        if self._pending:
            self._after_id = self._widget.after(1, self._draw_one)
        elif self._on_empty is not None:
            try:
                self._on_empty()
            except Exception:
                log.exception("analytics: after repainting")
