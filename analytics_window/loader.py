"""Background loading: the worker reads and analyses; the Tk thread only drains a queue.

`BackgroundRunner` runs a function on a daemon thread and hands its result to a callback on
the Tk thread (polled with `after()`, a few results per tick). Each job kind has a generation
counter: a result from an older request, or any result after `close()`, is dropped, so a
worker can never reach a destroyed widget. `load_snapshot` is the work itself: read the
records (thread-safe on the tracker) and compute the analytics.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
import tkinter as tk
from collections.abc import Callable
from typing import Any

from prompt_tracking.records import PromptRecord

log = logging.getLogger(__name__)
POLL_MS = 30
RESULTS_PER_TICK = 4


@dataclasses.dataclass(frozen=True)
class Filters:
    """The window's filters: models (None: all), [since, until) in epoch seconds, outcome."""

    models: tuple[str, ...] | None = None
    since: float | None = None
    until: float | None = None
    outcome: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {"models": list(self.models) if self.models is not None else None,
                "since": self.since, "until": self.until, "outcome": self.outcome}


@dataclasses.dataclass
class Snapshot:
    """What every tab draws from: the analytics and the filtered records (newest first)."""

    filters: Filters
    analytics: Any  # prompt_tracking.analysis.Analytics
    records: list[PromptRecord]
    all_models: list[str]
    total_records: int
    revision: int
    seconds: float


class RecordCache:
    """The last full read of the store, reused while the tracker's revision is unchanged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[int, list[PromptRecord]] | None = None

    def get(self, tracker: Any) -> tuple[int, list[PromptRecord]]:
        revision = getattr(tracker, "revision", 0)
        with self._lock:
            entry = self._entry
        if entry is not None and entry[0] == revision:
            return entry
        records = list(tracker.records())
        with self._lock:
            self._entry = (revision, records)
        return revision, records


def warm_up_matplotlib() -> None:
    """Import matplotlib's Tk backend and the toolbar's image code, and draw one small figure
    off-screen, all off the Tk thread, so the first chart does not stall the host for the
    one-time imports, font lookups and layout setup."""
    import PIL.ImageTk  # noqa: F401
    import PIL.PngImagePlugin  # noqa: F401
    import matplotlib.backends.backend_tkagg  # noqa: F401
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1.5), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.bar([0, 1], [1, 2], label="warm-up")
    ax.set_title("warm-up")
    ax.legend()
    figure.canvas.draw()


def load_snapshot(tracker: Any, filters: Filters, cache: RecordCache) -> Snapshot:
    """Read the records and compute the analytics for `filters` (runs on a worker thread)."""
    from prompt_tracking.analysis import compute_analytics, load_records

    started = time.perf_counter()
    warm_up_matplotlib()
    revision, records = cache.get(tracker)
    chosen = load_records(records, **filters.as_kwargs())
    analytics = compute_analytics(chosen, **filters.as_kwargs())
    models = sorted({r.ai_model for r in records})
    return Snapshot(filters, analytics, chosen, models, len(records), revision,
                    time.perf_counter() - started)


class BackgroundRunner:
    """Runs functions on worker threads; their results come back on the Tk thread."""

    def __init__(self, widget: tk.Misc, *, poll_ms: int = POLL_MS) -> None:
        self._widget = widget
        self._poll_ms = poll_ms
        self._results: queue.Queue[tuple[str, int, bool, Any]] = queue.Queue()
        self._generations: dict[str, int] = {}
        self._callbacks: dict[str, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._after_id: str | None = None
        self._closed = False

    def run(self, kind: str, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> int:
        """Start `fn` on a thread; a later `run` of the same `kind` makes this one stale."""
        if self._closed:
            raise RuntimeError("the runner is closed")
        generation = self._generations.get(kind, 0) + 1
        self._generations[kind] = generation
        self._callbacks[kind] = (on_done, on_error or self._log_error)
        results = self._results

        def work() -> None:  # never touches Tk: only the queue
            try:
                results.put((kind, generation, True, fn()))
            except BaseException as exc:
                results.put((kind, generation, False, exc))

        threading.Thread(target=work, name=f"analytics-{kind}", daemon=True).start()
        self._poll()
        return generation

    def cancel(self, kind: str) -> None:
        """Make the running job of `kind` stale: its result will be dropped."""
        self._generations[kind] = self._generations.get(kind, 0) + 1
        self._callbacks.pop(kind, None)

    def busy(self, kind: str) -> bool:
        return kind in self._callbacks

    def close(self) -> None:
        """Drop every pending result and stop polling."""
        self._closed = True
        self._callbacks.clear()
        if self._after_id is not None:
            try:
                self._widget.after_cancel(self._after_id)
            except tk.TclError:
                pass
            self._after_id = None

    def _poll(self) -> None:
        if self._after_id is None and not self._closed:
            self._after_id = self._widget.after(self._poll_ms, self._drain)

    def _drain(self) -> None:
        self._after_id = None
        try:
            for _ in range(RESULTS_PER_TICK):
                if self._closed:
                    return
                try:
                    kind, generation, ok, value = self._results.get_nowait()
                except queue.Empty:
                    break
                self._deliver(kind, generation, ok, value)
        except Exception:
            log.exception("analytics: delivering a background result failed")
        if self._callbacks and not self._closed:
            self._poll()

    def _deliver(self, kind: str, generation: int, ok: bool, value: Any) -> None:
        if generation != self._generations.get(kind):
            return  # stale: a newer request of this kind was made meanwhile
        on_done, on_error = self._callbacks.pop(kind)
        (on_done if ok else on_error)(value)

    @staticmethod
    def _log_error(exc: BaseException) -> None:
        log.error("analytics: background job failed", exc_info=exc)
