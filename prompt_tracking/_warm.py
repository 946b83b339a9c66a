"""Keep a tracker's analytics current in the background, so asking for them is quick.

`DELAY` seconds after the tracker's store opens, and after each change once things have
been quiet that long, one daemon thread folds the weeks that changed (see `chunked`) and
leaves the default answer in the result cache.
The analytics window, `stats` or the next app start then add up kept weeks instead of
reading records. The thread only reads the store (read-only connection) and writes the
small cache file; it ends when there is nothing to do and never raises.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import Any

logger = logging.getLogger(__name__)

DELAY = 3.0  # seconds without a change before the weeks are folded again


class Warmer:
    """Folds a source's changed weeks once it has been quiet for `delay` seconds.

    Also once `delay` seconds after it is made (when the tracker's store opens), so weeks
    changed by other processes or workstations meanwhile are folded before anyone asks.
    """

    def __init__(self, source: Any, delay: float = DELAY) -> None:
        self._source = weakref.ref(source)
        self.delay = delay
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._due: float | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.runs = 0  # completed background folds (tests and benchmarks read it)
        self.poke()

    def poke(self) -> None:
        """A change happened: fold again `delay` seconds after the last poke."""
        with self._lock:
            if self._closed:
                return
            self._due = time.monotonic() + self.delay
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="prompt-tracking-analytics-warm")
                self._thread.start()

    def close(self) -> None:
        """Stop; a fold in progress finishes on its own (the thread is a daemon)."""
        with self._lock:
            self._closed = True
        self._wake.set()

    def _next_wait(self) -> float | None:
        """Seconds until the fold is due, 0 when due now, None when there is nothing to do."""
        with self._lock:
            if self._closed or self._due is None:
                self._thread = None
                return None
            wait = self._due - time.monotonic()
            if wait <= 0:
                self._due = None
                return 0.0
            return wait

    def _run(self) -> None:
        while True:
            wait = self._next_wait()
            if wait is None:
                return
            if wait > 0:
                self._wake.wait(wait)
                continue
            source = self._source()
            if source is None:
                return
            self._fold(source)
            del source

    def _fold(self, source: Any) -> None:
        try:
            from prompt_tracking.analytics.analysis import MIN_SAMPLES
            from prompt_tracking.analytics.db_source import database_sections
            from prompt_tracking.analytics.sql import Filters

            if self._closed:
                return  # reading a closed tracker would open its store again
            if database_sections(source, Filters(), min_samples=MIN_SAMPLES) is None:
                with self._lock:  # writes still pending: try again a little later
                    if self._due is None and not self._closed:
                        self._due = time.monotonic() + self.delay
            self.runs += 1
        except Exception:
            logger.debug("analytics warm-up failed", exc_info=True)
