"""Parameter reports from grouped rows (one per model, parameter, type and value).

The record path bins every value of a parameter; the bins only ever split between distinct
values, so the same cuts, quantiles and counts follow from a table of distinct values with
their counts. That table is what `sql.parameters` returns, whatever the number of records.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from prompt_tracking.analytics.columns import Bucket
from prompt_tracking.analytics.groups import Agg, NeedsRecords, newest_first
from prompt_tracking.analytics.parameters import (_CHI2_5PCT, _FEW_VALUES, _NOT_SET, _OTHER,
                                                  ParameterReport, _fmt, _suggest)
from prompt_tracking.analytics.sections import TraitComparison

_SCALAR_TYPES = {"integer", "real", "text", "true", "false"}
_NUMERIC_TYPES = {"integer", "real"}


def _python_value(kind: str, value: Any) -> Any:
    """The value as Python's json module would have decoded it."""
    if kind == "integer":
        return int(value)
    if kind == "real":
        return float(value)
    if kind in ("true", "false"):
        return kind == "true"
    return None if kind == "null" else str(value)


_decode = json.JSONDecoder().decode
_KINDS = {int: "integer", float: "real", str: "text"}


class ParamFold:
    """The rows of `sql.parameters`, folded in Python from each record's parameter JSON.

    SQLite can only GROUP BY the (record, parameter) rows of `json_each` by sorting them
    all, which costs more than decoding the JSON here with the decoder the record path
    uses (so values, duplicate keys and big numbers come out as the record path sees them).
    """

    def __init__(self) -> None:
        self.groups: dict[tuple, list] = {}

    def add(self, model: str, ok: int, rating: float | None, timestamp: float,
            text: str | None) -> None:
        """One record: its model, outcome, rating, time and `model_parameters` text.

        Raises:
            NeedsRecords: the parameters are not a JSON object.
        """
        if not text or text == "{}":
            return
        params = _decode(text)
        if type(params) is not dict:
            raise NeedsRecords("model_parameters is not a JSON object")
        groups, rated = self.groups, rating is not None
        for key, value in params.items():
            kind = _KINDS.get(type(value))
            if kind is None:
                kind = ("true" if value else "false") if type(value) is bool else (
                    "null" if value is None else "other")
                value = None if kind == "other" else value
            numeric = kind == "integer" or kind == "real"
            if "seed" in key.lower():
                group_key: tuple = (model, key, kind, None)
            else:
                group_key = (model, key, kind, value)
            g = groups.get(group_key)
            if g is None:
                g = groups[group_key] = [0, 0, 0, 0, timestamp, None, None]
            g[0] += 1
            g[1] += ok
            if rated:
                g[2] += 1
                g[3] += rating
            if timestamp > g[4]:
                g[4] = timestamp
            if numeric:
                slot = 6 if ok else 5
                g[slot] = value if g[slot] is None else g[slot] + value

    def rows(self) -> list[tuple]:
        """Rows shaped like those of `sql.parameters`, in its order (value sums add up
        in the same order, so they round the same)."""
        return [(*key, *values) for key, values in sorted(self.groups.items(), key=_order)]


def _order(item: tuple) -> tuple:
    model, key, kind, value = item[0]
    return (model, key, kind, 0 if value is None else 1, value if value is not None else 0)


class _Pair:
    """Everything known about one (model, parameter)."""

    def __init__(self) -> None:
        self.kinds: set[str] = set()
        self.total = Agg()
        self.values: list[tuple[str, Any, Any, float]] = []  # kind, raw value, Agg, newest
        self.sums = [0.0, 0.0]  # numeric values summed over failed, successful records
        self.numeric_n = [0, 0]

    @property
    def numeric(self) -> bool:
        return bool(self.kinds) and self.kinds <= _NUMERIC_TYPES


class ParamGroups:
    """The rows of `sql.parameters`, by (model, parameter)."""

    def __init__(self, rows: Any, per_model: dict[str, Any]) -> None:
        self.per_model = per_model
        self.pairs: dict[tuple[str, str], _Pair] = {}
        for model, key, kind, value, n, ok, rated, rsum, newest, fsum, ssum in rows:
            pair = self.pairs.get((model, key))
            if pair is None:
                pair = self.pairs[(model, key)] = _Pair()
            pair.kinds.add(kind)
            agg = Agg(n, ok or 0, rated, rsum or 0)
            pair.total.merge(agg)
            if kind in _NUMERIC_TYPES:
                pair.sums[0] += fsum or 0
                pair.sums[1] += ssum or 0
                pair.numeric_n[0] += n - (ok or 0)
                pair.numeric_n[1] += ok or 0
            if value is not None or kind == "null":
                pair.values.append((kind, value, agg, newest))

    def failed_vs_successful(self) -> list[TraitComparison]:
        """Numeric parameters (not seeds) of failed against successful records, by name."""
        found: dict[str, list[float]] = {}
        for (_, key), pair in self.pairs.items():
            if "seed" not in key and pair.numeric:
                slot = found.setdefault(key, [0.0, 0.0, 0, 0])
                slot[0] += pair.sums[0]
                slot[1] += pair.sums[1]
                slot[2] += pair.numeric_n[0]
                slot[3] += pair.numeric_n[1]
        return [TraitComparison(f"param:{key}",
                                round(float(a / n_a), 3) if n_a else None,
                                round(float(b / n_b), 3) if n_b else None, int(n_a), int(n_b))
                for key, (a, b, n_a, n_b) in sorted(found.items())]


def _chi2_cut(counts: np.ndarray, fails: np.ndarray, min_leaf: int) -> int | None:
    """`parameters._best_cut` on distinct values: how many distinct values go left."""
    n, total = int(counts.sum()), fails.sum()
    if n < 2 * min_leaf or total in (0, n) or counts.size < 2:
        return None
    left_n = np.cumsum(counts)[:-1].astype(float)
    left_f = np.cumsum(fails)[:-1].astype(float)
    right_n, right_f = n - left_n, total - left_f
    chi2 = n * (left_f * (right_n - right_f) - right_f * (left_n - left_f)) ** 2
    chi2 /= left_n * right_n * total * (n - total)
    valid = (left_n >= min_leaf) & (right_n >= min_leaf)
    if not valid.any():
        return None
    chi2[~valid] = -1
    best = int(np.argmax(chi2))
    return best + 1 if chi2[best] >= _CHI2_5PCT else None


def _cuts(counts: np.ndarray, fails: np.ndarray, min_leaf: int, depth: int = 2) -> list[int]:
    cut = _chi2_cut(counts, fails, min_leaf) if depth else None
    if cut is None:
        return []
    left = _cuts(counts[:cut], fails[:cut], min_leaf, depth - 1)
    right = _cuts(counts[cut:], fails[cut:], min_leaf, depth - 1)
    return left + [cut] + [cut + c for c in right]


def _numeric_bins(pair: _Pair, min_samples: int) -> list[Bucket]:
    merged: dict[float, Any] = {}
    for _, value, agg, _ in pair.values:
        merged.setdefault(float(value), Agg()).merge(agg)
    values = sorted(merged)
    aggs = [merged[v] for v in values]
    if len(values) <= _FEW_VALUES:
        return [agg.bucket(_fmt(v)) for v, agg in zip(values, aggs)]
    counts = np.array([a.n for a in aggs], dtype=np.int64)
    fails = np.array([a.n - a.ok for a in aggs], dtype=np.int64)
    cuts = _cuts(counts, fails, min_samples)
    if not cuts:
        n = int(counts.sum())
        positions = np.floor((n - 1) * np.asarray([0.25, 0.5, 0.75])).astype(np.intp)
        ends = np.cumsum(counts)
        cuts = sorted({int(np.searchsorted(ends, p, side="right")) + 1 for p in positions}
                      - {len(values)})
    bins = []
    for lo, hi in zip([0] + cuts, cuts + [len(values)]):
        agg = Agg()
        for a in aggs[lo:hi]:
            agg.merge(a)
        a_value, b_value = values[lo], values[hi - 1]
        bins.append(agg.bucket(_fmt(a_value) if a_value == b_value
                               else f"{_fmt(a_value)}-{_fmt(b_value)}"))
    return bins


def _categorical_bins(pair: _Pair, min_samples: int) -> list[Bucket]:
    merged: dict[str, Any] = {}
    newest: dict[str, float] = {}
    for kind, value, agg, t_max in pair.values:
        label = str(_python_value(kind, value))
        label = label.lower() if kind in ("true", "false") else label
        merged.setdefault(label, Agg()).merge(agg)
        newest[label] = max(t_max, newest.get(label, t_max))
    counts = {label: agg.n for label, agg in merged.items()}
    order = sorted(newest_first(newest, counts=counts), key=lambda k: -counts[k])
    bins, other = [], Agg()
    for label in order:
        if counts[label] >= min_samples:
            bins.append(merged[label].bucket(label))
        else:
            other.merge(merged[label])
    if other.n:
        bins.append(other.bucket(_OTHER))
    return bins


def _report(model: str, name: str, pair: _Pair, model_total: Any,
            min_samples: int) -> ParameterReport:
    n = pair.total.n
    distinct = len({float(v) for _, v, _, _ in pair.values}) if pair.numeric else 0
    if "seed" in name.lower() or (pair.numeric and n >= 100 and distinct > 0.9 * n):
        return ParameterReport(model, name, "identifier", n, [],
                               f"{name}: an identifier (random seed); not analysed", [])
    bins = (_numeric_bins(pair, min_samples) if pair.numeric
            else _categorical_bins(pair, min_samples))
    unset = model_total.minus(pair.total)
    if unset.n:
        bins.append(unset.bucket(_NOT_SET))
    suggestion, flagged = _suggest(name, bins, n, min_samples)
    return ParameterReport(model, name, "numeric" if pair.numeric else "categorical", n,
                           bins, suggestion, flagged)


def parameter_reports(groups: ParamGroups, models: list[str], *,
                      min_samples: int) -> list[ParameterReport]:
    """`parameters.analyse_parameters` from grouped rows (sorted by model, parameter)."""
    reports = []
    for (model, name), pair in sorted(groups.pairs.items()):
        if not pair.kinds <= _SCALAR_TYPES:
            continue  # lists, dicts, nulls: nothing to bin
        reports.append(_report(model, name, pair, groups.per_model[model], min_samples))
    return reports
