"""The retention cap evicts the least valuable records first and archives them."""
from __future__ import annotations

import gzip
import json

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking._storage.writer import read_archive


def _fill(tracker, n, success=True):
    ids = []
    for i in range(n):
        if success:
            ids.append(tracker.log_successful_prompt(f"s{i}", "m"))
        else:
            ids.append(tracker.log_failed_prompt(f"f{i}", "m", "boom"))
    return ids


def test_unrated_unsaved_oldest_go_first_and_land_in_the_archive(data_dir):
    with EnhancedPromptTracker(data_dir, max_successful=5, max_failed=3) as tracker:
        ok = _fill(tracker, 4)
        tracker.rate_prompt(ok[0], 5)        # oldest, but rated: kept
        tracker.mark_saved(ok[1])            # kept by the user: kept
        bad = _fill(tracker, 5, success=False)
        ok += _fill(tracker, 4)
        assert tracker.flush(10)
        assert tracker.enforce_retention()
        kept = {r.id for r in tracker.records(outcome="success")}
        failed = {r.id for r in tracker.records(outcome="failure")}
    assert kept == {ok[0], ok[1], ok[5], ok[6], ok[7]}
    assert failed == set(bad[2:])
    archived = {r["id"] for r in read_archive(data_dir / "archive.jsonl.gz")}
    assert archived == {ok[2], ok[3], ok[4], bad[0], bad[1]}
    with gzip.open(data_dir / "archive.jsonl.gz", "rt") as handle:
        first = json.loads(handle.readline())
    assert set(first) >= {"id", "prompt", "ai_model", "success", "metadata"}


def test_rated_records_go_only_when_nothing_else_is_left(data_dir):
    with EnhancedPromptTracker(data_dir, max_successful=2, max_failed=None) as tracker:
        ids = _fill(tracker, 3)
        for rid in ids:
            tracker.rate_prompt(rid, 4)
        tracker.flush(10)
        assert tracker.enforce_retention()
        assert {r.id for r in tracker.records()} == set(ids[1:])


def test_retention_runs_by_itself_and_none_means_no_cap(data_dir):
    with EnhancedPromptTracker(data_dir, max_successful=10) as tracker:
        _fill(tracker, 30)
        _fill(tracker, 30, success=False)
    with EnhancedPromptTracker(data_dir, max_successful=10) as tracker:
        tracker.flush(10)
        stats = tracker.stats()
    assert stats["successful"] == 10 and stats["failed"] == 30
    assert len(read_archive(data_dir / "archive.jsonl.gz")) == 20


def test_archive_off_drops_evicted(data_dir):
    with EnhancedPromptTracker(data_dir, max_successful=1, archive=False) as tracker:
        _fill(tracker, 3)
        tracker.flush(10)
        assert tracker.enforce_retention()
        assert tracker.stats()["successful"] == 1
    assert not (data_dir / "archive.jsonl.gz").exists()


def test_set_caps_applies_now_and_persists_for_default_trackers(data_dir):
    with EnhancedPromptTracker(data_dir, max_successful=3) as tracker:
        _fill(tracker, 6)
        tracker.flush(10)
        assert tracker.enforce_retention()
        assert tracker.stats()["successful"] == 3
        tracker.set_caps(max_successful=5000, persist=True)
        _fill(tracker, 6)
        tracker.flush(10)
        assert tracker.enforce_retention()
        assert tracker.stats()["successful"] == 9
    with EnhancedPromptTracker(data_dir) as default_caps:
        assert default_caps.get_record("nothing") is None  # opens the store
        assert default_caps.max_successful == 5000 and default_caps.max_failed == 2000
    with EnhancedPromptTracker(data_dir, max_successful=100) as explicit:
        explicit.get_record("nothing")
        assert explicit.max_successful == 100


def test_bad_caps_are_refused(tracker):
    import pytest

    with pytest.raises(ValueError, match="max_failed"):
        tracker.set_caps(max_failed="lots")


def test_records_with_queued_changes_are_spared_by_eviction(data_dir):
    """A rating still in the writer's queue must not lose its record to retention: the
    writer passes the ids of pending changes as `exclude`."""
    with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
        old = tracker.log_successful_prompt("old prompt the user is about to rate", "m")
        new = tracker.log_successful_prompt("newer unrated", "m")
        tracker.flush(10)
        store = tracker._writer.store
        assert [r.id for r in store.over_cap(True, 1)] == [old]
        assert [r.id for r in store.over_cap(True, 1, exclude=frozenset({old}))] == [new]
        assert store.over_cap(True, 1, exclude=frozenset({old, new})) == []


def test_a_retention_request_is_not_answered_by_a_run_that_read_the_old_caps(tmp_path):
    import threading

    from prompt_tracking import EnhancedPromptTracker

    with EnhancedPromptTracker(tmp_path / "store", max_successful=None) as tracker:
        old = tracker.log_successful_prompt("evicted soon", "m")
        assert tracker.flush(10)
        store = tracker._started().store
        entered, release, hold = threading.Event(), threading.Event(), threading.Event()
        original = store.over_cap

        def slow_over_cap(success, cap, **kwargs):
            if cap == 1000 and not entered.is_set():  # the run with the old cap, caught mid-way
                entered.set()
                release.wait(5)
            elif cap == 0:                             # the run with the new cap waits for us
                hold.wait(5)
            return original(success, cap, **kwargs)

        store.over_cap = slow_over_cap
        tracker.set_caps(max_successful=1000)
        assert entered.wait(5)
        tracker.set_caps(max_successful=0)             # the user's new cap, during that run
        done: list[bool] = []
        waiter = threading.Thread(target=lambda: done.append(tracker.enforce_retention(10)))
        waiter.start()
        release.set()
        waiter.join(1.0)
        answered_before_the_new_cap_ran = bool(done)
        hold.set()
        waiter.join(10)
        store.over_cap = original
        assert not answered_before_the_new_cap_ran
        assert done == [True]
        assert tracker.get_record(old) is None
