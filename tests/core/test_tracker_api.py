"""The public API round trip: log, rate, correct, read back, filter, stats."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from prompt_tracking import (EnhancedPromptTracker, FailureReason, PromptRecord, SaveMethod,
                             enhanced_prompt_tracker)


def test_failure_reason_has_exactly_the_ten_values():
    assert [r.value for r in FailureReason] == [
        "content_filter", "invalid_parameters", "rate_limit", "quota_exceeded", "authentication",
        "timeout", "network_error", "server_error", "cancelled", "unknown"]
    assert [m.value for m in SaveMethod] == ["auto", "manual", "user_save"]


def test_success_round_trip(tracker):
    rid = tracker.log_successful_prompt("a red fox, (snow:1.2), [forest]", "seedream-4.0",
                                        "/tmp/out.png", "manual",
                                        {"steps": 30, "negative_prompt": "blurry"})
    record = tracker.get_record(rid)
    assert isinstance(record, PromptRecord)
    assert (record.prompt, record.ai_model, record.success) == (
        "a red fox, (snow:1.2), [forest]", "seedream-4.0", True)
    assert record.result_url == "/tmp/out.png"
    assert record.save_method == "manual"
    assert record.model_parameters == {"steps": 30, "negative_prompt": "blurry"}
    meta = record.metadata
    assert meta["characters"] == 31 and meta["words"] == 5 and meta["segments"] == 3
    assert meta["weight_syntax"] == 2 and meta["has_negative_prompt"] is True
    assert meta["session_id"] == tracker.session_id
    assert len(meta["prompt_hash"]) == 64
    assert json.loads(json.dumps(record.to_dict())) == record.to_dict()
    assert set(record.to_dict()) == {
        "id", "timestamp", "prompt", "ai_model", "success", "result_url", "save_method",
        "model_parameters", "error_message", "failure_reason", "quality_rating", "feedback",
        "tags", "metadata"}


def test_failure_round_trip_and_manual_correction(tracker):
    rid = tracker.log_failed_prompt("p", "wan2.2", "boom", model_parameters={"duration": 5})
    record = tracker.get_record(rid)
    assert record.success is False and record.error_message == "boom"
    assert record.failure_reason in {r.value for r in FailureReason}
    assert record.metadata["failure_reason_source"] == "auto"
    tracker.set_failure_reason(rid, "timeout")
    record = tracker.get_record(rid)
    assert record.failure_reason == "timeout"
    assert record.metadata["failure_reason_source"] == "manual"


def test_given_reason_accepts_member_or_value(tracker):
    a = tracker.log_failed_prompt("p", "m", "x", FailureReason.RATE_LIMIT)
    b = tracker.log_failed_prompt("p", "m", "x", "quota_exceeded")
    assert tracker.get_record(a).failure_reason == "rate_limit"
    assert tracker.get_record(b).failure_reason == "quota_exceeded"


def test_rating_feedback_tags_clear_and_keep(tracker):
    rid = tracker.log_successful_prompt("p", "m")
    tracker.rate_prompt(rid, 5, "lovely light", ["great composition", "great composition"])
    record = tracker.get_record(rid)
    assert (record.quality_rating, record.feedback, record.tags) == (
        5, "lovely light", ["great composition"])
    tracker.rate_prompt(rid, 3)  # feedback and tags stay when not given
    assert tracker.get_record(rid).feedback == "lovely light"
    tracker.clear_rating(rid)
    assert tracker.get_record(rid).quality_rating is None
    tracker.mark_saved(rid)
    assert tracker.get_record(rid).save_method == "user_save"
    tracker.flush()
    assert tracker.get_record(rid).save_method == "user_save"  # and on disk


def test_reads_see_everything_logged_before_them(tracker):
    ids = [tracker.log_successful_prompt(f"p{i}", "m") for i in range(50)]
    assert [r.id for r in tracker.records(newest_first=False)] == ids


def test_record_filters(tracker):
    a = tracker.log_successful_prompt("sunset over sea", "alpha")
    b = tracker.log_failed_prompt("gore scene", "beta", "blocked", "content_filter")
    c = tracker.log_successful_prompt("Sunset city", "beta")
    tracker.rate_prompt(a, 5)
    tracker.rate_prompt(c, 2)

    def ids(**kw):
        return {r.id for r in tracker.records(**kw)}

    assert ids(models="beta") == {b, c}
    assert ids(models=["alpha", "beta"]) == {a, b, c}
    assert ids(outcome="failure") == {b}
    assert ids(outcome=True) == {a, c}
    assert ids(min_rating=4) == {a}
    assert ids(max_rating=3) == {c}
    assert ids(rated=False) == {b}
    assert ids(failure_reason="content_filter") == {b}
    assert ids(text="sunset") == {a, c}
    assert ids(since=dt.datetime.now() + dt.timedelta(hours=1)) == set()
    assert ids(until="2000-01-01T00:00:00") == set()
    assert [r.id for r in tracker.records()] == [c, b, a]
    assert len(list(tracker.records(limit=2))) == 2


@pytest.mark.parametrize("kwargs, name", [
    ({"outcome": "maybe"}, "outcome"),
    ({"min_rating": 9}, "min_rating"),
    ({"failure_reason": "bad_luck"}, "failure_reason"),
    ({"since": "yesterday-ish"}, "since"),
    ({"limit": -1}, "limit"),
])
def test_bad_filters_raise_value_error_naming_the_argument(tracker, kwargs, name):
    with pytest.raises(ValueError, match=name):
        list(tracker.records(**kwargs))


def test_stats(tracker):
    for i in range(3):
        tracker.log_successful_prompt("p", "alpha")
    tracker.log_failed_prompt("p", "alpha", "x", "timeout")
    rid = tracker.log_successful_prompt("p", "beta")
    tracker.rate_prompt(rid, 4)
    stats = tracker.stats()
    assert (stats["total"], stats["successful"], stats["failed"]) == (5, 4, 1)
    assert stats["success_rate"] == 0.8
    assert stats["average_rating"] == 4.0
    assert stats["by_model"]["alpha"]["success_rate"] == 0.75
    assert stats["by_failure_reason"] == {"timeout": 1}


def test_store_is_wal_with_schema_version(tracker):
    tracker.log_successful_prompt("p", "m")
    tracker.flush()
    conn = sqlite3.connect(tracker.db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4  # 2: edit stamps, 3: eviction tombstones, 4: chunk versions
    conn.close()


def test_data_persists_across_instances(data_dir):
    with EnhancedPromptTracker(data_dir) as t:
        rid = t.log_successful_prompt("persist me", "m")
        t.rate_prompt(rid, 4)
    with EnhancedPromptTracker(data_dir) as t:
        assert t.get_record(rid).quality_rating == 4


def test_default_instance_uses_env_home_lazily(data_dir):
    assert enhanced_prompt_tracker.data_dir == data_dir


def test_import_loads_no_gui_libraries():
    code = ("import sys, prompt_tracking; "
            "print(sorted(m for m in ('tkinter','matplotlib','ttkbootstrap') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_where_and_stats_json(data_dir):
    with EnhancedPromptTracker(data_dir) as t:
        t.log_successful_prompt("p", "m")
    where = subprocess.run([sys.executable, "-m", "prompt_tracking", "where"],
                           capture_output=True, text=True, check=True)
    assert where.stdout.strip() == str(data_dir)
    stats = subprocess.run([sys.executable, "-m", "prompt_tracking", "stats", "--json"],
                           capture_output=True, text=True, check=True)
    assert json.loads(stats.stdout)["total"] == 1


def test_subscribers_hear_every_change_and_their_errors_stay_inside(tracker):
    heard = []
    tracker.subscribe(lambda event, rid: heard.append((event, rid)))
    tracker.subscribe(lambda event, rid: 1 / 0)
    before = tracker.revision
    rid = tracker.log_successful_prompt("p", "m")
    tracker.rate_prompt(rid, 3)
    tracker.mark_saved(rid)
    assert heard == [("logged", rid), ("rated", rid), ("updated", rid)]
    assert tracker.revision == before + 3


def test_import_records_skips_known_ids(tracker):
    from prompt_tracking import PromptRecord

    records = [PromptRecord(id=f"imp{i}", timestamp=1_700_000_000 + i, prompt=f"p{i}",
                            ai_model="m", success=bool(i % 2)) for i in range(10)]
    assert tracker.import_records(records) == 10
    assert tracker.import_records(records) == 0
    assert tracker.get_record("imp3").timestamp == 1_700_000_003


def test_feedback_and_tags_clear_only_when_asked(tracker):
    rid = tracker.log_successful_prompt("p", "m")
    tracker.rate_prompt(rid, 4, "nice", ["a", "b"])
    tracker.rate_prompt(rid, 5)
    assert (tracker.get_record(rid).feedback, tracker.get_record(rid).tags) == ("nice", ["a", "b"])
    tracker.rate_prompt(rid, 5, "", [])
    assert (tracker.get_record(rid).feedback, tracker.get_record(rid).tags) == (None, [])


def test_tracker_analytics_and_assess_on_the_store(data_dir):
    from prompt_tracking.synthetic.history import generate_records

    with EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None) as t:
        t.import_records(generate_records(1500, seed=3))
        everything = t.analytics()
        failures = t.analytics(outcome="failure", models=["seedream-4.0"])
        assert everything.overview.total == 1500
        assert failures.overview.total == t.stats(outcome="failure", models="seedream-4.0")["total"]
        assessment = t.assess_prompt("gore, blood splatter, nude", "seedream-4.0")
        assert assessment.likely_reason == "content_filter"
        assert assessment.failure_probability > 0.5
    out = subprocess.run([sys.executable, "-m", "prompt_tracking", "assess", "a calm lake",
                          "--model", "seedream-4.0", "--json"], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout)["ai_model"] == "seedream-4.0"
    stats = subprocess.run([sys.executable, "-m", "prompt_tracking", "stats", "--json",
                            "--outcome", "failure"], capture_output=True, text=True, check=True)
    assert json.loads(stats.stdout)["analytics"]["overview"]["successes"] == 0
