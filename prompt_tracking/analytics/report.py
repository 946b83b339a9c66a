"""Plain-text reports of the analytics and of a prompt assessment, for the CLI to print."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterable

from prompt_tracking.analytics.columns import Bucket

if TYPE_CHECKING:
    from prompt_tracking.analytics.analysis import Analytics
    from prompt_tracking.risk.model import PromptAssessment

_TOP = 5


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _stars(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _bucket_line(b: Bucket) -> str:
    return f"  {b.label:<20} n={b.n:<6} success {_pct(b.success_rate):>4}  avg {_stars(b.avg_rating)}"


def _date(ts: float | None) -> str:
    if ts is None:
        return "-"
    try:
        return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):   # a stored time no date can hold
        return "?"


def _section(title: str, lines: Iterable[str]) -> list[str]:
    return ["", title, "-" * len(title), *lines]


def _overview_lines(a: Analytics) -> list[str]:
    o = a.overview
    lines = [f"  records {o.total} ({_date(o.first_timestamp)} to {_date(o.last_timestamp)}), "
             f"success {_pct(o.success_rate)}, rated {_pct(o.share_rated)}, avg rating {_stars(o.avg_rating)}",
             "  models: " + ", ".join(f"{m} ({n})" for m, n in o.models.items())]
    recent = o.over_time[-_TOP:]
    if recent:
        lines.append(f"  last {len(recent)} {o.period}s:")
        lines.extend(_bucket_line(b) for b in recent)
    return lines


def _quality_lines(a: Analytics) -> list[str]:
    q = a.quality
    lines = ["  ratings " + "  ".join(f"{k}*: {v}" for k, v in q.distribution.items()),
             f"  high (4-5) n={q.high} vs low (1-3) n={q.low}:"]
    lines.extend(f"    {t.trait:<20} {_stars(t.mean_a)} vs {_stars(t.mean_b)}" for t in q.high_vs_low)
    lines.append("  success and rating by model:")
    lines.extend(_bucket_line(b) for b in q.by_model)
    return lines


def _failure_lines(a: Analytics) -> list[str]:
    f = a.failures
    lines = [f"  failures {f.total}: " + ", ".join(f"{r} {n}" for r, n in f.by_reason.items())]
    lines.extend(f"  {m:<20} failure rate {_pct(rate)}" for m, rate in f.rate_by_model.items())
    lines.append("  failed vs successful (mean):")
    lines.extend(f"    {t.trait:<20} {_stars(t.mean_a)} vs {_stars(t.mean_b)}"
                 for t in f.failed_vs_successful)
    lines.extend(f"  error {e.error_code} ({e.provider}, HTTP {e.http_status}): {e.count}"
                 for e in f.error_codes[:_TOP])
    return lines


def _usage_lines(a: Analytics) -> list[str]:
    u, r = a.usage, a.usage.retries
    lines = ["  save methods:", *(_bucket_line(b) for b in u.save_methods)]
    for name, buckets in u.characteristics.items():
        lines.append(f"  by {name.replace('_', ' ')}:")
        lines.extend(_bucket_line(b) for b in buckets)
    lines.append(f"  retries: {r.retried} of {r.failures} failures retried ({_pct(r.retry_rate)}), "
                 f"{r.edited} edited; retry success {_pct(r.retry_success_rate)}; "
                 f"{r.recovered} of {r.chains} failure chains recovered, "
                 f"mean tries to success {r.mean_tries_to_success or '-'}")
    return lines


def _pattern_lines(a: Analytics) -> list[str]:
    p = a.patterns
    lines = []
    for reason, terms in p.by_failure_reason.items():
        if terms:
            lines.append(f"  {reason}: " + ", ".join(
                f"'{t.term}' {t.count}/{t.total} (z={t.z:.1f})" for t in terms[:_TOP]))
    for label, terms in (("any failure", p.failure_terms), ("high ratings", p.high_rating),
                         ("low ratings", p.low_rating)):
        if terms:
            lines.append(f"  {label}: " + ", ".join(f"'{t.term}' (z={t.z:.1f})" for t in terms[:_TOP]))
    lines.extend(f"  note: {note}" for note in p.notes)
    if p.risk_model:
        lines.append("  risk model: " + ", ".join(f"{k}={v}" for k, v in p.risk_model.items()))
    return lines


def format_analytics_text(analytics: Analytics) -> str:
    """A readable multi-section report of an `Analytics`."""
    lines = ["Prompt analytics"]
    lines += _section("Overview", _overview_lines(analytics))
    lines += _section("Quality", _quality_lines(analytics))
    lines += _section("Failures", _failure_lines(analytics))
    lines += _section("Usage", _usage_lines(analytics))
    lines += _section("Parameters", (f"  [{p.model}] {p.suggestion}" for p in analytics.parameters
                                     if p.kind != "identifier"))
    lines += _section("Patterns", _pattern_lines(analytics))
    if analytics.extra:
        lines += _section("Extra", (f"  {name}: {value}" for name, value in analytics.extra.items()))
    return "\n".join(lines) + "\n"


def format_assessment_text(assessment: PromptAssessment) -> str:
    """A readable report of a `PromptAssessment`."""
    a = assessment
    lines = [f"Assessment for {a.ai_model}: {a.prompt[:80]!r}"]
    if a.abstained:
        lines.append(f"  no prediction: {a.abstain_reason}")
    else:
        reasons = ", ".join(f"{r} {p:.0%}" for r, p in a.reason_probabilities.items())
        lines.append(f"  failure risk {_pct(a.failure_probability)}; if it fails: {reasons or '-'}")
        lines.append(f"  expected rating {_stars(a.expected_rating)}")
        lines.extend(f"  - {e}" for e in a.explanations)
    for s in a.similar_failures:
        lines.append(f"  similar failure ({s['similarity']:.0%} alike, {s['failure_reason']}): "
                     f"{s['prompt'][:70]!r}")
    q = a.model_quality
    if "failure_auc" in q:
        lines.append(f"  model quality on held-out history: AUC {q['failure_auc']}, accuracy "
                     f"{q['accuracy']} vs {q['accuracy_base_rate']} always guessing, n={q['held_out']}")
    return "\n".join(lines) + "\n"
