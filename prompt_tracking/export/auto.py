"""Automatic training exports: after every N new ratings, every N days, and at exit.

`configure_auto_export(tracker, out_dir, ...)` installs one `AutoExporter` per tracker
(a new call replaces the old one). Each export goes to a new dated folder under `out_dir`
and runs on a background thread; like the log calls, it never raises into the host: a
missing opt-in or a failed export is logged as a warning. The time of the last export is
kept in settings.json, so "every N days" holds across restarts.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from prompt_tracking import settings
from prompt_tracking.export.run import export_training_data

log = logging.getLogger(__name__)

SETTINGS_KEY = "auto_export"
EXIT_WAIT_SECONDS = 30.0  # bounded: a slow disk must not hang the host's exit for long
_active: weakref.WeakKeyDictionary[Any, AutoExporter] = weakref.WeakKeyDictionary()
_active_lock = threading.Lock()


def dated_folder(parent: Path, now: float | None = None) -> Path:
    """A new folder name under `parent` like `training-export-2026-11-29_101500`."""
    stamp = time.strftime("%Y-%m-%d_%H%M%S", time.localtime(now))
    candidate = parent / f"training-export-{stamp}"
    suffix = 2
    while candidate.exists():
        candidate = parent / f"training-export-{stamp}-{suffix}"
        suffix += 1
    return candidate


class AutoExporter:
    """Watches a tracker's ratings and exports when a rule says so. Use `configure_auto_export`."""

    def __init__(self, tracker: Any, out_dir: Path, *, every_new_ratings: int | None,
                 on_exit: bool, interval_days: float | None) -> None:
        # Weak: the registry and atexit hold this exporter, and must not keep a tracker alive.
        self._tracker = weakref.ref(tracker)
        self.out_dir = out_dir
        self.every_new_ratings = every_new_ratings
        self.on_exit = on_exit
        self.interval_days = interval_days
        self.new_ratings = 0
        self.exports_done = 0
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pending = False
        self._revision_at_export = getattr(tracker, "revision", None)
        self._unsubscribe = tracker.subscribe(self._on_change)
        if on_exit:
            atexit.register(self._at_exit)

    @property
    def tracker(self) -> Any:
        tracker = self._tracker()
        if tracker is None:
            raise RuntimeError("the tracker was garbage-collected")
        return tracker

    # -- triggers (host threads: quick, never raise) ---------------------------------------
    def _on_change(self, event: str, record_id: str) -> None:
        try:
            if event != "rated":
                return
            with self._lock:
                self.new_ratings += 1
                by_count = bool(self.every_new_ratings) and self.new_ratings >= self.every_new_ratings  # type: ignore[operator]
            if by_count or self.interval_due():
                self.trigger()
        except Exception:
            log.exception("prompt-tracking: auto export check failed")

    def interval_due(self) -> bool:
        if not self.interval_days:
            return False
        state = settings.load_settings(self.tracker.data_dir).get(SETTINGS_KEY) or {}
        last = state.get("last_export_at")
        return not isinstance(last, (int, float)) or time.time() - last >= self.interval_days * 86400

    def trigger(self) -> None:
        """Start an export on a background thread (or queue one if an export is running)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._pending = True
                return
            self.new_ratings = 0
            self._thread = threading.Thread(target=self._run, name="prompt-tracking-auto-export",
                                            daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self.export_now()
            with self._lock:
                if not self._pending:
                    return
                self._pending = False
                self.new_ratings = 0

    # -- the export ------------------------------------------------------------------------
    def export_now(self) -> Path | None:
        """Export into a new dated folder; returns it, or None (reason logged). Never raises."""
        try:
            data_dir = self.tracker.data_dir
            if not settings.has_export_consent(data_dir):
                log.warning("prompt-tracking: auto export skipped: the user has not opted in to "
                            "training export")
                self.last_error = "consent required"
                return None
            revision = getattr(self.tracker, "revision", None)
            report = export_training_data(self.tracker, dated_folder(self.out_dir))
            now = time.time()
            state = settings.load_settings(data_dir).get(SETTINGS_KEY) or {}
            state.update(last_export_at=now, last_export_dir=str(report.out_dir))
            settings.update_settings(data_dir, **{SETTINGS_KEY: state})
            self._revision_at_export = revision
            self.exports_done += 1
            self.last_error = None
            return report.out_dir
        except Exception as exc:
            self.last_error = str(exc)
            log.warning("prompt-tracking: auto export failed: %s", exc, exc_info=True)
            return None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running export; False if it is still running after `timeout`."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _at_exit(self) -> None:
        try:
            self.wait(EXIT_WAIT_SECONDS)
            tracker = self._tracker()
            if tracker is not None and getattr(tracker, "revision", None) != self._revision_at_export:
                self.export_now()  # only when something changed since the last export
        except Exception:
            log.exception("prompt-tracking: auto export at exit failed")

    def stop(self) -> None:
        """Stop watching: no more automatic exports from this exporter."""
        self._unsubscribe()
        if self.on_exit:
            atexit.unregister(self._at_exit)


def _positive(name: str, value: Any, kind: type) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int) \
            or value <= 0:
        raise ValueError(f"{name} must be a positive {kind.__name__} or None, got {value!r}")
    return value


def configure_auto_export(tracker: Any, out_dir: str | Path, *,
                          every_new_ratings: int | None = None, on_exit: bool = False,
                          interval_days: float | None = None) -> AutoExporter | None:
    """Export automatically into dated folders under `out_dir`.

    Replaces any earlier configuration for this tracker; with no rule given it only turns
    automatic export off. The opt-in must already be stored; without it each automatic
    export is skipped with a warning.

    Args:
        tracker: The `EnhancedPromptTracker` to watch.
        out_dir: The parent folder of the dated export folders.
        every_new_ratings: Export after this many new ratings.
        on_exit: Export when the program exits, if anything changed since the last export.
        interval_days: Export when this many days have passed since the last export
            (checked now and on each rating).

    Returns:
        The `AutoExporter` (call `.stop()` to end it), or None when no rule is set.

    Raises:
        ValueError: a rule has an unusable value.
    """
    every_new_ratings = _positive("every_new_ratings", every_new_ratings, int)
    interval_days = _positive("interval_days", interval_days, float)
    with _active_lock:
        previous = _active.pop(tracker, None)
        if previous is not None:
            previous.stop()
        if not (every_new_ratings or on_exit or interval_days):
            return None
        folder = Path(out_dir).expanduser().absolute()
        exporter = AutoExporter(tracker, folder, every_new_ratings=every_new_ratings,
                                on_exit=bool(on_exit), interval_days=interval_days)
        _active[tracker] = exporter
    state = settings.load_settings(tracker.data_dir).get(SETTINGS_KEY) or {}
    state.update(out_dir=str(folder), every_new_ratings=every_new_ratings, on_exit=bool(on_exit),
                 interval_days=interval_days)
    try:
        settings.update_settings(tracker.data_dir, **{SETTINGS_KEY: state})
    except OSError as exc:
        log.warning("prompt-tracking: cannot save the auto export settings: %s", exc)
    if exporter.interval_due():
        exporter.trigger()
    return exporter
