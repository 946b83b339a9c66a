"""Records as numpy columns, and the `Bucket` row most analyses report.

Reading 100,000 records attribute by attribute is the slow part of any analysis, so it is
done once here; every section then works on arrays (grouping with `np.bincount`).
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np

from prompt_tracking.records import PromptRecord

TRAITS = ("characters", "words", "special_characters", "segments", "weight_syntax",
          "has_negative_prompt", "non_ascii")


@dataclasses.dataclass
class Bucket:
    """Outcome and rating of a group of records: a time period, a bin, a save method."""

    label: str
    n: int
    successes: int
    success_rate: float | None
    rated: int
    avg_rating: float | None


@dataclasses.dataclass
class RecordColumns:
    """The fields the analyses read, one array per field, in record order."""

    records: list[PromptRecord]
    timestamp: np.ndarray
    success: np.ndarray
    rating: np.ndarray  # float, NaN where unrated
    model: np.ndarray  # int codes into `models`
    models: list[str]
    reason: np.ndarray  # int codes into `reasons`, -1 for successes
    reasons: list[str]
    traits: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return len(self.records)

    @classmethod
    def from_records(cls, records: Sequence[PromptRecord]) -> RecordColumns:
        """Read the records once into arrays."""
        records = list(records)
        model_codes: dict[str, int] = {}
        reason_codes: dict[str, int] = {}
        model = [model_codes.setdefault(r.ai_model, len(model_codes)) for r in records]
        reason = [-1 if r.success else reason_codes.setdefault(r.failure_reason or "unknown",
                                                                len(reason_codes)) for r in records]
        table = _trait_table([r.metadata for r in records])
        traits = {name: table[:, k] for k, name in enumerate(TRAITS)}
        return cls(
            records=records,
            timestamp=_timestamps(records),
            success=np.fromiter((bool(r.success) for r in records), dtype=bool, count=len(records)),
            rating=np.fromiter((np.nan if r.quality_rating is None else r.quality_rating
                                for r in records), dtype=float, count=len(records)),
            model=np.asarray(model, dtype=np.int64), models=list(model_codes),
            reason=np.asarray(reason, dtype=np.int64), reasons=list(reason_codes),
            traits=traits)


def _trait_table(metas: list[dict]) -> np.ndarray:
    """records x TRAITS as floats, missing or None as 0.

    One pass over the metadata dicts: at 100k records they no longer fit in the CPU cache,
    and a pass per trait cost three times as much.
    """
    defaults = (0,) * len(TRAITS)
    try:
        table = np.array([tuple(map(m.get, TRAITS, defaults)) for m in metas], dtype=float)
    except (TypeError, ValueError):  # text in old metadata: convert value by value
        table = np.array([[_number(m.get(t)) for t in TRAITS] for m in metas], dtype=float)
    return np.nan_to_num(table.reshape(len(metas), len(TRAITS)))


def _number(value: object) -> float:
    try:
        return float(value or 0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def rate(part: float, whole: float) -> float | None:
    """part / whole rounded to 4 places, or None for an empty whole."""
    return round(part / whole, 4) if whole else None


def mean_or_none(values: np.ndarray) -> float | None:
    """The mean ignoring NaN, rounded to 3 places, or None when nothing is left."""
    values = values[~np.isnan(values)]
    return round(float(values.mean()), 3) if values.size else None


def bucket(label: str, success: np.ndarray, rating: np.ndarray) -> Bucket:
    """A Bucket for the records selected into `success` and `rating` arrays."""
    rated = ~np.isnan(rating)
    n, ok, n_rated = int(success.size), int(success.sum()), int(rated.sum())
    return Bucket(label, n, ok, rate(ok, n), n_rated,
                  round(float(rating[rated].mean()), 3) if n_rated else None)


def group_buckets(codes: np.ndarray, labels: Sequence[str], cols: RecordColumns,
                  mask: np.ndarray | None = None) -> list[Bucket]:
    """One Bucket per code 0..len(labels)-1 (empty ones skipped), counted with bincount."""
    if mask is not None:
        codes, success, rating = codes[mask], cols.success[mask], cols.rating[mask]
    else:
        success, rating = cols.success, cols.rating
    size = len(labels)
    keep = codes >= 0
    codes, success, rating = codes[keep], success[keep], rating[keep]
    rated = ~np.isnan(rating)
    n = np.bincount(codes, minlength=size)
    ok = np.bincount(codes, weights=success, minlength=size)
    n_rated = np.bincount(codes[rated], minlength=size)
    sums = np.bincount(codes[rated], weights=rating[rated], minlength=size)
    return [Bucket(str(labels[i]), int(n[i]), int(ok[i]), rate(ok[i], n[i]), int(n_rated[i]),
                   round(float(sums[i] / n_rated[i]), 3) if n_rated[i] else None)
            for i in range(size) if n[i]]


# Stored times that no date can hold (1e299 s, negative, NaN: an old import, a host bug)
# are clipped to 1970-01-01 .. 9999-12-30, so every date computation and label works;
# the record still counts everywhere else.
TIME_MIN, TIME_MAX = 0.0, 253_402_214_400.0


def _as_float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return TIME_MIN


def _timestamps(records: Sequence[PromptRecord]) -> np.ndarray:
    try:
        ts = np.fromiter((r.timestamp for r in records), dtype=float, count=len(records))
    except (TypeError, ValueError, OverflowError):   # a value float() refuses: rare, slower
        ts = np.fromiter((_as_float(r.timestamp) for r in records), dtype=float,
                         count=len(records))
    return valid_times(ts)


def valid_times(ts: np.ndarray) -> np.ndarray:
    """Times clipped to what a date can hold (see TIME_MIN, TIME_MAX)."""
    return np.clip(np.nan_to_num(ts, nan=TIME_MIN, posinf=TIME_MAX, neginf=TIME_MIN),
                   TIME_MIN, TIME_MAX)


def plural(n: int, word: str) -> str:
    """'1 try', '2 tries', '1,200 ratings'."""
    if n == 1:
        return f"1 {word}"
    return f"{n:,} {word[:-1] + 'ies' if word.endswith('y') and word[-2:-1] not in 'aeiou' else word + 's'}"
