"""What the GUI needs of a tracker, as `typing.Protocol`s (private: not API).

The core owns no GUI types, so the GUI states its own needs: any object with these methods
(an `EnhancedPromptTracker`, a host's wrapper around one, a test double) can back the rating
widgets (`RatingTracker`) or the analytics window (`AnalyticsTracker`). Each method is one
the GUI actually calls, with the arguments it passes.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from prompt_tracking import PromptRecord


class RatingTracker(Protocol):
    """What the star bar, the inline rating widget, the dialog and the prompter call."""

    def get_record(self, record_id: str) -> PromptRecord | None: ...

    def rate_prompt(self, record_id: str, rating: int, feedback: str | None = None,
                    tags: Iterable[str] | None = None) -> None: ...

    def clear_rating(self, record_id: str) -> None: ...

    def mark_saved(self, record_id: str, save_method: str = "user_save") -> None: ...


class AnalyticsTracker(RatingTracker, Protocol):
    """What the analytics window calls: the rating calls, plus reading and correcting records.

    `revision` must change whenever a record does (the window polls it to refresh).
    """

    revision: int

    def records(self) -> Iterable[PromptRecord]: ...

    def set_failure_reason(self, record_id: str, reason: str) -> None: ...


__all__ = ["AnalyticsTracker", "RatingTracker"]
