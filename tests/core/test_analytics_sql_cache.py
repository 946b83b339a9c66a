"""Database analytics reuse a result only while the SQLite file is unchanged."""
from __future__ import annotations

import itertools
import json
import sqlite3

import pytest

from prompt_tracking.analytics import db_cache
from prompt_tracking.analytics.analysis import compute_analytics
from prompt_tracking.synthetic.history import generate_records
from prompt_tracking.tracker import EnhancedPromptTracker


@pytest.fixture
def tracker(tmp_path):
    db_cache.clear()
    tracker = EnhancedPromptTracker(tmp_path / "store", max_successful=None, max_failed=None)
    tracker.import_records(generate_records(600, seed=3))
    assert tracker.flush(10)
    yield tracker
    tracker.close()
    db_cache.clear()


def _same_as_records(tracker) -> None:
    got = tracker.analytics(min_samples=5).to_dict()
    want = compute_analytics(list(tracker.records()), min_samples=5).to_dict()
    got.pop("generated_at"), want.pop("generated_at")
    assert json.dumps(got) == json.dumps(want)


def test_an_edit_by_the_tracker_is_seen_by_the_next_call(tracker):
    before = tracker.analytics().overview
    unrated = next(r for r in tracker.records() if r.quality_rating is None)
    tracker.rate_prompt(unrated.id, 5)
    assert tracker.flush(10)
    assert tracker.analytics().overview.rated == before.rated + 1
    _same_as_records(tracker)


def test_a_write_by_another_process_is_seen_by_the_next_call(tracker):
    before = tracker.analytics().overview
    conn = sqlite3.connect(tracker.db_path)
    with conn:
        conn.execute("UPDATE records SET quality_rating = 1 WHERE quality_rating IS NULL")
    conn.close()
    after = tracker.analytics().overview
    assert after.rated == before.total and after.rated > before.rated
    _same_as_records(tracker)


def test_changing_a_returned_result_does_not_change_the_next_one(tracker):
    first = tracker.analytics(include_risk_model=True)
    assert first.patterns.risk_model is not None
    first.overview.models.clear()
    first.parameters.clear()
    second = tracker.analytics()
    assert second.patterns.risk_model is None
    assert second.overview.models and second.parameters
    _same_as_records(tracker)


def test_a_commit_between_the_two_snapshots_computes_on_one_connection(tracker, monkeypatch):
    counter = itertools.count()
    monkeypatch.setattr(db_cache.Watch, "version", lambda self: next(counter))
    _same_as_records(tracker)  # every call sees a "new" version: nothing cached, still exact
    _same_as_records(tracker)
