"""`TrackingMixin`: the explicit style, for layouts that prefer to write the log calls.

A layout that mixes it in logs in its own `after_processing` and then calls
`show_quality_rating(result_url)`, as in the seed's "Example Integration Code". The
rating step also finds records logged straight through `enhanced_prompt_tracker`,
by their result URL. Like the rest of the integration, nothing here raises into the host.
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any

from .extract import clean_prompt
from .host import attach_rating_widget, default_prompt_getter, resolve_tracker

log = logging.getLogger(__name__)
LOOKBACK = 50  # recent records searched for a result URL


class TrackingMixin:
    """Adds `log_success`, `log_failure` and `show_quality_rating` to a host layout.

    Class attributes a layout may set: `tracker` (None: the default tracker),
    `tracking_model` (the model name logged), `rating_parent` (where the inline widget
    goes; None: the layout itself, which must then be a widget).
    """

    tracker: Any = None
    tracking_model: str = "unknown"
    rating_parent: tk.Misc | None = None
    quality_rating_widget: Any = None
    last_record_id: str | None = None

    def log_success(self, prompt: Any = None, result_url: Any = None, *,
                    model: str | None = None, parameters: Any = None, **options: Any) -> str | None:
        """Log a successful generation; `prompt` None reads the layout's prompt widget.

        Returns:
            The record id (also kept as `last_record_id`), or None if logging failed.
        """
        return self._tracking_log(True, prompt, model, parameters, result_url=result_url, **options)

    def log_failure(self, prompt: Any = None, error_message: Any = None, *,
                    model: str | None = None, parameters: Any = None, **options: Any) -> str | None:
        """Log a failed generation (error as text, exception or dict); returns the record id."""
        return self._tracking_log(False, prompt, model, parameters, error_message=error_message,
                                  **options)

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
                parent = self.rating_parent or self
                self.quality_rating_widget = attach_rating_widget(
                    parent, resolve_tracker(self.tracker))
            self.quality_rating_widget.set_record(record_id)
            return self.quality_rating_widget
        except Exception:
            log.exception("prompt-tracking: could not show the rating")
            return None

    # -- internals -------------------------------------------------------------------------

    def _tracking_log(self, success: bool, prompt: Any, model: str | None, parameters: Any,
                      **options: Any) -> str | None:
        try:
            if prompt is None:
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


def _same_url(stored: str | None, given: Any) -> bool:
    """Stored URLs have their secrets masked, so compare the given one masked too."""
    from prompt_tracking.privacy.redact import redact_url

    return stored is not None and stored in (str(given), redact_url(str(given)))
