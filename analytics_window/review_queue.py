"""The review window's model: which results to review, in what order, and where we are (no Tk).

The queue holds the *successful* results of the filters that were unrated when it was
built, newest first. A result rated during the review stays in the queue (moving back shows
it with its rating) but is skipped when the review moves on to "the next unrated one".
Failed results never enter it: the rating widgets' one rule, `rating_allowed`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from prompt_tracking.widgets.rating_widget import rating_allowed

from prompt_tracking import PromptRecord

from .loader import Filters

_FILTER_KEYS = {"models", "model", "since", "until"}


def _epoch(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).timestamp()
    if isinstance(value, str):
        try:
            return _epoch(dt.datetime.fromisoformat(value.strip()), name)
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not an ISO date or time") from None
    raise ValueError(f"{name}: expected a date, datetime, ISO string or epoch seconds, "
                     f"got {type(value).__name__}")


def review_filters(**filters: Any) -> Filters:
    """The window's `Filters` from `open_review_window`'s keywords.

    Args:
        **filters: `models` (a name or several) or `model`, `since` and `until` (a date,
            datetime, ISO string or epoch seconds; `until` is exclusive).

    Raises:
        ValueError: an unknown keyword, or a value that is not usable (the message names it).
    """
    unknown = set(filters) - _FILTER_KEYS
    if unknown:
        raise ValueError(f"unknown review filter(s): {', '.join(sorted(unknown))} "
                         f"(use {', '.join(sorted(_FILTER_KEYS))})")
    models = filters.get("models", filters.get("model"))
    if isinstance(models, str):
        models = (models,)
    elif models is not None:
        models = tuple(str(m) for m in models)
    return Filters(models=models or None, since=_epoch(filters.get("since"), "since"),
                   until=_epoch(filters.get("until"), "until"), outcome="success")


def matching(records: Iterable[PromptRecord], filters: Filters) -> list[PromptRecord]:
    """The rateable records of `filters`, newest first."""
    models = set(filters.models) if filters.models else None
    chosen = [r for r in records if rating_allowed(r)
              and (models is None or r.ai_model in models)
              and (filters.since is None or r.timestamp >= filters.since)
              and (filters.until is None or r.timestamp < filters.until)]
    chosen.sort(key=lambda r: r.timestamp, reverse=True)
    return chosen


@dataclasses.dataclass
class ReviewQueue:
    """The results under review and the position in them.

    Args:
        items: the results that were unrated when the review started, newest first.
        total: every rateable result of the filters, rated or not.
    """

    items: list[PromptRecord]
    total: int
    index: int = 0

    @classmethod
    def build(cls, records: Iterable[PromptRecord], filters: Filters) -> ReviewQueue:
        chosen = matching(records, filters)
        return cls([r for r in chosen if not r.quality_rating], len(chosen))

    @property
    def current(self) -> PromptRecord | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    @property
    def unrated(self) -> int:
        return sum(1 for r in self.items if not r.quality_rating)

    @property
    def done(self) -> bool:
        """True when nothing is left to rate."""
        return self.unrated == 0

    def move(self, step: int) -> bool:
        """Go `step` results on or back (rated or not); False at either end."""
        target = self.index + step
        if not 0 <= target < len(self.items):
            return False
        self.index = target
        return True

    def next_unrated(self) -> int | None:
        """The position of the next unrated result after this one (wrapping), or None."""
        count = len(self.items)
        for offset in range(1, count + 1):
            position = (self.index + offset) % count
            if not self.items[position].quality_rating:
                return position
        return None

    def advance(self) -> bool:
        """Move to the next unrated result; False (and stay) when none is left."""
        position = self.next_unrated()
        if position is None:
            return False
        self.index = position
        return True

    def upcoming(self, count: int = 2) -> list[PromptRecord]:
        """The results the user will most likely see next (to prepare their images)."""
        found: list[PromptRecord] = []
        position = self.next_unrated()
        if position is not None:
            found.append(self.items[position])
        if self.index + 1 < len(self.items):
            found.append(self.items[self.index + 1])
        return found[:count]

    def progress(self) -> str:
        """'12 of 40 unrated · 29 left' (the position counts from the newest)."""
        if not self.items:
            return "Nothing to rate"
        return f"{self.index + 1:,} of {len(self.items):,} unrated · {self.unrated:,} left"

    def empty_text(self) -> str:
        """What the empty state says."""
        if self.total == 0:
            return "No successful results to rate for these filters"
        return f"All {self.total:,} rated"
