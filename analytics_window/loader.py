"""Background loading: the worker reads and analyses; the Tk thread only drains a queue.

`BackgroundRunner` runs a function on a daemon thread and hands its result to a callback on
the Tk thread (through the GUI's one worker-to-Tk queue, `widgets._tk.TkQueue`). Each job kind has a generation
counter: a result from an older request, or any result after `close()`, is dropped, so a
worker can never reach a destroyed widget; a dropped result goes to the job's `on_discard`.
`load_snapshot` is the work itself: read the records (thread-safe on the tracker) and compute
the analytics. A large load pauses the cycle collector and freezes what it built (see
`prompt_tracking.gcpause`), held by the window's `RecordCache` until the window closes.
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import threading
import time
import tkinter as tk
from collections.abc import Callable
from typing import Any

from prompt_tracking.widgets._protocols import AnalyticsTracker
from prompt_tracking.widgets._tk import TkQueue

from prompt_tracking import PromptRecord
from prompt_tracking.analytics.sql import Filters  # the window filters what the queries filter
from prompt_tracking.gcpause import cycle_collector_paused, hold_frozen, release_frozen

from .record_freeing import LARGE_LOAD, free_in_chunks, free_later

log = logging.getLogger(__name__)
POLL_MS = 30
RESULTS_PER_TICK = 4


@dataclasses.dataclass
class Snapshot:
    """What every tab draws from: the analytics and the filtered records (newest first)."""

    filters: Filters
    analytics: Any  # prompt_tracking.analytics.analysis.Analytics
    records: list[PromptRecord]
    all_models: list[str]
    total_records: int
    revision: int
    seconds: float


class RecordCache:
    """The last full read of the store, reused while the tracker's revision is unchanged.

    It also owns the window's freeze of large loads (`hold_frozen`), released by
    `release_frozen` once `close` has handed its records over to be freed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[int, list[PromptRecord]] | None = None
        self._closed = False
        self._holding = False

    def get(self, tracker: AnalyticsTracker, *,
            on_large: Callable[[], None] | None = None) -> tuple[int, list[PromptRecord]]:
        """The records at the tracker's revision; `on_large()` is called (before the rest is
        read) once a read reaches `LARGE_LOAD` records. A closed cache keeps nothing."""
        revision = getattr(tracker, "revision", 0)
        with self._lock:
            entry = self._entry
        if entry is not None and entry[0] == revision:
            return entry
        rows = iter(tracker.records())
        records = list(itertools.islice(rows, LARGE_LOAD))
        if len(records) == LARGE_LOAD:
            if on_large is not None:
                on_large()
            records.extend(rows)
        with self._lock:
            if self._closed:
                return revision, records
            replaced, self._entry = self._entry, (revision, records)
        if replaced is not None:  # only an older (stale) load may still read it
            free_later([replaced[1]])
        return revision, records

    @property
    def closed(self) -> bool:
        return self._closed

    def hold_frozen(self) -> None:
        """Freeze what the collector tracks now, unless the cache is closed (see gcpause)."""
        with self._lock:  # with `close`: a load finishing after close cannot leave a hold
            if not self._closed:
                hold_frozen(self)
                self._holding = True

    def close(self) -> list[list[PromptRecord]]:
        """Keep nothing from now on; returns the lists to free (then call `release_frozen`)."""
        with self._lock:
            self._closed = True
            entry, self._entry = self._entry, None
        return [entry[1]] if entry is not None else []

    def release_frozen(self) -> None:
        with self._lock:
            holding, self._holding = self._holding, False
        if holding:
            release_frozen(self)


def warm_up_matplotlib() -> None:
    """Import matplotlib's Tk backend and the toolbar's image code, and draw one small figure
    off-screen, all off the Tk thread, so the first chart does not stall the host for the
    one-time imports, font lookups and layout setup."""
    import matplotlib.backends.backend_tkagg  # noqa: F401
    import PIL.ImageTk  # noqa: F401
    import PIL.PngImagePlugin  # noqa: F401
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1.5), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.bar([0, 1], [1, 2], label="warm-up")
    ax.set_title("warm-up")
    ax.legend()
    figure.canvas.draw()


def load_snapshot(tracker: AnalyticsTracker, filters: Filters, cache: RecordCache) -> Snapshot:
    """Read the records and compute the analytics for `filters` (runs on a worker thread).

    From `LARGE_LOAD` records on, the cycle collector is paused while the records and the
    analytics are built, and they are frozen before it resumes: its full collections would
    stop every thread, the host's Tk thread included, for 0.3-0.7 s at 100,000 records.
    """
    from prompt_tracking.analytics import compute_analytics

    # The tabs draw the filtered records themselves; the engine's filter has no public name yet.
    from prompt_tracking.analytics.analysis import load_records

    started = time.perf_counter()
    warm_up_matplotlib()
    with contextlib.ExitStack() as stack:
        paused: list[bool] = []

        def pause() -> None:
            if not paused:
                paused.append(True)
                stack.enter_context(cycle_collector_paused())
        revision, records = cache.get(tracker, on_large=pause)
        large = len(records) >= LARGE_LOAD
        if large:
            pause()  # also for a cached read: the analytics are many new objects too
        chosen = load_records(records, **filters.as_kwargs())
        analytics = compute_analytics(chosen, **filters.as_kwargs())
        models = sorted({r.ai_model for r in records})
        if large:
            cache.hold_frozen()  # before the collector resumes, or it scans them all at once
    snapshot = Snapshot(filters, analytics, chosen, models, len(records), revision,
                        time.perf_counter() - started)
    if large and cache.closed:  # the window closed meanwhile: nobody else frees these
        free_in_chunks([chosen, records])
    return snapshot


def discard_snapshot(snapshot: Any) -> None:
    """A load result nobody will show: free its records in chunks, off the Tk thread."""
    if isinstance(snapshot, Snapshot):
        free_later([snapshot.records])


class BackgroundRunner:
    """Runs functions on worker threads; their results come back on the Tk thread."""

    def __init__(self, widget: tk.Misc, *, poll_ms: int = POLL_MS) -> None:
        self._generations: dict[str, int] = {}
        self._callbacks: dict[str, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._closed = False
        self._lock = threading.Lock()  # `close` against a worker handing in its result
        self._discards: dict[str, Callable[[Any], None]] = {}
        # Polled only while a job is out: an idle window costs the host no timer.
        self._results: TkQueue[tuple[str, int, bool, Any]] = TkQueue(
            widget, self._deliver, poll_ms=poll_ms, per_tick=RESULTS_PER_TICK,
            keep_polling=lambda: bool(self._callbacks),
            what="delivering a background result")

    def run(self, kind: str, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None, *,
            on_discard: Callable[[Any], None] | None = None) -> int:
        """Start `fn` on a thread; a later `run` of the same `kind` makes this one stale.

        `on_discard(result)` gets a result that is dropped (stale, or the runner closed), on
        the Tk thread or on the worker; it must be quick and must not touch Tk.
        """
        if self._closed:
            raise RuntimeError("the runner is closed")
        generation = self._generations.get(kind, 0) + 1
        self._generations[kind] = generation
        self._callbacks[kind] = (on_done, on_error or self._log_error)
        if on_discard is not None:
            self._discards[kind] = on_discard
        results = self._results

        def work() -> None:  # never touches Tk: only the queue
            try:
                item = (kind, generation, True, fn())
            except BaseException as exc:
                item = (kind, generation, False, exc)
            with self._lock:
                if not self._closed and results.put(item):
                    return
            self._discard(item)

        threading.Thread(target=work, name=f"analytics-{kind}", daemon=True).start()
        self._results.start()
        return generation

    def cancel(self, kind: str) -> None:
        """Make the running job of `kind` stale: its result will be dropped."""
        self._generations[kind] = self._generations.get(kind, 0) + 1
        self._callbacks.pop(kind, None)

    def busy(self, kind: str) -> bool:
        return kind in self._callbacks

    def close(self) -> None:
        """Drop every pending result (to its `on_discard`) and stop polling."""
        with self._lock:
            self._closed = True
        self._callbacks.clear()
        for item in self._results.close():
            self._discard(item)

    def _deliver(self, item: tuple[str, int, bool, Any]) -> None:
        kind, generation, ok, value = item
        if generation != self._generations.get(kind):
            self._discard(item)
            return  # stale: a newer request of this kind was made meanwhile
        on_done, on_error = self._callbacks.pop(kind)
        (on_done if ok else on_error)(value)

    def _discard(self, item: tuple[str, int, bool, Any]) -> None:
        kind, _generation, ok, value = item
        discard = self._discards.get(kind)
        if ok and discard is not None:
            try:
                discard(value)
            except Exception:
                log.exception("analytics: discarding a background result failed")

    @staticmethod
    def _log_error(exc: BaseException) -> None:
        log.error("analytics: background job failed", exc_info=exc)
