"""Thread hand-off glue: run our UI work on the Tk thread, whatever thread asked for it.

Host apps report outcomes from worker threads as often as from the Tk thread. Only the
Tk thread may touch Tk, so `TkDispatcher.call_soon` runs the work at once when it is
already on the Tk thread and otherwise puts it on a queue that the Tk thread drains
with `after()`, a few items per tick (Thonny's pattern). Worker threads never call Tk,
not even `after()`.
"""
from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

POLL_MS = 50  # how often the Tk thread looks at the queue
MAX_PER_TICK = 20  # items run per tick, so a burst cannot freeze the host's UI


class TkDispatcher:
    """Runs callables on the Tk thread; create it on the Tk thread.

    Args:
        widget: any widget of the host app; its `after()` drives the queue.
        on_tick: also called on the Tk thread once per tick (housekeeping such as
            expiring stale entries); its errors are logged.
    """

    def __init__(self, widget: tk.Misc, *, on_tick: Callable[[], Any] | None = None) -> None:
        self.widget = widget
        # Our own Tcl command, not Misc.after(): that one is deleted with its widget (or
        # root), and a timer already queued would then fail with "invalid command name".
        self._command: str | None = widget._register(self._tick, needcleanup=0)
        self.thread_id = threading.get_ident()
        self._queue: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = \
            queue.SimpleQueue()
        self._on_tick = on_tick
        self._after_id: str | None = None
        self._stopped = False
        self._schedule()

    def on_tk_thread(self) -> bool:
        """True when called from the thread that owns the Tk interpreter."""
        return threading.get_ident() == self.thread_id

    def call_soon(self, func: Callable[..., Any], *args: Any) -> None:
        """Run `func(*args)` on the Tk thread: now if we are on it, else at the next tick.

        Never raises; errors of `func` are logged.
        """
        if self._stopped:
            return
        if self.on_tk_thread():
            self._run(func, args)
        else:
            self._queue.put((func, args))

    def drain(self) -> int:
        """Run what is queued (at most `MAX_PER_TICK` items); Tk thread only. Returns the count."""
        done = 0
        while done < MAX_PER_TICK:
            try:
                func, args = self._queue.get_nowait()
            except queue.Empty:
                break
            self._run(func, args)
            done += 1
        return done

    def stop(self) -> None:
        """Cancel the polling timer and drop queued work; Tk thread only."""
        self._stopped = True
        if self._after_id is not None:
            try:
                self.widget.tk.call("after", "cancel", self._after_id)
            except tk.TclError:
                pass  # the app is already gone
            self._after_id = None
        if self._command is not None:
            try:
                self.widget.tk.deletecommand(self._command)
            except tk.TclError:
                pass
            self._command = None

    # -- internals -----------------------------------------------------------------------

    @staticmethod
    def _run(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            func(*args)
        except Exception:
            log.exception("prompt-tracking: work handed to the Tk thread failed")

    def _schedule(self) -> None:
        try:
            self._after_id = self.widget.tk.call("after", POLL_MS, self._command)
        except (tk.TclError, RuntimeError):
            self._after_id = None  # the interpreter is gone: nothing left to do
            self.stop()

    def _tick(self) -> None:
        self._after_id = None
        if self._stopped:
            return
        try:
            self.drain()
            if self._on_tick is not None:
                self._on_tick()
        except Exception:
            log.exception("prompt-tracking: dispatcher tick failed")
        try:
            alive = bool(self.widget.winfo_exists())
        except tk.TclError:
            alive = False
        if alive:
            self._schedule()
        else:
            self.stop()
