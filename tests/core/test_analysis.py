"""compute_analytics on small hand-written histories (numbers checked by hand) and on synthetic ones."""
from __future__ import annotations

import json
import logging
from collections import Counter

import pytest

from prompt_tracking.analytics.analysis import (compute_analytics, format_analytics_text, register_analysis,
                                      registered_analyses, unregister_analysis)
from prompt_tracking.analytics.parameters import analyse_parameters
from prompt_tracking.analytics.columns import RecordColumns
from prompt_tracking.analytics.patterns import log_odds_scores
from prompt_tracking.text import extract_terms
from prompt_tracking.records import PromptRecord, prompt_metadata
from prompt_tracking.synthetic.history import generate_records
from prompt_tracking.synthetic import vocab as V

DAY = 86_400
T0 = 1_699_920_000.0  # 2023-11-14 00:00 UTC


def rec(i, t, prompt, model="m1", ok=True, *, reason=None, rating=None, save=None, params=None,
        session="s1", code=None, status=None, provider="byteplus"):
    meta = prompt_metadata(prompt, params)
    meta["session_id"] = session
    if not ok:
        meta.update(error_code=code, http_status=status, provider=provider if code else None)
    return PromptRecord(id=f"r{i}", timestamp=T0 + t, prompt=prompt, ai_model=model, success=ok,
                        save_method=save if ok else None, model_parameters=params or {},
                        error_message=None if ok else f"{reason} error", failure_reason=reason,
                        quality_rating=rating, metadata=meta)


@pytest.fixture
def small():
    """Eight records over three days; retries in s1 (edited) and s2 (identical, then edited)."""
    return [
        rec(1, 0, "red fox, forest", rating=5, save="user_save"),
        rec(2, 60, "red fox, gore", ok=False, reason="content_filter",
            code="content_policy_violation", status=400),
        rec(3, 120, "red fox, mystery", rating=4, save="auto"),
        rec(4, DAY, "city skyline, neon", "m2", False, reason="timeout", code="timeout", status=504,
            session="s2"),
        rec(5, DAY + 60, "city skyline, neon", "m2", False, reason="timeout", code="timeout",
            status=504, session="s2"),
        rec(6, DAY + 120, "city skyline, neon, night", "m2", rating=2, save="manual", session="s2"),
        rec(7, DAY + 200, "a cat", ok=False, reason="rate_limit", code="rate_limit_exceeded",
            status=429, session="s2"),
        rec(8, 2 * DAY, "a cat", rating=3, save="auto", session="s3"),
    ]


def test_overview_counts_rates_and_days(small):
    o = compute_analytics(small).overview
    assert (o.total, o.successes, o.failures, o.success_rate) == (8, 4, 4, 0.5)
    assert (o.rated, o.share_rated, o.avg_rating) == (4, 0.5, 3.5)
    assert o.models == {"m1": 5, "m2": 3}
    assert o.period == "day"
    assert [(b.label, b.n, b.successes, b.avg_rating) for b in o.over_time] == [
        ("2023-11-14", 3, 2, 4.5), ("2023-11-15", 4, 1, 2.0), ("2023-11-16", 1, 1, 3.0)]


def test_quality_distribution_high_vs_low_and_by_model(small):
    q = compute_analytics(small).quality
    assert q.distribution == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}
    assert (q.high, q.low) == (2, 2)
    traits = {t.trait: t for t in q.high_vs_low}
    assert (traits["characters"].mean_a, traits["characters"].mean_b) == (15.5, 15.0)
    assert (traits["words"].mean_a, traits["words"].mean_b) == (3.0, 3.0)
    by_model = {b.label: (b.n, b.success_rate, b.rated, b.avg_rating) for b in q.by_model}
    assert by_model == {"m1": (5, 0.6, 3, 4.0), "m2": (3, 0.3333, 1, 2.0)}


def test_failures_by_reason_model_and_error_code(small):
    f = compute_analytics(small).failures
    assert f.total == 4
    assert list(f.by_reason.items()) == [("timeout", 2), ("content_filter", 1), ("rate_limit", 1)]
    assert f.by_model_and_reason == {"m1": {"content_filter": 1, "rate_limit": 1}, "m2": {"timeout": 2}}
    assert f.rate_by_model == {"m1": 0.4, "m2": 0.6667}
    words = next(t for t in f.failed_vs_successful if t.trait == "words")
    assert (words.mean_a, words.mean_b, words.n_a, words.n_b) == (2.75, 3.0, 4, 4)
    assert [(e.error_code, e.http_status, e.count) for e in f.error_codes] == [
        ("timeout", 504, 2), ("content_policy_violation", 400, 1), ("rate_limit_exceeded", 429, 1)]


def test_usage_save_methods_and_retries(small):
    u = compute_analytics(small).usage
    assert [(b.label, b.n, b.avg_rating) for b in u.save_methods] == [
        ("auto", 2, 3.5), ("manual", 1, 2.0), ("user_save", 1, 5.0)]
    assert [(b.label, b.n, b.successes) for b in u.characteristics["words"]] == [("1-5", 8, 4)]
    r = u.retries
    assert (r.failures, r.retried, r.retry_rate, r.edited, r.identical) == (4, 3, 0.75, 2, 1)
    assert r.retry_success_rate == 0.6667
    assert (r.chains, r.recovered, r.abandoned) == (3, 2, 1)  # r7 -> r8 crosses sessions
    assert r.tries_to_success == {"2": 1, "3": 1}
    assert r.mean_tries_to_success == 2.5


def test_filters_by_model_time_and_outcome(small):
    assert compute_analytics(small, models=["m2"]).overview.total == 3
    assert compute_analytics(small, since=T0 + DAY, until=T0 + 2 * DAY).overview.total == 4
    assert compute_analytics(small, outcome="failure").overview.successes == 0
    with pytest.raises(ValueError):
        compute_analytics(small, outcome="failed")


def test_reads_any_object_with_a_records_method(small):
    class FakeTracker:
        calls = []

        def records(self, models=None, outcome=None, since=None, until=None, newest_first=True):
            self.calls.append(dict(models=models, outcome=outcome, since=since, until=until))
            return iter(reversed(small))

    tracker = FakeTracker()
    analytics = compute_analytics(tracker, models=["m1"], since=T0)
    assert tracker.calls == [dict(models=["m1"], outcome=None, since=T0, until=None)]
    assert analytics.overview.total == 5
    assert analytics.filters["models"] == ["m1"]


def test_empty_history_gives_empty_sections_and_valid_json():
    analytics = compute_analytics([])
    assert analytics.overview.total == 0 and analytics.overview.success_rate is None
    assert json.loads(analytics.to_json())["failures"]["total"] == 0
    assert "Overview" in format_analytics_text(analytics)


def test_analytics_round_trip_through_json(small):
    data = json.loads(compute_analytics(small).to_json())
    assert set(data) >= {"overview", "quality", "failures", "usage", "parameters", "patterns", "extra"}
    assert data["usage"]["retries"]["tries_to_success"] == {"2": 1, "3": 1}


@pytest.fixture
def registry():
    before = registered_analyses()
    yield
    for name in registered_analyses():
        if name not in before:
            unregister_analysis(name)


def test_registered_analysis_results_land_in_extra(small, registry):
    register_analysis("prompt_count", lambda records: {"n": len(records)})
    assert compute_analytics(small).extra["prompt_count"] == {"n": 8}


def test_a_failing_analysis_is_logged_and_reported_without_stopping_others(small, registry, caplog):
    register_analysis("broken", lambda records: 1 / 0)
    register_analysis("not_json", lambda records: {1, 2})
    register_analysis("fine", lambda records: "ok")
    with caplog.at_level(logging.ERROR):
        extra = compute_analytics(small).extra
    assert extra["broken"] == {"error": "ZeroDivisionError: division by zero"}
    assert extra["not_json"]["error"].startswith("TypeError")
    assert extra["fine"] == "ok"
    assert "broken" in caplog.text
    with pytest.raises(TypeError):
        register_analysis("nope", 42)


def test_log_odds_matches_the_hand_computed_z_score():
    scores = log_odds_scores(Counter(a=4, b=1), Counter(a=1, b=4), prior_strength=0.1, z_min=0)
    # alpha_a = 0.5, a0 = 1: delta = log(4.5/1.5) - log(1.5/4.5), var = 1/4.5 + 1/1.5
    assert [(s.term, s.z, s.log_odds, s.count, s.total) for s in scores] == [("a", 2.331, 2.197, 4, 5)]


def test_terms_are_words_and_in_segment_pairs_without_stop_words_or_numbers():
    assert set(extract_terms("A red fox in a snowy forest, blood splatter, (masterpiece:1.2)")) == {
        "red", "fox", "red fox", "snowy", "forest", "snowy forest", "blood", "splatter",
        "blood splatter", "masterpiece"}


def _params_history(values_and_outcomes, name="steps"):
    return [rec(i, i, "a prompt", ok=ok, reason=None if ok else "timeout",
                params={name: v, "seed": 1000 + i}) for i, (v, ok) in enumerate(values_and_outcomes)]


def test_parameter_values_are_grouped_and_the_bad_one_flagged():
    records = _params_history([(20, True)] * 10 + [(60, True)] * 3 + [(60, False)] * 7)
    cols = RecordColumns.from_records(records)
    reports = {p.parameter: p for p in analyse_parameters(records, cols.success, cols.rating, min_samples=5)}
    steps = reports["steps"]
    assert [(b.label, b.n, b.success_rate) for b in steps.bins] == [("20", 10, 1.0), ("60", 10, 0.3)]
    assert steps.flagged == ["60"]
    assert steps.suggestion == "steps 20: 100% success of 10 tries vs 60: 30% success of 10 tries"
    assert reports["seed"].kind == "identifier"


def test_numeric_parameters_are_cut_where_failures_start():
    records = _params_history([(float(v), v <= 30) for v in range(1, 41)], "guidance_scale")
    cols = RecordColumns.from_records(records)
    (report,) = [p for p in analyse_parameters(records, cols.success, cols.rating, min_samples=5)
                 if p.parameter == "guidance_scale"]
    assert [(b.label, b.n) for b in report.bins] == [("1-30", 30), ("31-40", 10)]
    assert report.flagged == ["31-40"]


def test_no_suggestion_below_the_minimum_sample_size():
    records = _params_history([(20, True), (60, False)])
    cols = RecordColumns.from_records(records)
    (steps,) = [p for p in analyse_parameters(records, cols.success, cols.rating, min_samples=30)
                if p.parameter == "steps"]
    assert steps.suggestion.startswith("steps: not enough data") and steps.flagged == []


@pytest.fixture(scope="module")
def synthetic_analytics():
    return compute_analytics(generate_records(8000, seed=4))


def test_planted_content_filter_terms_rank_on_top(synthetic_analytics):
    top = synthetic_analytics.patterns.by_failure_reason["content_filter"][:3]
    assert {t.term for t in top} == set(V.CONTENT_FILTER_TERMS)
    assert all(t.z > 5 and t.count / t.total > 0.6 for t in top)


def test_planted_terms_mark_failed_prompts(synthetic_analytics):
    top = {t.term for t in synthetic_analytics.patterns.failure_terms[:3]}
    assert top == set(V.CONTENT_FILTER_TERMS)


def test_compute_is_pure_and_takes_one_shot_iterators(small):
    before = [r.to_dict() for r in small]
    analytics = compute_analytics(iter(small), models=iter(["m1"]))
    assert analytics.overview.total == 5 and analytics.filters["models"] == ["m1"]
    assert [r.to_dict() for r in small] == before


def test_planted_high_rating_term_ranks_first(synthetic_analytics):
    assert synthetic_analytics.patterns.high_rating[0].term == V.HIGH_RATING_TERM


def _lowest_value(label):
    return float(label.split("-")[0])


def test_planted_parameter_limits_are_flagged(synthetic_analytics):
    reports = {(p.model, p.parameter): p for p in synthetic_analytics.parameters}
    guidance = reports[("seedream-4.0", "guidance_scale")]
    assert guidance.flagged and all(_lowest_value(b) > 15 for b in guidance.flagged)
    assert any(f"vs {label}: " in guidance.suggestion for label in guidance.flagged)
    steps = reports[("seedream-4.0", "steps")]
    assert steps.flagged and all(_lowest_value(b) > 50 for b in steps.flagged)
    assert reports[("seedream-4.0", "seed")].kind == "identifier"


def test_text_report_has_every_section(synthetic_analytics):
    text = format_analytics_text(synthetic_analytics)
    for title in ("Overview", "Quality", "Failures", "Usage", "Parameters", "Patterns"):
        assert f"\n{title}\n" in text
    assert "'gore'" in text


def test_records_with_missing_or_odd_metadata_are_analysed():
    bare = PromptRecord(id="x1", timestamp=T0, prompt="a cat", ai_model="m1", success=True,
                        quality_rating=4, model_parameters={"steps": [1, 2]})
    odd = PromptRecord(id="x2", timestamp=T0 + 1, prompt="a dog", ai_model="m1", success=False,
                       failure_reason=None, metadata={"words": "two", "characters": None})
    analytics = compute_analytics([bare, odd])
    assert analytics.overview.total == 2
    assert analytics.failures.by_reason == {"unknown": 1}
    assert analytics.parameters == []  # a list value has nothing to bin
    json.loads(analytics.to_json())
