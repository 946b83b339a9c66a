"""Analytics added up from week folds give exactly the one-pass answer, and stay right.

Every test uses a real SQLite store. The reference is `sections_from_database` (one pass,
no kept weeks), which test_analytics_sql.py compares with the record path.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zlib
from dataclasses import asdict

import pytest
from helpers.waiting import wait_for

from prompt_tracking._storage.chunks import CHUNK_SECONDS
from prompt_tracking.analytics import chunked, db_cache, fold_cache, sql
from prompt_tracking.analytics.database import sections_from_database
from prompt_tracking.analytics.db_source import _begin, _sqlite_connection, database_sections
from prompt_tracking.synthetic.history import generate_records
from prompt_tracking.tracker import EnhancedPromptTracker

MIN_SAMPLES = 30


def _plain(sections: dict) -> str:
    return json.dumps({k: [asdict(x) for x in v] if isinstance(v, list) else asdict(v)
                       for k, v in sections.items()}, default=str)


def _one_pass(tracker, filters: sql.Filters) -> str:
    conn = _sqlite_connection(tracker.db_path)
    try:
        _begin(conn, sql.SQLITE)
        return _plain(sections_from_database(conn, sql.SQLITE, filters, min_samples=MIN_SAMPLES))
    finally:
        conn.close()


def _weeks(tracker, filters: sql.Filters = sql.Filters()) -> str:
    db_cache.clear()  # the whole-result cache would answer before the weeks are asked
    sections = database_sections(tracker, filters, min_samples=MIN_SAMPLES)
    assert sections is not None
    return _plain(sections)


@pytest.fixture
def computed(monkeypatch):
    """How many weeks were folded from rows (not taken from the cache) since the last read."""
    calls: list[int] = []
    real = chunked.fold_database

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(chunked, "fold_database", counting)

    def read() -> int:
        n = len(calls)
        calls.clear()
        return n
    return read


@pytest.fixture
def tracker(tmp_path):
    tracker = EnhancedPromptTracker(tmp_path / "store", max_successful=None, max_failed=None)
    tracker.warm_delay = None  # these tests count the weeks they fold themselves
    tracker.import_records(generate_records(3000, seed=11))
    tracker.flush()
    fold_cache.clear_memory()
    yield tracker
    tracker.close()
    fold_cache.clear_memory()


def _weeks_of(tracker) -> int:
    with sqlite3.connect(tracker.db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM analytics_chunks").fetchone()[0]


def test_kept_weeks_add_up_to_the_one_pass_answer(tracker, computed):
    weeks = _weeks_of(tracker)
    assert weeks > 10  # the history spans many weeks, or this test proves nothing
    assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
    assert computed() == weeks
    assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
    assert computed() == 0
    fold_cache.clear_memory()  # a new process: the weeks come from the file
    assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
    assert computed() == 0


@pytest.mark.parametrize("part", ["models", "outcome", "window", "open_window"])
def test_filters_give_the_one_pass_answer(tracker, part):
    times = sorted(r.timestamp for r in tracker.records())
    middle = times[len(times) // 3] + 0.5, times[2 * len(times) // 3] + 0.5  # cut weeks
    filters = {"models": sql.Filters(models=("seedream-4.0", "wan-2.2")),
               "outcome": sql.Filters(outcome="failure"),
               "window": sql.Filters(since=middle[0], until=middle[1]),
               "open_window": sql.Filters(since=middle[0], outcome="success")}[part]
    for _ in range(2):  # cold, then from kept weeks
        assert _weeks(tracker, filters) == _one_pass(tracker, filters)


def test_a_rating_recomputes_only_its_week(tracker, computed):
    _weeks(tracker)
    computed()
    oldest = min(tracker.records(outcome="success"), key=lambda r: r.timestamp)
    tracker.rate_prompt(oldest.id, 1 if oldest.quality_rating != 1 else 5)
    tracker.flush()
    assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
    assert computed() == 1


def test_a_record_in_an_old_week_carries_its_retry_state_forward(tracker, computed):
    _weeks(tracker)
    computed()
    first = min(tracker.records(), key=lambda r: r.timestamp)
    # a failure of the first record's model just after it: the retry chain changes
    from prompt_tracking.records import PromptRecord

    tracker.import_records([PromptRecord(id="late", timestamp=first.timestamp + 1,
                                         prompt=first.prompt + " again", ai_model=first.ai_model,
                                         success=False, failure_reason="server_error")])
    tracker.flush()
    assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
    assert 1 <= computed() < _weeks_of(tracker)


def test_a_write_by_another_process_is_seen(tracker, computed):
    _weeks(tracker)
    computed()
    script = ("import sqlite3, sys\n"
              "c = sqlite3.connect(sys.argv[1])\n"
              "c.execute('UPDATE records SET quality_rating = 2 WHERE id = "
              "(SELECT id FROM records WHERE success = 1 ORDER BY timestamp LIMIT 1)')\n"
              "c.execute('DELETE FROM records WHERE id = "
              "(SELECT id FROM records ORDER BY timestamp DESC LIMIT 1)')\n"
              "c.commit()\n")
    subprocess.run([sys.executable, "-c", script, str(tracker.db_path)], check=True)
    assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
    assert computed() >= 2


@pytest.mark.parametrize("damage", ["garbage_file", "hostile_entries"])
def test_a_broken_or_planted_cache_file_is_computed_again(tracker, damage):
    expected = _weeks(tracker)
    path = tracker.data_dir / fold_cache.FILE_NAME
    assert path.exists()
    if damage == "garbage_file":
        path.write_bytes(b"not a database" * 100)
    else:
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT rowid, state FROM folds").fetchall()
            for i, (rowid, _) in enumerate(rows):
                bad = [b"\x00junk", zlib.compress(b"[1, 2]"),
                       zlib.compress(json.dumps({"rows": {}, "n": "x"}).encode())][i % 3]
                conn.execute("UPDATE folds SET state = ? WHERE rowid = ?", (bad, rowid))
    fold_cache.clear_memory()
    assert _weeks(tracker) == expected
    fold_cache.clear_memory()
    assert _weeks(tracker) == expected  # and the file was made good again


def test_rows_outside_every_week_fall_back_to_one_pass(tracker, computed):
    with sqlite3.connect(tracker.db_path) as conn:  # as a version without the triggers
        conn.execute("DROP TRIGGER records_chunk_insert")
        conn.execute("INSERT INTO records (id, timestamp, prompt, ai_model, success) "
                     "VALUES ('x1', ?, 'a lone fox', 'seedream-4.0', 1)",
                     (max(r.timestamp for r in tracker.records()) + 30 * CHUNK_SECONDS,))
    assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
    assert json.loads(_weeks(tracker))["overview"]["total"] == 3001


def test_times_far_outside_any_calendar_are_counted(tmp_path, monkeypatch, computed):
    from prompt_tracking.records import PromptRecord

    monkeypatch.setattr(chunked, "MIN_ROWS_PER_WEEK", 0)  # fold these 5 by week all the same
    with EnhancedPromptTracker(tmp_path / "data") as tracker:
        tracker.import_records([PromptRecord(id=f"r{i}", timestamp=ts, prompt=f"cat {i}",
                                             ai_model="m", success=bool(i % 2))
                                for i, ts in enumerate([1e17, 1e299, -5.0, 1.7e9, -1e300])])
        tracker.flush()
        assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
        assert computed() == 4  # 1e17 and 1e299 share the last, open-ended week
        assert json.loads(_weeks(tracker))["overview"]["total"] == 5


def test_a_history_sparse_over_decades_takes_one_pass(tmp_path, computed):
    with EnhancedPromptTracker(tmp_path / "store", max_successful=None, max_failed=None) as tracker:
        tracker.warm_delay = None
        records = generate_records(600, seed=3)
        for i, record in enumerate(records):  # about one record a week for eleven years
            record.timestamp = 1e9 + i * CHUNK_SECONDS * 1.01
        tracker.import_records(records)
        tracker.flush()
        assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
        assert computed() == 0  # no week folded: 600 small folds would cost more than one pass



def test_the_writer_side_warm_up_leaves_every_week_folded(tmp_path, computed):
    tracker = EnhancedPromptTracker(tmp_path / "store", max_successful=None, max_failed=None)
    tracker.warm_delay = 0.2
    try:
        tracker.import_records(generate_records(2000, seed=5))
        assert wait_for(lambda: tracker._warmer.runs >= 1)
        assert computed() == _weeks_of(tracker)  # the background thread folded them all
        tracker.log_successful_prompt("a fox in snow", "seedream-4.0", "https://x.invalid/1.png")
        assert wait_for(lambda: tracker._warmer.runs >= 2)
        assert computed() == 1  # only the week the new record went into
        fold_cache.clear_memory()  # the next start of the app
        assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
        assert computed() == 0
    finally:
        tracker.close()


def test_a_closed_tracker_is_not_opened_again_by_the_warm_up(tmp_path):
    import time

    tracker = EnhancedPromptTracker(tmp_path / "store")
    tracker.warm_delay = 0.1
    tracker.log_successful_prompt("a fox", "seedream-4.0", "https://x.invalid/1.png")
    tracker.close()
    time.sleep(0.5)
    assert tracker._writer is None
    assert not (tmp_path / "store" / fold_cache.FILE_NAME).exists()


def _edge_times() -> list[float]:
    import math

    times = [0.0, -5.0, 1e299, -1e300, 1e13, -1e13, 1.7e9]
    for k in (-3, -1, 0, 1, 2900, 2901, 16534390):
        edge = float(k * CHUNK_SECONDS)
        times += [edge, math.nextafter(edge, -math.inf), math.nextafter(edge, math.inf)]
    return times


def _in_its_week(t: float, bucket: int) -> bool:
    from prompt_tracking._storage.chunks import bucket_range

    since, until = bucket_range(bucket)
    return (since is None or t >= since) and (until is None or t < until)


def test_the_week_of_a_row_is_the_week_whose_time_range_holds_it():
    from prompt_tracking._storage.chunks import sqlite_bucket

    conn = sqlite3.connect(":memory:")
    for t in _edge_times():
        (bucket,), = conn.execute(f"SELECT {sqlite_bucket('?')}".replace("?", repr(t))).fetchall()
        assert _in_its_week(t, bucket), t


def test_weeks_changed_by_another_process_are_folded_after_the_store_opens(tmp_path, computed):
    data = tmp_path / "store"
    with EnhancedPromptTracker(data, max_successful=None, max_failed=None) as writer:
        writer.warm_delay = None
        writer.import_records(generate_records(1500, seed=9))  # nobody folds these
    tracker = EnhancedPromptTracker(data, max_successful=None, max_failed=None)
    tracker.warm_delay = 0.2
    try:
        list(tracker.records(limit=1))  # the host app starts and reads; no change made here
        assert wait_for(lambda: tracker._warmer.runs >= 1)
        assert computed() == _weeks_of(tracker)
        fold_cache.clear_memory()
        assert _weeks(tracker) == _one_pass(tracker, sql.Filters())
        assert computed() == 0
    finally:
        tracker.close()
