"""Thread hand-off glue: run our UI work on the Tk thread, whatever thread asked for it.

Host apps report outcomes from worker threads as often as from the Tk thread. Only the
Tk thread may touch Tk, so `TkDispatcher.call_soon` runs the work at once when it is
already on the Tk thread and otherwise puts it on the GUI's one worker-to-Tk queue
(`prompt_tracking.widgets._tk.TkQueue`), which the Tk thread drains with `after()`, a few
items per tick (Thonny's pattern). Worker threads never call Tk, not even `after()`.
"""
from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from typing import Any

from prompt_tracking.widgets._tk import TkQueue

POLL_MS = 50  # how often the Tk thread looks at the queue
MAX_PER_TICK = 20  # items run per tick, so a burst cannot freeze the host's UI

_Work = tuple[Callable[..., Any], tuple[Any, ...]]


class TkDispatcher:
    """Runs callables on the Tk thread; create it on the Tk thread.

    Args:
        widget: any widget of the host app; its interpreter drives the queue, which stops
            once the widget no longer exists.
        on_tick: also called on the Tk thread once per tick (housekeeping such as
            expiring stale entries); its errors are logged.
    """

    def __init__(self, widget: tk.Misc, *, on_tick: Callable[[], Any] | None = None) -> None:
        self.widget = widget
        self._queue: TkQueue[_Work] = TkQueue(
            widget, _run, poll_ms=POLL_MS, per_tick=MAX_PER_TICK, on_tick=on_tick,
            what="work handed to the Tk thread")
        self.thread_id = self._queue.thread_id
        self._queue.start()

    def on_tk_thread(self) -> bool:
        """True when called from the thread that owns the Tk interpreter."""
        return self._queue.on_tk_thread()

    def call_soon(self, func: Callable[..., Any], *args: Any) -> None:
        """Run `func(*args)` on the Tk thread: now if we are on it, else at the next tick.

        Never raises; errors of `func` are logged.
        """
        if self._queue.closed:
            return
        if self.on_tk_thread():
            self._queue.handle_now((func, args))
        else:
            self._queue.put((func, args))

    def drain(self) -> int:
        """Run what is queued (at most `MAX_PER_TICK` items); Tk thread only. Returns the count."""
        return self._queue.drain()

    def stop(self) -> None:
        """Cancel the polling timer and drop queued work; Tk thread only."""
        self._queue.close()


def _run(work: _Work) -> None:
    func, args = work
    func(*args)
