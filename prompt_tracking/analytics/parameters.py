"""Model parameters against outcome: bins per parameter and model, and a suggestion for each.

Numeric values are cut where the failure rate changes most (chi-square splits with at least
`min_samples` records a side, up to four bins), or at quartiles when no cut is significant;
parameters with few distinct values, and text values, are grouped by value. Records that
lack the parameter form a "(not set)" group. Seeds and other identifiers are skipped.
"""
from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist
from typing import Any, Sequence

import numpy as np

from prompt_tracking.analytics.columns import Bucket, bucket, plural
from prompt_tracking.records import PromptRecord

_CHI2_5PCT = 3.841  # chi-square, 1 degree of freedom, p = 0.05
_FEW_VALUES = 6
_NOT_SET = "(not set)"
NOT_SET = _NOT_SET  # the label of the bin of records without the parameter
_OTHER = "other"  # rare values pooled: neither it nor "(not set)" is a value one can pick
MIN_RATINGS = 10  # fewest ratings an average is quoted from (capped at min_samples)


@dataclasses.dataclass
class ParameterReport:
    """One parameter on one model: its bins, a plain-language suggestion, the bins to avoid."""

    model: str
    parameter: str
    kind: str  # "numeric", "categorical" or "identifier"
    n: int
    bins: list[Bucket]
    suggestion: str
    flagged: list[str]


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.3g}"


def _best_cut(values: np.ndarray, failed: np.ndarray, min_leaf: int) -> int | None:
    """Index i (values sorted) splitting [:i] / [i:] with the largest significant chi-square."""
    n, total = values.size, failed.sum()
    if n < 2 * min_leaf or total in (0, n):
        return None
    left_n = np.arange(1, n, dtype=float)
    left_f = np.cumsum(failed)[:-1].astype(float)
    right_n, right_f = n - left_n, total - left_f
    chi2 = n * (left_f * (right_n - right_f) - right_f * (left_n - left_f)) ** 2
    chi2 /= left_n * right_n * total * (n - total)
    valid = (values[1:] != values[:-1]) & (left_n >= min_leaf) & (right_n >= min_leaf)
    chi2[~valid] = -1
    best = int(np.argmax(chi2))
    return best + 1 if chi2[best] >= _CHI2_5PCT else None


def _cuts(values: np.ndarray, failed: np.ndarray, min_leaf: int, depth: int = 2) -> list[int]:
    """Split positions found by recursive best cuts (at most 2**depth bins)."""
    cut = _best_cut(values, failed, min_leaf) if depth else None
    if cut is None:
        return []
    left = _cuts(values[:cut], failed[:cut], min_leaf, depth - 1)
    right = _cuts(values[cut:], failed[cut:], min_leaf, depth - 1)
    return left + [cut] + [cut + c for c in right]


def _numeric_groups(values: np.ndarray, min_leaf: int, failed: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(label, record positions) per numeric bin, labelled by the range of values inside."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    distinct = np.unique(ordered)
    if distinct.size <= _FEW_VALUES:
        return [(_fmt(v), order[ordered == v]) for v in distinct]
    cuts = _cuts(ordered, failed[order], min_leaf)
    if not cuts:
        edges = np.unique(np.quantile(ordered, [0.25, 0.5, 0.75], method="lower"))
        cuts = sorted({int(np.searchsorted(ordered, e, side="right")) for e in edges} - {0, ordered.size})
    groups = []
    for lo, hi in zip([0] + cuts, cuts + [ordered.size]):
        a, b = ordered[lo], ordered[hi - 1]
        groups.append((_fmt(a) if a == b else f"{_fmt(a)}-{_fmt(b)}", order[lo:hi]))
    return groups


def _categorical_groups(values: list[Any], min_samples: int) -> list[tuple[str, np.ndarray]]:
    """(label, positions) per value; values seen fewer than `min_samples` times go to "other"."""
    labels = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    groups, other = [], []
    for label, idx in sorted(by_label.items(), key=lambda p: -len(p[1])):
        (groups.append((label, np.array(idx))) if len(idx) >= min_samples else other.extend(idx))
    if other:
        groups.append((_OTHER, np.array(sorted(other))))
    return groups


def _z_two_proportions(a: Bucket, b: Bucket) -> float:
    """z-statistic of the difference between two success rates (pooled)."""
    pooled = (a.successes + b.successes) / (a.n + b.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    return 0.0 if se == 0 else (a.successes / a.n - b.successes / b.n) / se


def quotable_rating(b: Bucket, min_samples: int) -> bool:
    """True when the bin has enough ratings for its average to be worth quoting."""
    return b.avg_rating is not None and b.rated >= min(MIN_RATINGS, min_samples)


def _describe(b: Bucket, min_samples: int, with_rating: bool = True) -> str:
    """'20-50: 81% success of 1,028 tries, avg 3.4 from 212 ratings' (the rating only when
    enough results were rated: an average of one or two ratings says nothing)."""
    rating = ""
    if with_rating and quotable_rating(b, min_samples):
        rating = f", avg {b.avg_rating:.1f} from {plural(b.rated, 'rating')}"
    return f"{b.label}: {b.success_rate:.0%} success of {plural(b.n, 'try')}{rating}"


def _suggest(name: str, bins: list[Bucket], n: int, min_samples: int) -> tuple[str, list[str]]:
    """The plain-language suggestion, and the labels of bins significantly worse than the best.

    Only a real value is ever suggested: "(not set)" and the pooled "other" are compared
    with the others but never named as the best."""
    usable = [b for b in bins if b.n >= min_samples]
    pickable = [b for b in usable if b.label not in (_NOT_SET, _OTHER)]
    if n < min_samples or len(usable) < 2 or not pickable:
        return (f"{name}: not enough data for a suggestion ({plural(n, 'try')}, need "
                f"{min_samples} in at least two groups)", [])
    key = lambda b: (b.success_rate, b.avg_rating or 0.0)  # noqa: E731
    best, worst = max(pickable, key=key), min(usable, key=key)
    # Bonferroni: each bin is compared with the best, so the 5% level is split between them.
    z_crit = NormalDist().inv_cdf(1 - 0.025 / (len(usable) - 1))
    flagged = [b.label for b in usable if b is not best and _z_two_proportions(best, b) >= z_crit]
    if worst.label in flagged:
        return (f"{name} {_describe(best, min_samples)} vs "
                f"{_describe(worst, min_samples, False)}", flagged)
    rated = [b for b in usable if b.rated >= min_samples]
    if len(rated) >= 2 and any(b.label not in (_NOT_SET, _OTHER) for b in rated):
        top = max((b for b in rated if b.label not in (_NOT_SET, _OTHER)),
                  key=lambda b: b.avg_rating)  # type: ignore[arg-type,return-value]
        bottom = min(rated, key=lambda b: b.avg_rating)  # type: ignore[arg-type,return-value]
        if top.avg_rating - bottom.avg_rating >= 0.3:  # type: ignore[operator]
            return (f"{name} {top.label}: avg {top.avg_rating:.1f} from "
                    f"{plural(top.rated, 'rating')} vs {bottom.label}: avg "
                    f"{bottom.avg_rating:.1f} from {plural(bottom.rated, 'rating')}; "
                    "success about the same", [])
    low, high = min(b.success_rate for b in usable), max(b.success_rate for b in usable)  # type: ignore[type-var]
    return (f"{name}: no value stands out (success {low:.0%}-{high:.0%} over "
            f"{plural(n, 'try')})", [])


def _report(model: str, name: str, values: list[Any], idx: np.ndarray, unset: np.ndarray,
            success: np.ndarray, rating: np.ndarray, min_samples: int) -> ParameterReport:
    """Bins, suggestion and flags for one parameter on one model."""
    numeric = is_numeric(values)
    if "seed" in name.lower() or (numeric and len(values) >= 100
                                  and len(set(values)) > 0.9 * len(values)):
        return ParameterReport(model, name, "identifier", len(values), [],
                               f"{name}: an identifier (random seed); not analysed", [])
    ok, stars = success[idx], rating[idx]
    if numeric:
        groups = _numeric_groups(np.asarray(values, dtype=float), min_samples, ~ok)
    else:
        groups = _categorical_groups(values, min_samples)
    bins = [bucket(label, ok[pos], stars[pos]) for label, pos in groups]
    if unset.size:
        bins.append(bucket(_NOT_SET, success[unset], rating[unset]))
    suggestion, flagged = _suggest(name, bins, len(values), min_samples)
    return ParameterReport(model, name, "numeric" if numeric else "categorical", len(values),
                           bins, suggestion, flagged)


ParameterValues = dict[tuple[str, str], tuple[list[Any], list[int]]]
_SCALARS = {str, int, float, bool}


def collect_parameters(records: Sequence[PromptRecord]) -> ParameterValues:
    """Values and record positions of every (model, parameter) pair, in one pass."""
    seen: ParameterValues = {}
    for i, record in enumerate(records):
        model = record.ai_model
        for key, value in record.model_parameters.items():
            slot = seen.get((model, key))
            if slot is None:
                slot = seen[(model, key)] = ([], [])
            slot[0].append(value)
            slot[1].append(i)
    return seen


def is_numeric(values: list[Any]) -> bool:
    """All values are ints or floats (bools are not numbers here)."""
    kinds = set(map(type, values))
    return bool(kinds) and kinds <= {int, float}


def analyse_parameters(records: Sequence[PromptRecord], success: np.ndarray, rating: np.ndarray,
                       *, min_samples: int, collected: ParameterValues | None = None) -> list[ParameterReport]:
    """A ParameterReport for every parameter that occurs, per model (sorted by model, name).

    Args:
        records: The records (in the order of `success` and `rating`).
        success: Outcome per record.
        rating: Rating per record, NaN where unrated.
        min_samples: Smallest group a bin or a suggestion is based on.
        collected: `collect_parameters(records)` when the caller already has it.
    """
    collected = collect_parameters(records) if collected is None else collected
    models = np.array([r.ai_model for r in records], dtype=object)
    reports = []
    for (model, name), (values, idx) in sorted(collected.items()):
        if not set(map(type, values)) <= _SCALARS:
            continue  # lists, dicts: nothing to bin
        unset = np.setdiff1d(np.flatnonzero(models == model), np.array(idx), assume_unique=True)
        reports.append(_report(model, name, values, np.array(idx), unset, success, rating,
                               min_samples))
    return reports
