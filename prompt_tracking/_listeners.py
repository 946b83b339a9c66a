"""Change notifications: the callbacks a tracker calls after every change it makes."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Listener = Callable[[str, str], None]


class Listeners:
    """Subscribed callbacks; calling them never raises (their exceptions are logged)."""

    def __init__(self) -> None:
        self._callbacks: list[Listener] = []
        self._lock = threading.Lock()

    def add(self, callback: Listener) -> Callable[[], None]:
        """Subscribe `callback`; returns the function that unsubscribes it."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)
        return unsubscribe

    def notify(self, event: str, record_id: str) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(event, record_id)
            except Exception:
                log.exception("prompt-tracking: a change listener failed")
