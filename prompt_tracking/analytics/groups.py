"""Running group totals for the database analytics, and the record path's group order."""
from __future__ import annotations

from typing import Any

from prompt_tracking.analytics.columns import Bucket, rate


class NeedsRecords(Exception):
    """The answer depends on record order or values only the record path reproduces exactly."""


class Agg:
    """Running n, successes, rated and rating sum of a group: everything a Bucket needs."""

    __slots__ = ("n", "ok", "rated", "rsum")

    def __init__(self, n: int = 0, ok: int = 0, rated: int = 0, rsum: float = 0) -> None:
        self.n, self.ok, self.rated, self.rsum = n, ok, rated, rsum

    def add(self, n: int, ok: int, rated: int, rsum: float | None) -> None:
        self.n += n
        self.ok += ok or 0
        self.rated += rated
        self.rsum += rsum or 0

    def merge(self, other: Agg) -> None:
        self.add(other.n, other.ok, other.rated, other.rsum)

    def minus(self, other: Agg) -> Agg:
        return Agg(self.n - other.n, self.ok - other.ok, self.rated - other.rated,
                   self.rsum - other.rsum)

    def bucket(self, label: str) -> Bucket:
        return Bucket(label, int(self.n), int(self.ok), rate(self.ok, self.n), int(self.rated),
                      round(float(self.rsum / self.rated), 3) if self.rated else None)


def newest_first(groups: dict[Any, float], *, counts: dict[Any, int] | None = None) -> list[Any]:
    """Group keys in the order the record path meets them (newest record first).

    Raises:
        NeedsRecords: two groups share their newest time and the order matters (always
            without `counts`; with it, only between groups of equal count).
    """
    keys = sorted(groups, key=lambda k: -groups[k])
    for a, b in zip(keys, keys[1:]):
        if groups[a] == groups[b] and (counts is None or counts[a] == counts[b]):
            raise NeedsRecords("two groups share their newest timestamp")
    return keys
