"""Drive a host app inside its own `mainloop()`: a chain of `after()` steps.

Each step is an action (click the real Generate button, type) or a condition to wait
for. Message boxes the host shows are read and closed with their OK button as a user
would, from inside their modal wait, and kept in `boxes` as (icon, message).
"""
from __future__ import annotations

import threading
import time
import tkinter as tk
from collections.abc import Callable
from typing import Any

TICK_MS = 10


class Script:
    def __init__(self, root: tk.Misc, timeout: float = 20.0) -> None:
        self.root = root
        self.timeout = timeout
        self.steps: list[tuple[str, Callable[[], Any], str]] = []
        self.boxes: list[tuple[str, str]] = []
        self.error: BaseException | None = None
        self._seen_boxes: set[str] = set()
        self._busy = False
        self._done = False
        self._after: str | None = None

    def do(self, action: Callable[[], Any], what: str = "") -> Script:
        self.steps.append(("do", action, what or getattr(action, "__name__", "action")))
        return self

    def until(self, condition: Callable[[], Any], what: str = "") -> Script:
        self.steps.append(("until", condition, what or "condition"))
        return self

    def run(self) -> Script:
        """Run the steps in `mainloop()`, then wait for the threads they started to end
        (a worker still showing a box when the loop stops would fail)."""
        before = set(threading.enumerate())
        self.until(lambda: not [t for t in threading.enumerate() if t not in before
                                and t.name.startswith("Thread-")],  # the hosts' unnamed workers
                   "the host's worker threads to finish")
        self._deadline = time.monotonic() + self.timeout
        self._after = self.root.after(0, self._tick)
        self.root.mainloop()
        if self.error is not None:
            raise self.error
        return self

    def _tick(self) -> None:
        # Re-arm first: a step may open a modal box whose wait must keep ticking.
        self._after = self.root.after(TICK_MS, self._tick)
        try:
            self._close_boxes()
            if not self._busy:
                self._busy = True
                try:
                    self._advance()
                finally:
                    self._busy = False
            if not self.steps and not self._busy:
                self._finish()
            elif time.monotonic() > self._deadline:
                what = self.steps[0][2] if self.steps else "?"
                self._finish(AssertionError(f"timed out at step: {what}"))
        except BaseException as exc:  # noqa: BLE001 (re-raised by run())
            self._finish(exc)

    def _advance(self) -> None:
        while self.steps:
            kind, func, _ = self.steps[0]
            if kind == "do":
                self.steps.pop(0)
                func()
            elif func():
                self.steps.pop(0)
            else:
                return

    def _close_boxes(self) -> None:
        call = self.root.tk.call
        for path in self.root.tk.splitlist(call("info", "commands", "*__tk__messagebox")):
            if not int(call("winfo", "exists", path)):
                continue
            key = f"{path}:{call('winfo', 'id', path)}"
            if key in self._seen_boxes:
                continue
            self._seen_boxes.add(key)
            icon = ""
            if int(call("winfo", "exists", f"{path}.bitmap")):
                image = self.root.tk.splitlist(call(f"{path}.bitmap", "cget", "-image"))
                icon = " ".join(map(str, image)).rsplit("::", 1)[-1]
            self.boxes.append((icon, str(call(f"{path}.msg", "cget", "-text"))))
            call(f"{path}.ok", "invoke")

    def _finish(self, error: BaseException | None = None) -> None:
        if self._done:
            return
        self._done = True
        self.error = self.error or error
        if self._after is not None:
            self.root.after_cancel(self._after)
        self.root.quit()
