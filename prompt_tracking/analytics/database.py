"""The analytics sections computed from aggregate queries instead of loaded records.

`sections_from_database` runs the queries of `analytics.sql` on a DB-API connection and
builds the same `Overview`, `Quality`, `Failures`, `Usage`, parameter reports and
`Patterns` as the record path. Only term patterns and retries need single records; they
read a narrow stream (model, time, prompt, outcome, reason, rating, session) in batches,
so memory does not grow with the number of records.

The record path orders groups of equal size by the newest record in them (the order the
store returns records). Here that is the newest timestamp of each group; when two groups
that need ordering share it, `NeedsRecords` asks the caller to use the record path.
"""
from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from prompt_tracking.analytics import sql
from prompt_tracking.analytics.columns import TRAITS, Bucket, rate
from prompt_tracking.analytics.db_parameters import ParamFold, ParamGroups, parameter_reports
from prompt_tracking.analytics.groups import Agg, NeedsRecords, newest_first
from prompt_tracking.analytics.patterns import PatternCounter
from prompt_tracking.analytics.retries import RetryCounter
from prompt_tracking.analytics.sections import (_CHARACTERISTICS, ErrorCodeCount, Failures,
                                                Overview, Quality, TraitComparison, Usage,
                                                _period_codes)
from prompt_tracking.text import TermCache

STREAM_BATCH = 5000
_SAVE_METHODS = ["auto", "manual", "user_save"]


def _mean(total: float, n: int) -> float | None:
    return round(float(total / n), 3) if n else None


class _Cube:
    """The rows of `sql.cube`, summed the ways the sections need."""

    def __init__(self, rows: list[tuple]) -> None:
        self.rows = rows
        model_newest: dict[str, float] = {}
        self.per_model: dict[str, Agg] = {}
        self.reasons: dict[str, int] = {}
        reason_newest: dict[str, float] = {}
        self.table: dict[tuple[str, str], int] = {}
        self.save = {m: Agg() for m in _SAVE_METHODS}
        self.ratings: Counter = Counter()
        self.total = Agg()
        self.first: float | None = None
        self.last: float | None = None
        for model, ok, reason, rating, save, n, t_min, t_max in rows:
            ok_n, rated = (n if ok else 0), (n if rating is not None else 0)
            rsum = rating * n if rating is not None else 0
            model_newest[model] = max(t_max, model_newest.get(model, t_max))
            self.per_model.setdefault(model, Agg()).add(n, ok_n, rated, rsum)
            self.total.add(n, ok_n, rated, rsum)
            self.first = t_min if self.first is None else min(self.first, t_min)
            self.last = t_max if self.last is None else max(self.last, t_max)
            if rating is not None:
                self.ratings[rating] += n
            if save in self.save:
                self.save[save].add(n, ok_n, rated, rsum)
            if not ok:
                label = reason or "unknown"
                self.reasons[label] = self.reasons.get(label, 0) + n
                reason_newest[label] = max(t_max, reason_newest.get(label, t_max))
                self.table[(model, label)] = self.table.get((model, label), 0) + n
        self.models = newest_first(model_newest)
        self.reason_order = newest_first(reason_newest, counts=self.reasons)


def _overview(cube: _Cube, day_rows: list[tuple]) -> Overview:
    total = cube.total
    day_rows = sorted(day_rows)
    codes, labels, period = _period_codes(np.array([float(r[0]) * 86_400 for r in day_rows]))
    periods = [Agg() for _ in labels]
    for code, (_, n, ok, rated, rsum) in zip(codes.tolist(), day_rows):
        periods[code].add(n, ok, rated, rsum)
    counts = {m: cube.per_model[m].n for m in cube.models}
    return Overview(
        total.n, total.ok, total.n - total.ok, rate(total.ok, total.n), total.rated,
        rate(total.rated, total.n), _mean(total.rsum, total.rated),
        float(cube.first) if cube.first is not None else None,
        float(cube.last) if cube.last is not None else None,
        {m: counts[m] for m in sorted(cube.models, key=lambda m: -counts[m])}, period,
        [agg.bucket(label) for agg, label in zip(periods, labels) if agg.n])


class _Traits:
    """The rows of `sql.traits`: trait sums per outcome and rating, and characteristic bins."""

    def __init__(self, rows: list[tuple]) -> None:
        k = len(TRAITS)
        nbins = len(sql.BIN_EDGES)
        self.groups: dict[str, tuple[np.ndarray, list[int]]] = {
            g: (np.zeros(k), [0]) for g in ("high", "low", "failed", "succeeded")}
        self.bins: dict[str, dict[int, Agg]] = {name: {} for name in sql.BIN_EDGES}
        for row in rows:
            ok, rating = row[0], row[1]
            bins, n = row[2:2 + nbins], row[2 + nbins]
            values = row[3 + nbins:]
            sums = np.array([values[2 * i] or 0 for i in range(k)], dtype=float)
            if any(values[2 * i + 1] != n for i in range(k)):
                raise NeedsRecords("a prompt trait holds text, a list or a dict")
            names = ["succeeded" if ok else "failed"]
            if rating is not None:
                names.append("high" if rating >= 4 else "low" if rating <= 3 else "")
            for name in names:
                if name:
                    group = self.groups[name]
                    group[0].__iadd__(sums)
                    group[1][0] += n
            stats = (n, n if ok else 0, n if rating is not None else 0,
                     rating * n if rating is not None else 0)
            for name, code in zip(sql.BIN_EDGES, bins):
                self.bins[name].setdefault(int(code), Agg()).add(*stats)

    def compare(self, a: str, b: str) -> list[TraitComparison]:
        (sum_a, (n_a,)), (sum_b, (n_b,)) = self.groups[a], self.groups[b]
        return [TraitComparison(t, _mean(sum_a[i], n_a), _mean(sum_b[i], n_b), n_a, n_b)
                for i, t in enumerate(TRAITS)]

    def characteristics(self) -> dict[str, list[Bucket]]:
        out = {}
        for name, (_, _, labels) in _CHARACTERISTICS.items():
            found = self.bins[name]
            out[name] = [found[i].bucket(label) for i, label in enumerate(labels) if i in found]
        return out


def _quality(cube: _Cube, traits: _Traits) -> Quality:
    distribution = {str(k): 0 for k in range(1, 6)}
    for rating, n in cube.ratings.items():
        if 1 <= int(rating) <= 5:
            distribution[str(int(rating))] += n
    high = sum(n for r, n in cube.ratings.items() if r >= 4)
    low = sum(n for r, n in cube.ratings.items() if r <= 3)
    comparisons = [t for t in traits.compare("high", "low") if t.trait != "non_ascii"]
    return Quality(distribution, high, low, comparisons,
                   [cube.per_model[m].bucket(m) for m in cube.models])


def _decode(text: str) -> Any:
    return json.loads(text)


def _error_codes(rows: list[tuple], top: int = 10) -> list[ErrorCodeCount]:
    counts: dict[tuple, int] = {}
    newest: dict[tuple, float] = {}
    for provider, code, status, n, t_max in rows:
        code_value = _decode(code)
        if not code_value:
            continue
        key = (_decode(provider), str(code_value), _decode(status))
        counts[key] = counts.get(key, 0) + n
        newest[key] = max(t_max, newest.get(key, t_max))
    order = newest_first(newest, counts=counts)
    ranked = sorted(order, key=lambda k: -counts[k])[:top]
    return [ErrorCodeCount(p, c, s, counts[(p, c, s)]) for p, c, s in ranked]


def _failures(cube: _Cube, traits: _Traits, params: ParamGroups,
              error_rows: list[tuple]) -> Failures:
    reasons = sorted(cube.reason_order, key=lambda r: -cube.reasons[r])
    failed = cube.total.n - cube.total.ok
    comparisons = traits.compare("failed", "succeeded") + params.failed_vs_successful()
    return Failures(
        failed, {r: cube.reasons[r] for r in reasons},
        {m: {r: cube.table[(m, r)] for r in reasons if cube.table.get((m, r))}
         for m in cube.models},
        {m: rate(sum(cube.table.get((m, r), 0) for r in reasons), cube.per_model[m].n)
         for m in cube.models},
        comparisons, _error_codes(error_rows))


class BoundedTermCache(TermCache):
    """A TermCache that starts over when it holds too many prompts (memory stays flat)."""

    LIMIT = 10_000

    def terms(self, prompt: str) -> tuple[str, ...]:
        if len(self._prompts) > self.LIMIT:
            self._prompts.clear()
        if len(self._segments) > 2 * self.LIMIT:
            self._segments.clear()
        return super().terms(prompt)


#: Kept between runs: the analytics window recomputes after every change, and the terms of
#: a prompt never change. Bounded, and only ever holds what any run would compute again.
TERMS = BoundedTermCache()
_AGGREGATES = ("cube", "traits", "days", "error_codes")


class Fold:
    """The raw material of every section for some rows, in a form that adds up.

    `rows` holds the aggregate query rows by name (and "parameters"); `patterns` and
    `retries` are the counters fed by the stream; `n` counts the streamed records.
    """

    def __init__(self, rows: dict[str, list], patterns: PatternCounter, retries: RetryCounter,
                 n: int) -> None:
        self.rows, self.patterns, self.retries, self.n = rows, patterns, retries, n


def _stream(conn: Any, dialect: sql.Dialect, filters: sql.Filters,
            params: ParamFold | None = None,
            last: dict | None = None) -> tuple[PatternCounter, RetryCounter, int]:
    """Term counts and retries (and `params`, when given) from one pass over the stream.

    `last` is the retry state of the rows before these (see `RetryCounter.last`).
    """
    cache = TERMS
    patterns, retries = PatternCounter(), RetryCounter(cache)
    if last:
        retries.last.update(last)
    terms_of, add_terms, add_try = cache.terms, patterns.add, retries.add
    n = 0
    server_side = dialect.name == "postgresql"  # rows arrive in batches, not all at once
    if params is None:
        rows = sql.fetch(conn, sql.stream(dialect, filters), size=STREAM_BATCH,
                         server_side=server_side)
        for model, timestamp, prompt, ok, reason, rating, session in rows:
            n += 1
            if prompt:
                add_terms(terms_of(prompt), ok, reason, rating)
            add_try(model, timestamp, prompt, ok, session)
    else:
        add_params = params.add
        rows = sql.fetch(conn, sql.stream(dialect, filters, parameters=True), size=STREAM_BATCH,
                         server_side=server_side)
        for model, timestamp, prompt, ok, reason, rating, session, parameters in rows:
            n += 1
            if prompt:
                add_terms(terms_of(prompt), ok, reason, rating)
            add_try(model, timestamp, prompt, ok, session)
            add_params(model, ok, rating, timestamp, parameters)
    return patterns, retries, n


def _aggregates(conn: Any, dialect: sql.Dialect, filters: sql.Filters,
                names: tuple[str, ...]) -> dict[str, list]:
    return {name: sql.fetch(conn, getattr(sql, name)(dialect, filters)) for name in names}


def fold_database(conn: Any, dialect: sql.Dialect, filters: sql.Filters, *,
                  aggregate_conn: Any = None, pool: ThreadPoolExecutor | None = None,
                  last: dict | None = None) -> Fold:
    """The `Fold` of the rows that pass `filters`.

    Args:
        conn: A connection inside a read transaction.
        aggregate_conn: A second connection on the same snapshot, or None. When given (with
            `pool`), the aggregate queries run on it in the pool while this one streams the
            rows that patterns and retries need (sqlite3 and psycopg release the GIL).
        last: The retry state before these rows (the rows just before them in time).
    """
    # SQLite sorts to GROUP BY; folding the parameters into the stream is cheaper there.
    fold = ParamFold() if dialect.name == "sqlite" else None
    names = _AGGREGATES if fold is not None else (*_AGGREGATES, "parameters")
    if aggregate_conn is None or pool is None:
        found = _aggregates(conn, dialect, filters, names)
        patterns, retries, n = _stream(conn, dialect, filters, fold, last)
    else:
        future = pool.submit(_aggregates, aggregate_conn, dialect, filters, names)
        try:
            patterns, retries, n = _stream(conn, dialect, filters, fold, last)
        finally:
            found = future.result()
    if fold is not None:
        found["parameters"] = fold.rows()
    return Fold(found, patterns, retries, n)


def sections_from_fold(fold: Fold, *, min_samples: int) -> dict[str, Any]:
    """Every section of `Analytics` except the risk model and registered analyses.

    Raises:
        NeedsRecords: the record path is needed for an exact answer (see the module doc).
    """
    found = fold.rows
    cube = _Cube(found["cube"])
    traits = _Traits(found["traits"])
    params = ParamGroups(found["parameters"], {m: cube.per_model[m] for m in cube.models})
    save_methods = [cube.save[m].bucket(m) for m in _SAVE_METHODS if cube.save[m].n]
    return {
        "overview": _overview(cube, found["days"]),
        "quality": _quality(cube, traits),
        "failures": _failures(cube, traits, params, found["error_codes"]),
        "usage": Usage(save_methods, traits.characteristics(), fold.retries.result()),
        "parameters": parameter_reports(params, cube.models, min_samples=min_samples),
        "patterns": fold.patterns.result(fold.n, min_samples=min_samples),
    }


def sections_from_database(conn: Any, dialect: sql.Dialect, filters: sql.Filters, *,
                           min_samples: int, aggregate_conn: Any = None) -> dict[str, Any]:
    """The sections of the rows that pass `filters`, computed in one pass (no chunk cache).

    Raises:
        NeedsRecords: the record path is needed for an exact answer (see the module doc).
    """
    if aggregate_conn is None:
        return sections_from_fold(fold_database(conn, dialect, filters),
                                  min_samples=min_samples)
    with ThreadPoolExecutor(1, thread_name_prefix="analytics-sql") as pool:
        fold = fold_database(conn, dialect, filters, aggregate_conn=aggregate_conn, pool=pool)
    return sections_from_fold(fold, min_samples=min_samples)
