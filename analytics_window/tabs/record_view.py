"""The Records tab's model: which records, in what order, on which page (no Tk here).

100,000 records are never all in the Treeview: the view keeps an index list (filtered by
prompt text, sorted by a column) and hands out one page at a time.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from prompt_tracking import PromptRecord

PAGE_SIZE = 200
COLUMNS: dict[str, tuple[str, int]] = {
    "time": ("time", 130), "model": ("model", 140), "outcome": ("outcome", 70),
    "reason": ("failure reason", 130), "rating": ("rating", 70), "saved": ("kept", 50),
    "prompt": ("prompt", 520)}
SORT_KEYS: dict[str, Callable[[PromptRecord], Any]] = {
    "time": lambda r: r.timestamp,
    "model": lambda r: r.ai_model,
    "outcome": lambda r: r.success,
    "reason": lambda r: r.failure_reason or "",
    "rating": lambda r: r.quality_rating or 0,
    "saved": lambda r: r.save_method == "user_save",
    "prompt": lambda r: r.prompt.casefold(),
}


def _equals(stars: int) -> Callable[[int | None], bool]:
    return lambda rating: rating == stars


# The browser's rating filter: label -> test of a record's rating.
RATING_FILTERS: dict[str, Callable[[int | None], bool] | None] = {
    "Any rating": None,
    "Unrated": lambda r: not r,
    "Rated": lambda r: bool(r),
    "4★ or more": lambda r: (r or 0) >= 4,
    "2★ or less": lambda r: 0 < (r or 0) <= 2,
    **{f"{n}★": _equals(n) for n in range(1, 6)},
}
ANY_TAG = "Any tag"


def row_values(record: PromptRecord) -> tuple[str, ...]:
    """The cells of one record's row."""
    when = dt.datetime.fromtimestamp(record.timestamp).strftime("%Y-%m-%d %H:%M")
    rating = "★" * record.quality_rating if record.quality_rating else ""
    return (when, record.ai_model, "ok" if record.success else "failed",
            (record.failure_reason or "").replace("_", " "), rating,
            "yes" if record.save_method == "user_save" else "",
            " ".join(record.prompt.split())[:240])


class RecordView:
    """Filter, sort and page a list of records (newest first as given)."""

    def __init__(self, records: list[PromptRecord]) -> None:
        self.records = records
        self.text = ""
        self.rating = "Any rating"
        self.tag = ANY_TAG
        self.comment = ""
        self.sort_column = "time"
        self.descending = True
        self.page = 0
        self.order: list[int] = list(range(len(records)))

    def set_records(self, records: list[PromptRecord]) -> None:
        """New data; keeps the text filter, sort and (when still valid) the page."""
        self.records = records
        self._rebuild()

    def set_text(self, text: str) -> None:
        self.text = text.strip().casefold()
        self.page = 0
        self._rebuild()

    def set_filters(self, *, rating: str | None = None, tag: str | None = None,
                    comment: str | None = None) -> None:
        """The browser's own filters (the window's bar filters model, dates and outcome).

        Args:
            rating: a key of `RATING_FILTERS`.
            tag: a tag the record must carry, or `ANY_TAG`.
            comment: text the record's comment must contain (any case).
        """
        if rating is not None:
            if rating not in RATING_FILTERS:
                raise ValueError(f"rating filter must be one of {list(RATING_FILTERS)}")
            self.rating = rating
        if tag is not None:
            self.tag = tag or ANY_TAG
        if comment is not None:
            self.comment = comment.strip().casefold()
        self.page = 0
        self._rebuild()

    def tags(self) -> list[str]:
        """Every tag in the records, most used first."""
        counts: dict[str, int] = {}
        for record in self.records:
            for tag in record.tags or ():
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts, key=lambda t: (-counts[t], t))

    def position(self, record_id: str) -> int | None:
        """Where `record_id` is in the current order, or None."""
        records = self.records
        return next((n for n, i in enumerate(self.order)
                     if i < len(records) and records[i].id == record_id), None)

    def show_position(self, position: int) -> None:
        """Turn to the page holding `position`."""
        self.page = min(max(0, position // PAGE_SIZE), self.pages - 1)

    def sort_by(self, column: str) -> None:
        """Sort by `column`; the same column again flips the direction."""
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column, self.descending = column, column in ("time", "rating")
        self.page = 0
        self._rebuild()

    def _rebuild(self) -> None:
        records = self.records
        tests: list[Callable[[PromptRecord], bool]] = []
        if self.text:
            needle = self.text
            tests.append(lambda r: needle in r.prompt.casefold())
        rating = RATING_FILTERS.get(self.rating)
        if rating is not None:
            tests.append(lambda r: rating(r.quality_rating))
        if self.tag != ANY_TAG:
            tag = self.tag
            tests.append(lambda r: tag in (r.tags or ()))
        if self.comment:
            words = self.comment
            tests.append(lambda r: words in (r.feedback or "").casefold())
        if tests:
            order = [i for i, r in enumerate(records) if all(test(r) for test in tests)]
        else:
            order = list(range(len(records)))
        if not (self.sort_column == "time" and self.descending):  # given newest first already
            key = SORT_KEYS[self.sort_column]
            order.sort(key=lambda i: key(records[i]), reverse=self.descending)
        self.order = order
        self.page = min(self.page, max(0, self.pages - 1))

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.order) // PAGE_SIZE))

    def move(self, step: int) -> bool:
        """Go `step` pages on; False when already at that end."""
        target = min(max(0, self.page + step), self.pages - 1)
        changed, self.page = target != self.page, target
        return changed

    def page_records(self) -> list[PromptRecord]:
        start = self.page * PAGE_SIZE
        records = self.records  # emptied in place once replaced (see window._record_lists)
        return [records[i] for i in self.order[start:start + PAGE_SIZE] if i < len(records)]

    def describe(self) -> str:
        """'Rows 201-400 of 100,000' (or 'No records')."""
        if not self.order:
            filtered = self.text or self.comment or self.tag != ANY_TAG or self.rating != "Any rating"
            return "No records" + (" match the filters" if filtered else "")
        start = self.page * PAGE_SIZE
        end = min(start + PAGE_SIZE, len(self.order))
        return f"Rows {start + 1:,}-{end:,} of {len(self.order):,}"
