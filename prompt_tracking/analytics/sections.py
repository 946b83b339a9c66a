"""The descriptive sections of the analytics: overview, quality, failures and usage.

Each `compute_*` function takes the `RecordColumns` of one run and returns a plain
dataclass; nothing here reads a store or mutates shared state.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import numpy as np

from prompt_tracking.analytics.columns import (Bucket, RecordColumns, group_buckets, mean_or_none, rate,
                                               valid_times)
from prompt_tracking.analytics.parameters import ParameterValues, is_numeric
from prompt_tracking.analytics.retries import Retries

_DAY = 86_400


@dataclasses.dataclass
class Overview:
    """Totals, rates and activity over time (`period` is "day", "week" or "month")."""

    total: int
    successes: int
    failures: int
    success_rate: float | None
    rated: int
    share_rated: float | None
    avg_rating: float | None
    first_timestamp: float | None
    last_timestamp: float | None
    models: dict[str, int]
    period: str
    over_time: list[Bucket]


@dataclasses.dataclass
class TraitComparison:
    """The mean of one trait in two groups (named by the field holding the list)."""

    trait: str
    mean_a: float | None
    mean_b: float | None
    n_a: int
    n_b: int


@dataclasses.dataclass
class Quality:
    """Rating distribution, high (4-5) against low (1-3) prompts, success against rating by model."""

    distribution: dict[str, int]
    high: int
    low: int
    high_vs_low: list[TraitComparison]  # a = high, b = low
    by_model: list[Bucket]


@dataclasses.dataclass
class ErrorCodeCount:
    """How often a provider returned one error code."""

    provider: str | None
    error_code: str
    http_status: int | None
    count: int


@dataclasses.dataclass
class Failures:
    """Failure counts by reason and model, and how failed prompts differ from successful ones."""

    total: int
    by_reason: dict[str, int]
    by_model_and_reason: dict[str, dict[str, int]]
    rate_by_model: dict[str, float | None]
    failed_vs_successful: list[TraitComparison]  # a = failed, b = successful
    error_codes: list[ErrorCodeCount]


@dataclasses.dataclass
class Usage:
    """Save methods, prompt characteristics against outcome, and retries."""

    save_methods: list[Bucket]
    characteristics: dict[str, list[Bucket]]
    retries: Retries


def _period_codes(ts: np.ndarray) -> tuple[np.ndarray, list[str], str]:
    """Period index per record and the period labels, choosing day/week/month by span."""
    days = np.floor(valid_times(ts) / _DAY).astype(np.int64)  # the SQL path's days too
    span = int(days.max() - days.min()) if days.size else 0
    period = "day" if span <= 62 else "week" if span <= 730 else "month"
    unique_days, inverse = np.unique(days, return_inverse=True)
    keys = []
    for day in unique_days.tolist():
        date = dt.date(1970, 1, 1) + dt.timedelta(days=day)
        if period == "week":
            date -= dt.timedelta(days=date.weekday())
        keys.append(date.isoformat()[:7] if period == "month" else date.isoformat())
    labels = sorted(set(keys))
    index = {k: i for i, k in enumerate(labels)}
    day_to_period = np.array([index[k] for k in keys], dtype=np.int64)
    return day_to_period[inverse] if days.size else days, labels, period


def compute_overview(cols: RecordColumns) -> Overview:
    """Totals, success rate, share rated, average rating, and activity per period."""
    successes = int(cols.success.sum())
    rated = int((~np.isnan(cols.rating)).sum())
    codes, labels, period = _period_codes(cols.timestamp)
    counts = np.bincount(cols.model, minlength=len(cols.models))
    return Overview(
        cols.n, successes, cols.n - successes, rate(successes, cols.n), rated, rate(rated, cols.n),
        mean_or_none(cols.rating),
        float(cols.timestamp.min()) if cols.n else None,
        float(cols.timestamp.max()) if cols.n else None,
        {m: int(counts[i]) for i, m in sorted(enumerate(cols.models), key=lambda p: -counts[p[0]])},
        period, group_buckets(codes, labels, cols))


def _compare(cols: RecordColumns, mask_a: np.ndarray, mask_b: np.ndarray,
             extra: dict[str, np.ndarray] | None = None) -> list[TraitComparison]:
    """Trait means of group a against group b; `extra` adds columns with NaN for missing."""
    columns = dict(cols.traits, **(extra or {}))
    out = []
    for name, values in columns.items():
        a, b = values[mask_a], values[mask_b]
        out.append(TraitComparison(name, mean_or_none(a), mean_or_none(b),
                                   int((~np.isnan(a)).sum()), int((~np.isnan(b)).sum())))
    return out


def compute_quality(cols: RecordColumns) -> Quality:
    """Rating distribution; high against low prompts; success rate and rating per model."""
    rated = ~np.isnan(cols.rating)
    values = cols.rating[rated].astype(np.int64)
    counts = np.bincount(values, minlength=6)
    high, low = rated & (np.nan_to_num(cols.rating) >= 4), rated & (np.nan_to_num(cols.rating) <= 3)
    traits = [t for t in _compare(cols, high, low) if t.trait != "non_ascii"]
    return Quality({str(k): int(counts[k]) for k in range(1, 6)}, int(high.sum()), int(low.sum()),
                   traits, group_buckets(cols.model, cols.models, cols))


def numeric_parameters(cols: RecordColumns, collected: ParameterValues) -> dict[str, np.ndarray]:
    """Numeric parameter columns ("param:steps") over all models, NaN where a record lacks it."""
    found: dict[str, np.ndarray] = {}
    for (_, key), (values, idx) in collected.items():
        if "seed" not in key and is_numeric(values):
            column = found.get(key)
            if column is None:
                column = found[key] = np.full(cols.n, np.nan)
            column[idx] = values
    return {f"param:{k}": v for k, v in sorted(found.items())}


def _error_codes(cols: RecordColumns, top: int = 10) -> list[ErrorCodeCount]:
    """The most frequent (provider, error code, HTTP status) among failures."""
    counter: Counter = Counter()
    for record in cols.records:
        meta = record.metadata
        if not record.success and meta.get("error_code"):
            counter[(meta.get("provider"), str(meta["error_code"]), meta.get("http_status"))] += 1
    return [ErrorCodeCount(p, c, s, n) for (p, c, s), n in counter.most_common(top)]


def compute_failures(cols: RecordColumns, params: dict[str, np.ndarray]) -> Failures:
    """Counts by reason, the model x reason table, failure rate per model, failed vs successful."""
    failed = cols.reason >= 0
    by_reason = np.bincount(cols.reason[failed], minlength=len(cols.reasons))
    table = np.zeros((len(cols.models), len(cols.reasons)), dtype=np.int64)
    np.add.at(table, (cols.model[failed], cols.reason[failed]), 1)
    per_model = np.bincount(cols.model, minlength=len(cols.models))
    order = np.argsort(-by_reason, kind="stable")
    return Failures(
        int(failed.sum()),
        {cols.reasons[k]: int(by_reason[k]) for k in order},
        {m: {cols.reasons[k]: int(table[i, k]) for k in order if table[i, k]}
         for i, m in enumerate(cols.models)},
        {m: rate(table[i].sum(), per_model[i]) for i, m in enumerate(cols.models)},
        _compare(cols, failed, ~failed, params), _error_codes(cols))


_CHARACTERISTICS: dict[str, tuple[str, list[float], list[str]]] = {
    # name: (trait, right-open bin edges, labels incl. the one below the first edge)
    "words": ("words", [1, 6, 11, 21, 41], ["empty", "1-5", "6-10", "11-20", "21-40", "41+"]),
    "segments": ("segments", [2, 4, 7], ["0-1", "2-3", "4-6", "7+"]),
    "weight_syntax": ("weight_syntax", [1, 3], ["none", "1-2", "3+"]),
    "negative_prompt": ("has_negative_prompt", [1], ["no", "yes"]),
    "special_characters": ("special_characters", [1, 5, 11], ["0", "1-4", "5-10", "11+"]),
}


def compute_usage(cols: RecordColumns, retries: Retries) -> Usage:
    """Save methods with ratings, prompt characteristics against outcome, and retries."""
    names = ["auto", "manual", "user_save"]
    index = {name: i for i, name in enumerate(names)}
    codes = np.fromiter((index.get(r.save_method or "", -1) for r in cols.records),
                        dtype=np.int64, count=cols.n)
    characteristics = {
        name: group_buckets(np.digitize(cols.traits[trait], edges), labels, cols)
        for name, (trait, edges, labels) in _CHARACTERISTICS.items()}
    return Usage(group_buckets(codes, names, cols), characteristics, retries)

