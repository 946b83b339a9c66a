"""The headless analytics engine: `compute_analytics` and the `Analytics` it returns.

`compute_analytics` reads the records once (from a list or from anything with a
`.records(...)` method, such as the tracker), and returns plain dataclasses that convert to
JSON. It is a pure function: it reads the registry of extra analyses but changes no global
state, so it can run on a worker thread while the Tk thread keeps drawing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
from typing import Any, Callable, Iterable

from prompt_tracking.analytics.columns import RecordColumns
from prompt_tracking.analytics.db_source import database_sections
from prompt_tracking.analytics.sql import Filters
from prompt_tracking.analytics.parameters import ParameterReport, analyse_parameters, collect_parameters
from prompt_tracking.analytics.patterns import Patterns, TermCache, find_patterns
from prompt_tracking.records import PromptRecord
from prompt_tracking.analytics.report import format_analytics_text, format_assessment_text
from prompt_tracking.analytics.retries import analyse_retries
from prompt_tracking.risk.model import PromptAssessment, RiskModel
from prompt_tracking.analytics.sections import (Failures, Overview, Quality, Usage, compute_failures, compute_overview,
                       compute_quality, compute_usage, numeric_parameters)

__all__ = ["Analytics", "PromptAssessment", "RiskModel", "assess_prompt", "compute_analytics",
           "format_analytics_text", "format_assessment_text", "load_records", "register_analysis",
           "registered_analyses", "unregister_analysis", "MIN_SAMPLES"]

logger = logging.getLogger(__name__)
MIN_SAMPLES = 30
_OUTCOMES = (None, "success", "failure")
_ANALYSES: dict[str, Callable[[list[PromptRecord]], Any]] = {}

TimeBound = float | int | dt.datetime | None


@dataclasses.dataclass
class Analytics:
    """Everything the stats command and the analytics window show, as plain data."""

    generated_at: float
    filters: dict[str, Any]
    min_samples: int
    overview: Overview
    quality: Quality
    failures: Failures
    usage: Usage
    parameters: list[ParameterReport]
    patterns: Patterns
    extra: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Nested dicts and lists of JSON types."""
        return dataclasses.asdict(self)

    def to_json(self, **kwargs: Any) -> str:
        """The analytics as a JSON document (`kwargs` go to `json.dumps`, e.g. indent=2)."""
        return json.dumps(self.to_dict(), **kwargs)


def register_analysis(name: str, fn: Callable[[list[PromptRecord]], Any]) -> None:
    """Run `fn(records)` with every `compute_analytics`; its result lands in `Analytics.extra[name]`.

    The result must be JSON-serializable. An exception in `fn` is logged and reported as
    `{"error": "..."}` instead of stopping the other analyses. Registering a name again
    replaces the earlier function.

    Raises:
        TypeError: `fn` is not callable.
        ValueError: `name` is empty.
    """
    if not callable(fn):
        raise TypeError(f"analysis {name!r} must be callable, got {type(fn).__name__}")
    if not name or not isinstance(name, str):
        raise ValueError("analysis name must be a non-empty string")
    _ANALYSES[name] = fn


def unregister_analysis(name: str) -> None:
    """Remove a registered analysis (no error when it is not registered)."""
    _ANALYSES.pop(name, None)


def registered_analyses() -> list[str]:
    """Names of the registered analyses, in registration order."""
    return list(_ANALYSES)


def _epoch(value: TimeBound) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    return float(value)


def load_records(source: Iterable[PromptRecord] | Any, *, models: Iterable[str] | None = None,
                 since: TimeBound = None, until: TimeBound = None,
                 outcome: str | None = None) -> list[PromptRecord]:
    """The records of `source` that pass the filters (since inclusive, until exclusive).

    Raises:
        ValueError: `outcome` is not None, "success" or "failure".
    """
    if outcome not in _OUTCOMES:
        raise ValueError(f"outcome must be one of {_OUTCOMES}, got {outcome!r}")
    wanted = set(models) if models is not None else None
    start, end = _epoch(since), _epoch(until)
    if callable(getattr(source, "records", None)):
        source = source.records(models=sorted(wanted) if wanted is not None else None,  # type: ignore[union-attr]
                                outcome=outcome, since=start, until=end)
    # Filtered again here so any source (a list, a partial store query) gives the same answer.
    return [r for r in source
            if (wanted is None or r.ai_model in wanted)
            and (start is None or r.timestamp >= start) and (end is None or r.timestamp < end)
            and (outcome is None or r.outcome == outcome)]


def _run_extra(records: list[PromptRecord],
               analyses: dict[str, Callable[[list[PromptRecord]], Any]]) -> dict[str, Any]:
    """Results of the registered analyses; one failing reports an error and the rest still run."""
    extra: dict[str, Any] = {}
    for name, fn in analyses.items():
        try:
            result = fn(list(records))
            json.dumps(result)
        except Exception as exc:  # a plugin must not break the analytics
            logger.exception("analysis %r failed", name)
            result = {"error": f"{type(exc).__name__}: {exc}"}
        extra[name] = result
    return extra


def compute_analytics(source: Iterable[PromptRecord] | Any, *, models: Iterable[str] | None = None,
                      since: TimeBound = None, until: TimeBound = None, outcome: str | None = None,
                      min_samples: int = MIN_SAMPLES, include_risk_model: bool = False) -> Analytics:
    """Compute all analytics for the records of `source` that pass the filters.

    Args:
        source: An iterable of PromptRecord, or an object with a `.records(models=, outcome=,
            since=, until=)` method (the tracker).
        models: Only these models.
        since: Only records at or after this time (epoch seconds or datetime; naive is UTC).
        until: Only records before this time.
        outcome: "success", "failure" or None for both.
        min_samples: Smallest group a rate, term list or suggestion is based on.
        include_risk_model: Also fit the risk model and report its held-out quality in
            `patterns.risk_model` (adds up to about a second on large histories).

    Returns:
        An `Analytics`; with no records the sections hold zeros and empty lists.

    Raises:
        ValueError: `outcome` is not None, "success" or "failure".
    """
    analyses = dict(_ANALYSES)  # a snapshot, so registering meanwhile cannot change this run
    models = sorted(set(models)) if models is not None else None  # may be a one-shot iterator
    if outcome not in _OUTCOMES:
        raise ValueError(f"outcome must be one of {_OUTCOMES}, got {outcome!r}")
    start, end = _epoch(since), _epoch(until)
    filters = {"models": models, "since": start, "until": end, "outcome": outcome}
    if not analyses:  # registered analyses take records, so they need the record path
        sections = database_sections(source, Filters(
            tuple(models) if models is not None else None, start, end, outcome),
            min_samples=min_samples)
        if sections is not None:
            patterns = sections["patterns"]
            if include_risk_model:
                patterns.risk_model = _risk_summary(load_records(
                    source, models=models, since=since, until=until, outcome=outcome))
            return Analytics(generated_at=time.time(), filters=filters, min_samples=min_samples,
                             extra={}, **sections)
    records = load_records(source, models=models, since=since, until=until, outcome=outcome)
    cols = RecordColumns.from_records(records)
    cache = TermCache()
    collected = collect_parameters(records)
    patterns = find_patterns(records, cache, min_samples=min_samples)
    if include_risk_model:
        patterns.risk_model = _risk_summary(records)
    return Analytics(
        generated_at=time.time(),
        filters={"models": models, "since": _epoch(since),
                 "until": _epoch(until), "outcome": outcome},
        min_samples=min_samples, overview=compute_overview(cols), quality=compute_quality(cols),
        failures=compute_failures(cols, numeric_parameters(cols, collected)),
        usage=compute_usage(cols, analyse_retries(records, cache)),
        parameters=analyse_parameters(records, cols.success, cols.rating, min_samples=min_samples,
                                      collected=collected),
        patterns=patterns, extra=_run_extra(records, analyses))


def _risk_summary(records: list[PromptRecord]) -> dict[str, Any]:
    model = RiskModel.fit(records)
    return {"abstained": model.featurizer is None, "abstain_reason": model.abstain_reason,
            **model.quality}


def assess_prompt(source: Iterable[PromptRecord] | Any, prompt: str, ai_model: str,
                  model_parameters: dict[str, Any] | None = None) -> PromptAssessment:
    """Fit the risk model on all records of `source` and assess one planned request.

    For repeated assessments keep a `RiskModel.fit(records)` and call its `assess`.
    """
    return RiskModel.fit(load_records(source)).assess(prompt, ai_model, model_parameters)
