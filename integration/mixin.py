"""`TrackingMixin`: the explicit style, for layouts that prefer to write the log calls.

A layout that mixes it in logs in its own outcome code and then calls
`show_quality_rating(result_url)`, as in the seed's "Example Integration Code". The
mixin wraps the class's start method (`tracking_start_method`) so that the prompt is
captured when the user clicks, and `log_success(None, ...)` called later from a worker
thread logs that prompt, not whatever the field holds by then. A failure re-points the
stars at the failed record (disabled: failed results are not rated). The rating step
also finds records logged straight through `enhanced_prompt_tracker`, by their result
URL. Like the rest of the integration, nothing here raises into the host.
"""
from __future__ import annotations

import functools
import logging
import threading
import tkinter as tk
from collections.abc import Callable
from typing import Any

from .extract import clean_prompt
from .host import attach_rating_widget, default_prompt_getter, find_anchor_widget, resolve_tracker
from .pending import _live_thread_ids
from .tk_thread import TkDispatcher

log = logging.getLogger(__name__)
LOOKBACK = 50  # recent records searched for a result URL
MAX_CAPTURES = 20  # starts remembered per layout
_capturing = threading.local()


class TrackingMixin:
    """Adds `log_success`, `log_failure` and `show_quality_rating` to a host layout.

    Class attributes a layout may set: `tracker` (None: the default tracker),
    `tracking_model` (the model name logged), `tracking_start_method` (the method that
    starts a generation, whose click captures the prompt; default "process_model"),
    `rating_parent` (where the inline widget goes; None: the layout when it is a widget,
    else the window of the first widget it holds).
    """

    tracker: Any = None
    tracking_model: str = "unknown"
    tracking_start_method: str = "process_model"
    rating_parent: tk.Misc | None = None
    quality_rating_widget: Any = None
    last_record_id: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.tracking_start_method
        method = cls.__dict__.get(name)
        if callable(method) and not getattr(method, "_tracking_wrapped", False):
            setattr(cls, name, _capturing_start(method))

    def log_success(self, prompt: Any = None, result_url: Any = None, *,
                    model: str | None = None, parameters: Any = None, **options: Any) -> str | None:
        """Log a successful generation; `prompt` None uses the prompt captured when the
        generation started (else reads the layout's prompt widget, on the Tk thread).

        Returns:
            The record id (also kept as `last_record_id`), or None if logging failed.
        """
        return self._tracking_log(True, prompt, model, parameters, result_url=result_url, **options)

    def log_failure(self, prompt: Any = None, error_message: Any = None, *,
                    model: str | None = None, parameters: Any = None, **options: Any) -> str | None:
        """Log a failed generation (error as text, exception or dict); returns the record id.

        The rating widget then shows the failed record (disabled), from any thread.
        """
        record_id = self._tracking_log(False, prompt, model, parameters,
                                       error_message=error_message, **options)
        if record_id is not None:
            self._tracking_on_tk(lambda: self.show_quality_rating(record_id=record_id))
        return record_id

    def show_quality_rating(self, result_url: Any = None, *, record_id: str | None = None) -> Any:
        """Show the inline rating widget for a result; Tk thread only.

        Args:
            result_url: the result just shown; its record is found among the recent ones.
            record_id: the record to rate, when known (wins over `result_url`).

        Returns:
            The `QualityRatingWidget` (created on first use and reused), or None.
        """
        try:
            record_id = record_id or self._tracking_record_for(result_url)
            if record_id is None:
                log.info("prompt-tracking: no record for %r to rate", result_url)
                return None
            if self.quality_rating_widget is None:
                parent = self._tracking_container()
                if parent is None:
                    log.warning("prompt-tracking: %s holds no Tk widget to show the rating "
                                "in; set rating_parent", type(self).__name__)
                    return None
                self.quality_rating_widget = attach_rating_widget(
                    parent, resolve_tracker(self.tracker))
            self.quality_rating_widget.set_record(record_id)
            return self.quality_rating_widget
        except Exception:
            log.exception("prompt-tracking: could not show the rating")
            return None

    # -- internals -------------------------------------------------------------------------

    def _tracking_container(self) -> tk.Misc | None:
        if self.rating_parent is not None:
            return self.rating_parent
        if isinstance(self, tk.Misc):
            return self
        anchor = find_anchor_widget(self)
        return anchor.winfo_toplevel() if anchor is not None else None

    def _tracking_started(self) -> None:
        """Tk thread, as the start method begins: capture the prompt it will send."""
        try:
            prompt = clean_prompt(default_prompt_getter(self)())
        except Exception:
            log.exception("prompt-tracking: could not read the prompt at the start")
            return
        captures = self.__dict__.setdefault("_tracking_captures", [])
        captures.append([prompt, set(), _live_thread_ids()])
        del captures[:-MAX_CAPTURES]
        if self.__dict__.get("_tracking_dispatcher") is None:
            anchor = self._tracking_container()
            if anchor is not None:
                self._tracking_dispatcher = TkDispatcher(anchor)

    def _tracking_start_returned(self) -> None:
        captures = self.__dict__.get("_tracking_captures") or []
        if captures:
            capture = captures[-1]
            capture[1] = _live_thread_ids() - capture[2]

    def _tracking_captured_prompt(self) -> str | None:
        captures = list(self.__dict__.get("_tracking_captures") or ())
        thread_id = threading.get_ident()
        for prompt, threads, _ in reversed(captures):
            if thread_id in threads:
                return prompt
        return captures[-1][0] if captures else None

    def _tracking_on_tk(self, work: Callable[[], Any]) -> None:
        dispatcher = self.__dict__.get("_tracking_dispatcher")
        if dispatcher is not None:
            dispatcher.call_soon(work)
        elif threading.current_thread() is threading.main_thread():
            work()

    def _tracking_log(self, success: bool, prompt: Any, model: str | None, parameters: Any,
                      **options: Any) -> str | None:
        try:
            if prompt is None:
                prompt = self._tracking_captured_prompt()
            if prompt is None and threading.current_thread() is threading.main_thread():
                prompt = default_prompt_getter(self)()
            tracker = resolve_tracker(self.tracker)
            method = tracker.log_successful_prompt if success else tracker.log_failed_prompt
            record_id = method(clean_prompt(prompt), model or self.tracking_model,
                               model_parameters=parameters, **options)
        except Exception:
            log.exception("prompt-tracking: could not log the generation")
            return None
        self.last_record_id = record_id
        return record_id

    def _tracking_record_for(self, result_url: Any) -> str | None:
        tracker = resolve_tracker(self.tracker)
        last = self.last_record_id
        if last is not None:
            record = tracker.get_record(last)
            if record is not None and (result_url is None or _same_url(record.result_url, result_url)):
                return last
        if result_url is None:
            return None
        for record in tracker.records(outcome="success", limit=LOOKBACK):
            if _same_url(record.result_url, result_url):
                return record.id
        return None


def _capturing_start(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` wrapped to capture the inputs when it runs (outermost call only)."""
    @functools.wraps(method)
    def start(self: TrackingMixin, *args: Any, **kwargs: Any) -> Any:
        if getattr(_capturing, "active", False):
            return method(self, *args, **kwargs)  # a subclass's start calling super()
        _capturing.active = True
        try:
            try:
                self._tracking_started()
            except Exception:
                log.exception("prompt-tracking: could not capture the start")
            return method(self, *args, **kwargs)
        finally:
            _capturing.active = False
            try:
                self._tracking_start_returned()
            except Exception:
                log.exception("prompt-tracking: could not finish capturing the start")
    start._tracking_wrapped = True  # type: ignore[attr-defined]
    return start


def _same_url(stored: str | None, given: Any) -> bool:
    """Stored URLs have their secrets masked, so compare the given one masked too."""
    from prompt_tracking.privacy.redact import redact_url

    return stored is not None and stored in (str(given), redact_url(str(given)))
