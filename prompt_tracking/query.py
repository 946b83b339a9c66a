"""`RecordQuery`: the filters records can be read with, as SQL and as a Python predicate.

The same query runs against the database (`to_sql`) and against records still waiting in
memory (`matches`), so reads see every record whether or not it has reached the disk.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterable
from typing import Any

from prompt_tracking.records import FailureReason, PromptRecord


def to_epoch(value: Any, *, name: str) -> float | None:
    """Epoch seconds from None, a number, a datetime/date, or an ISO 8601 string.

    Raises:
        ValueError: `value` is none of those.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a datetime, ISO string or epoch seconds, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.astimezone()
        return value.timestamp()
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day).astimezone().timestamp()
    if isinstance(value, str):
        try:
            return to_epoch(_dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")),
                            name=name)
        except ValueError:
            pass
    raise ValueError(f"{name} must be a datetime, ISO string or epoch seconds, got {value!r}")


def _as_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclasses.dataclass(frozen=True)
class RecordQuery:
    """Filters for reading records; every field is optional and they combine with AND."""

    models: tuple[str, ...] | None = None
    outcome: str | None = None                # "success" | "failure"
    min_rating: int | None = None
    max_rating: int | None = None
    rated: bool | None = None
    failure_reasons: tuple[str, ...] | None = None
    since: float | None = None
    until: float | None = None
    text: str | None = None
    ids: tuple[str, ...] | None = None

    @classmethod
    def build(cls, *, models: str | Iterable[str] | None = None, outcome: str | bool | None = None,
              min_rating: int | None = None, max_rating: int | None = None,
              rated: bool | None = None,
              failure_reason: str | FailureReason | Iterable[str | FailureReason] | None = None,
              since: Any = None, until: Any = None, text: str | None = None,
              ids: Iterable[str] | None = None) -> RecordQuery:
        """Validate user-facing filter arguments into a query.

        Raises:
            ValueError: an argument has an unusable value; the message names it.
        """
        if outcome is True:
            outcome = "success"
        elif outcome is False:
            outcome = "failure"
        if outcome is not None:
            outcome = {"successful": "success", "failed": "failure"}.get(outcome, outcome)
            if outcome not in ("success", "failure"):
                raise ValueError(f"outcome must be 'success' or 'failure', got {outcome!r}")
        for name, value in (("min_rating", min_rating), ("max_rating", max_rating)):
            if value is not None and (isinstance(value, bool) or value not in range(1, 6)):
                raise ValueError(f"{name} must be an integer from 1 to 5, got {value!r}")
        reasons = None
        if failure_reason is not None:
            items = [failure_reason] if isinstance(failure_reason, (str, FailureReason)) \
                else list(failure_reason)
            reasons = tuple(FailureReason.coerce(r).value for r in items)
        return cls(models=_as_tuple(models), outcome=outcome, min_rating=min_rating,
                   max_rating=max_rating, rated=rated, failure_reasons=reasons,
                   since=to_epoch(since, name="since"), until=to_epoch(until, name="until"),
                   text=text or None, ids=_as_tuple(ids))

    def to_sql(self) -> tuple[str, list[Any]]:
        """A WHERE clause (without the keyword; '1' when empty) and its `?` parameters."""
        clauses: list[str] = []
        params: list[Any] = []

        def any_of(column: str, values: tuple[str, ...]) -> None:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})" if values else "0")
            params.extend(values)

        if self.models is not None:
            any_of("ai_model", self.models)
        if self.outcome is not None:
            clauses.append("success = ?")
            params.append(1 if self.outcome == "success" else 0)
        if self.min_rating is not None:
            clauses.append("quality_rating >= ?")
            params.append(self.min_rating)
        if self.max_rating is not None:
            clauses.append("quality_rating <= ?")
            params.append(self.max_rating)
        if self.rated is not None:
            clauses.append("quality_rating IS NOT NULL" if self.rated else "quality_rating IS NULL")
        if self.failure_reasons is not None:
            any_of("failure_reason", self.failure_reasons)
        if self.since is not None:
            clauses.append("timestamp >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("timestamp < ?")
            params.append(self.until)
        if self.text:
            clauses.append("instr(lower(prompt), ?) > 0")
            params.append(self.text.lower())
        if self.ids is not None:
            any_of("id", self.ids)
        return (" AND ".join(clauses) or "1"), params

    def matches(self, record: PromptRecord) -> bool:
        """The same filter as `to_sql`, for a record in memory."""
        rating = record.quality_rating
        checks = (
            self.models is None or record.ai_model in self.models,
            self.outcome is None or record.success == (self.outcome == "success"),
            self.min_rating is None or (rating is not None and rating >= self.min_rating),
            self.max_rating is None or (rating is not None and rating <= self.max_rating),
            self.rated is None or (rating is not None) == self.rated,
            self.failure_reasons is None or record.failure_reason in self.failure_reasons,
            self.since is None or record.timestamp >= self.since,
            self.until is None or record.timestamp < self.until,
            not self.text or self.text.lower() in record.prompt.lower(),
            self.ids is None or record.id in self.ids,
        )
        return all(checks)
