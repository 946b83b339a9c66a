"""Parameter suggestions never quote misleading figures: no average from a handful of
ratings, the rating count apart from the tries, never "(not set)" or "other" as the value
to pick; the record path and the database path say the same."""
from __future__ import annotations

import pytest

from prompt_tracking.analytics.analysis import compute_analytics, load_records
from prompt_tracking.analytics.db_source import database_sections
from prompt_tracking.analytics.sql import Filters
from prompt_tracking.records import PromptRecord, prompt_metadata
from prompt_tracking.tracker import EnhancedPromptTracker


def _records(spec):
    """spec: (params or None, successes, failures, ratings for the first successes)."""
    out, i = [], 0
    for params, ok, bad, ratings in spec:
        for k in range(ok + bad):
            success = k < ok
            rating = ratings[k] if success and k < len(ratings) else None
            out.append(PromptRecord(
                id=f"r{i:05d}", timestamp=1_700_000_000 + i * 60, prompt=f"a cat {i}",
                ai_model="m1", success=success, model_parameters=dict(params or {}),
                failure_reason=None if success else "timeout", quality_rating=rating,
                metadata=prompt_metadata(f"a cat {i}", params or {})))
            i += 1
    return out


def _suggestions(tmp_path, records, min_samples=30):
    tracker = EnhancedPromptTracker(tmp_path / "store", max_successful=None, max_failed=None)
    try:
        tracker.import_records(records)
        tracker.flush()
        by_records = compute_analytics(load_records(list(tracker.records())),
                                       min_samples=min_samples).parameters
        by_sql = database_sections(tracker, Filters(None, None, None, None),
                                   min_samples=min_samples)["parameters"]
    finally:
        tracker.close()
    assert [r.suggestion for r in by_sql] == [r.suggestion for r in by_records]
    return {r.parameter: r for r in by_records}


def test_an_average_of_two_ratings_is_not_quoted(tmp_path):
    reports = _suggestions(tmp_path, _records([
        ({"sampler": "euler"}, 38, 2, [5, 5]),       # best, but only two ratings
        ({"sampler": "ddim"}, 15, 25, [1] * 15),
    ]))
    text = reports["sampler"].suggestion
    assert text.startswith("sampler euler: 95% success of 40 tries")
    assert "avg" not in text.split(" vs ")[0]        # two ratings: no average quoted
    assert "ddim: 38% success of 40 tries" in text


def test_an_average_says_how_many_ratings_it_comes_from(tmp_path):
    reports = _suggestions(tmp_path, _records([
        ({"sampler": "euler"}, 38, 2, [4] * 12),
        ({"sampler": "ddim"}, 15, 25, []),
    ]))
    assert "euler: 95% success of 40 tries, avg 4.0 from 12 ratings" in reports["sampler"].suggestion


@pytest.mark.parametrize("unset_successes", [40, 39])
def test_not_set_is_never_the_suggested_value(tmp_path, unset_successes):
    reports = _suggestions(tmp_path, _records([
        (None, unset_successes, 40 - unset_successes, []),   # records without the parameter: best
        ({"sampler": "euler"}, 30, 10, []),
        ({"sampler": "ddim"}, 10, 30, []),
    ]))
    text = reports["sampler"].suggestion
    assert not text.startswith("sampler (not set)")
    assert text.startswith("sampler euler:")
    assert "(not set)" not in text.split(" vs ")[0]


def test_pluralised_counts(tmp_path):
    reports = _suggestions(tmp_path, _records([({"sampler": "euler"}, 1, 0, [])]))
    assert "(1 try, need 30" in reports["sampler"].suggestion
