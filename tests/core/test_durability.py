"""Every acknowledged change survives, in the order it was made (issue 13, items 3-8).

Real processes killed with SIGKILL, real files, a data dir deleted under a running tracker,
a torn archive, journals from other versions, and values whose repr() raises.
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prompt_tracking import EnhancedPromptTracker, PromptRecord
from prompt_tracking._storage import writer as writer_module
from prompt_tracking._storage.archive import read_archive
from prompt_tracking._storage.clock import CLOCK
from prompt_tracking._storage.store import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
needs_sigkill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


class _Child:
    """tests/helpers/log_loop.py in command mode: the test decides when it dies."""

    def __init__(self, data_dir: Path, tag: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "helpers" / "log_loop.py"), str(data_dir), "-1",
             tag, str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def ask(self, command: str) -> str:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def kill(self) -> str:
        os.kill(self.proc.pid, signal.SIGKILL)
        _, err = self.proc.communicate(timeout=10)
        return err


def _lock(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def _new_store(data_dir: Path) -> str:
    with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
        record_id = tracker.log_successful_prompt("a lighthouse at dusk", "m")
    return record_id


# -- item 3: last edit wins, whatever the order of commits or replays -----------------------
@needs_sigkill
def test_replay_keeps_the_later_rating_whatever_the_journal_order(tmp_path):
    data_dir = tmp_path / "store"
    record_id = _new_store(data_dir)
    holder = _lock(data_dir / "prompts.sqlite3")  # neither instance can commit
    first, second = _Child(data_dir, "a"), _Child(data_dir, "b")
    try:
        assert first.ask(f"rate {record_id} 2") == "OK"
        time.sleep(0.01)
        assert second.ask(f"rate {record_id} 5") == "OK"   # the user's later edit
    finally:
        first.kill()
        second.kill()
        holder.execute("ROLLBACK")
        holder.close()
    spools = {p: p.read_text() for p in (data_dir / "spool").glob("*.jsonl")}
    older = next(p for p, text in spools.items() if '"quality_rating":2' in text)
    newer = next(p for p, text in spools.items() if '"quality_rating":5' in text)
    # Replay order by file name must not matter: make the older edit's file come last.
    older.rename(older.with_name("zzzz-older.jsonl"))
    newer.rename(newer.with_name("0000-newer.jsonl"))
    with EnhancedPromptTracker(data_dir) as tracker:
        assert tracker.flush(10)
        assert tracker.get_record(record_id).quality_rating == 5


def test_an_older_edit_committed_later_does_not_win(tmp_path):
    data_dir = tmp_path / "store"
    record_id = _new_store(data_dir)
    older, newer = CLOCK.now(), CLOCK.now()
    store = SQLiteStore(data_dir / "prompts.sqlite3")
    store.open()
    store.apply([{"op": "update", "id": record_id, "ts": newer,
                  "fields": {"quality_rating": 5, "tags": ["new"]}, "metadata": {"rated_at": 2.0}}])
    store.apply([{"op": "update", "id": record_id, "ts": older,
                  "fields": {"quality_rating": 1, "feedback": "older note"},
                  "metadata": {"rated_at": 1.0}},
                 {"op": "update", "id": record_id, "fields": {"quality_rating": 3}}])  # no stamp
    record = store.get(record_id)
    store.close()
    store.close_writer()
    # Per field: the older op still sets the feedback no later edit touched.
    assert (record.quality_rating, record.tags, record.feedback) == (5, ["new"], "older note")
    assert record.metadata["rated_at"] == 2.0


# -- item 4: one bad op never costs the others ------------------------------------------------
def test_replay_recovers_good_ops_and_quarantines_the_rest(tmp_path, caplog):
    data_dir = tmp_path / "store"
    known = _new_store(data_dir)
    good = [PromptRecord(id=f"good{i:02d}", timestamp=1_700_000_000.0 + i, prompt=f"p{i}",
                         ai_model="m", success=True).to_dict() for i in range(10)]
    del good[3]["tags"]                   # a record shape from another version
    good[4]["from_a_future_version"] = 1
    lines = [json.dumps({"op": "insert", "record": r}) for r in good[:5]]
    lines.append("{this line is not json")
    lines.append(json.dumps({"op": "update", "id": known, "fields": {"no_such_column": 1}}))
    lines += [json.dumps({"op": "insert", "record": r}) for r in good[5:]]
    lines.append(json.dumps({"op": "update", "id": known, "ts": CLOCK.now(),
                             "fields": {"quality_rating": 4}}))
    spool_dir = data_dir / "spool"
    (spool_dir / "dead-process.jsonl").write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.WARNING, logger="prompt_tracking"):
        with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
            assert tracker.flush(10)
            stored = {r.id for r in tracker.records()}
            assert tracker.get_record(known).quality_rating == 4
    assert {r["id"] for r in good} <= stored
    quarantined = (spool_dir / "quarantine.txt").read_text().splitlines()
    assert len(quarantined) == 2 and "no_such_column" in "".join(quarantined)
    assert len([r for r in caplog.records if "quarantine" in r.getMessage()]) == 1
    assert not (spool_dir / "dead-process.jsonl").exists()
    with EnhancedPromptTracker(data_dir) as tracker:   # kept, and not replayed again
        assert tracker.flush(10)
    assert (spool_dir / "quarantine.txt").read_text().splitlines() == quarantined


# -- item 5: a journal that could not be opened at start is retried ---------------------------
@needs_sigkill
def test_journal_opens_once_the_dir_becomes_writable(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir's parent should be")
    data_dir = blocker / "store"
    child = _Child(data_dir, "ro")
    holder = None
    try:
        ids = child.ask("log 50").split()
        assert len(ids) == 50
        blocker.unlink()          # the fault clears, but the store stays locked by someone else
        _new_store(data_dir)
        holder = _lock(data_dir / "prompts.sqlite3")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(
                p.read_text().count("\n") >= 50 for p in (data_dir / "spool").glob("*.jsonl")):
            time.sleep(0.05)
    finally:
        child.kill()
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
    with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
        assert tracker.flush(10)
        stored = {r.id for r in tracker.records()}
    assert set(ids) <= stored, f"{len(set(ids) - stored)} of 50 lost"


# -- item 6: the data dir deleted while the app runs ------------------------------------------
@needs_sigkill
def test_deleted_data_dir_is_recreated_and_nothing_acknowledged_is_lost(tmp_path):
    data_dir = tmp_path / "store"
    child = _Child(data_dir, "rm")
    try:
        assert len(child.ask("log 10").split()) == 10
        assert child.ask("flush 10") == "True"
        shutil.rmtree(data_dir)
        ids = child.ask("log 100").split()
        flushed = child.ask("flush 15")
    finally:
        stderr = child.kill()
    with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
        assert tracker.flush(10)
        stored = {r.id for r in tracker.records()}
    assert flushed == "True" and set(ids) <= stored, f"{len(set(ids) - stored)} of 100 lost"
    assert stderr.count("deleted while in use") == 1  # warned once


# -- item 7: the archive always reads back completely ---------------------------------------
def _archived_ids(path: Path) -> set[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:  # raises at a tear
        return {json.loads(line)["id"] for line in handle}


def test_a_torn_archive_member_is_cut_before_the_next_eviction(tmp_path):
    data_dir = tmp_path / "store"
    archive = data_dir / "archive.jsonl.gz"
    with EnhancedPromptTracker(data_dir, max_successful=5) as tracker:
        first = [tracker.log_successful_prompt(f"a{i}", "m") for i in range(20)]
        assert tracker.flush(10) and tracker.enforce_retention()
        # What a kill -9 in the middle of an append leaves: half a gzip member.
        torn = gzip.compress(b'{"id": "torn"}\n' * 5000)
        with open(archive, "ab") as handle:
            handle.write(torn[: len(torn) // 2])
        second = [tracker.log_successful_prompt(f"b{i}", "m") for i in range(10)]
        assert tracker.flush(10) and tracker.enforce_retention()
    evicted = set(first[:15]) | set(second[5:]) | set(first[15:])
    assert _archived_ids(archive) | {r.id for r in EnhancedPromptTracker(data_dir).records()} \
        >= evicted
    assert len(_archived_ids(archive)) == 25
    assert {r["id"] for r in read_archive(archive)} == _archived_ids(archive)
    if shutil.which("gzip"):
        assert subprocess.run(["gzip", "-t", str(archive)]).returncode == 0


# -- item 8: values that cannot even be shown ---------------------------------------------
class _Unshowable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")

    __str__ = __repr__


def _deep(levels: int = 5000) -> list:
    root: list = []
    node = root
    for _ in range(levels):
        node.append([])
        node = node[0]
    return root


def test_log_calls_store_what_they_acknowledge_with_defaults_for_bad_fields(tracker):
    saved = tracker.log_successful_prompt("p", "m", save_method=_Unshowable())
    deep_reason = tracker.log_failed_prompt("p", "m", "HTTP 429 rate limit", failure_reason=_deep())
    bad_all = tracker.log_failed_prompt(_Unshowable(), _deep(), _deep(),
                                        failure_reason=_Unshowable(), model_parameters=_deep(),
                                        metadata={"x": _deep()}, duration=_Unshowable())
    assert tracker.flush(10)
    assert tracker.get_record(saved).save_method == "auto"
    assert tracker.get_record(deep_reason).failure_reason == "rate_limit"
    assert tracker.get_record(bad_all) is not None


@pytest.mark.parametrize("call, error, name", [
    (lambda t, rid: t.mark_saved(rid, _Unshowable()), ValueError, "save_method"),
    (lambda t, rid: t.mark_saved(rid, _deep()), ValueError, "save_method"),
    (lambda t, rid: t.rate_prompt(rid, _deep()), ValueError, "rating"),
    (lambda t, rid: t.rate_prompt(rid, _Unshowable()), ValueError, "rating"),
    (lambda t, rid: t.rate_prompt(rid, 3, feedback=_Unshowable()), TypeError, "feedback"),
    (lambda t, rid: t.rate_prompt(rid, 3, tags=[_Unshowable()]), TypeError, "tags"),
    (lambda t, rid: t.set_failure_reason(rid, _deep()), ValueError, "failure_reason"),
    (lambda t, rid: t.records(limit=_Unshowable()), ValueError, "limit"),
    (lambda t, rid: t.set_caps(_deep()), ValueError, "max_successful"),
])
def test_other_calls_name_the_bad_argument(tracker, call, error, name):
    record_id = tracker.log_failed_prompt("p", "m", "boom")
    with pytest.raises(error, match=name):
        call(tracker, record_id)


# -- issue 12 item 5: a bounded queue that never blocks and never loses ----------------------
def test_a_full_queue_keeps_changes_in_the_journal(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(writer_module, "MAX_QUEUE", 10)
    data_dir = tmp_path / "store"
    _new_store(data_dir)
    holder = _lock(data_dir / "prompts.sqlite3")
    tracker = EnhancedPromptTracker(data_dir, max_successful=None)
    try:
        with caplog.at_level(logging.WARNING, logger="prompt_tracking"):
            ids = [tracker.log_successful_prompt(f"q{i}", "m") for i in range(50)]
            assert tracker.flush(0.3) is False
        assert len([r for r in caplog.records if "journal only" in r.getMessage()]) == 1
        assert len(tracker._started().pending_snapshot()) <= 10
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert tracker.flush(15)
    assert set(ids) <= {r.id for r in tracker.records()}
    tracker.close()
    assert not list((data_dir / "spool").glob("*.jsonl"))


def test_edit_stamps_increase_even_when_the_wall_clock_goes_back(monkeypatch):
    from prompt_tracking._storage import clock

    hybrid = clock.HybridClock("node-a")
    times = iter([5_000_000_000, 4_000_000_000, 4_000_000_000, 6_000_000_000])
    monkeypatch.setattr(clock.time, "time_ns", lambda: next(times))
    stamps = [hybrid.now() for _ in range(4)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    assert clock.parse_stamp(stamps[1])[:2] == (5000, 1)   # same millisecond, counter bumped
    remote = clock.format_stamp(9000, 7, "node-b")
    hybrid.observe(remote)
    monkeypatch.setattr(clock.time, "time_ns", lambda: 1_000_000_000)
    assert hybrid.now() > remote                             # later than anything seen
    assert clock.wins(remote, None) and not clock.wins(clock.NO_STAMP, remote)


def test_a_rating_of_a_record_another_process_evicted_reaches_the_archive(tmp_path):
    from prompt_tracking._storage.archive import append_archive

    data_dir = tmp_path / "store"
    record_id = _new_store(data_dir)
    with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
        tracker.rate_prompt(record_id, 3)
        assert tracker.flush(10)
        other = _lock(data_dir / "prompts.sqlite3")     # "another process" that evicts
        tracker.rate_prompt(record_id, 5)               # acknowledged while R still exists
        archived = SQLiteStore(data_dir / "prompts.sqlite3")
        row = archived.get(record_id)
        append_archive(data_dir / "archive.jsonl.gz", [row])
        other.execute("DELETE FROM records WHERE id = ?", (record_id,))
        other.execute("COMMIT")
        other.close()
        archived.close()
        assert tracker.flush(10)
    by_id = {r["id"]: r for r in read_archive(data_dir / "archive.jsonl.gz")}
    assert by_id[record_id]["quality_rating"] == 5     # not the older, archived 3


def test_replaying_an_old_journal_does_not_bring_evicted_records_back(tmp_path):
    data_dir = tmp_path / "store"
    with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
        old = tracker.log_successful_prompt("evicted soon", "m")
        tracker.rate_prompt(old, 5)
        assert tracker.flush(10)
        record = tracker.get_record(old).to_dict()
        tracker.set_caps(max_successful=0)
        assert tracker.enforce_retention()
        assert tracker.get_record(old) is None
    insert = {"op": "insert", "record": {**record, "quality_rating": None}}  # its older state
    (data_dir / "spool" / "dead.jsonl").write_text(json.dumps(insert) + "\n")
    with EnhancedPromptTracker(data_dir, max_successful=0) as tracker:
        assert tracker.flush(10) and tracker.enforce_retention()
        assert tracker.get_record(old) is None
    by_id = {r["id"]: r for r in read_archive(data_dir / "archive.jsonl.gz")}
    assert by_id[old]["quality_rating"] == 5


# -- issue 18 item 10: a -wal file deleted after a crash ---------------------------------------
@needs_sigkill
def test_a_wal_deleted_after_a_crash_loses_no_committed_record(tmp_path):
    data_dir = tmp_path / "store"
    _new_store(data_dir)
    child = _Child(data_dir, "w")
    try:
        ids = child.ask("log 300").split()
        assert child.ask("flush 10") == "True"
        time.sleep(0.5)  # the writer is idle again, as an app between generations
    finally:
        child.kill()
    for suffix in ("-wal", "-shm"):  # what a backup or sync tool may do after a crash
        Path(f"{data_dir / 'prompts.sqlite3'}{suffix}").unlink(missing_ok=True)
    with EnhancedPromptTracker(data_dir) as tracker:
        assert tracker.flush(10)
        missing = [i for i in ids if tracker.get_record(i) is None]
    assert missing == []
