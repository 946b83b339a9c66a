"""Operational faults never reach the host: unwritable dir, corrupt file, long locks, disk full."""
from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import textwrap
import time

from prompt_tracking import EnhancedPromptTracker


def test_unwritable_data_dir_keeps_records_in_memory_and_retries(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir's parent should be")
    data_dir = blocker / "store"
    tracker = EnhancedPromptTracker(data_dir)
    with caplog.at_level(logging.WARNING, logger="prompt_tracking"):
        ids = [tracker.log_successful_prompt(f"p{i}", "m") for i in range(5)]
        assert tracker.flush(timeout=0.5) is False
    assert "not writable" in caplog.text or "cannot write the store" in caplog.text
    assert [r.id for r in tracker.records(newest_first=False)] == ids  # served from memory
    assert tracker.stats()["total"] == 5
    tracker.rate_prompt(ids[0], 5)
    assert tracker.get_record(ids[0]).quality_rating == 5

    blocker.unlink()  # the dir becomes creatable: the writer's retry lands everything
    data_dir.mkdir(parents=True)
    assert tracker.flush(timeout=15)
    tracker.close()
    conn = sqlite3.connect(data_dir / "prompts.sqlite3")
    assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 5
    assert conn.execute("SELECT quality_rating FROM records WHERE id=?", (ids[0],)).fetchone()[0] == 5


def test_corrupt_database_is_moved_aside_not_deleted(data_dir, caplog):
    data_dir.mkdir(parents=True)
    garbage = b"this is not sqlite at all " * 100
    (data_dir / "prompts.sqlite3").write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="prompt_tracking"):
        with EnhancedPromptTracker(data_dir) as tracker:
            rid = tracker.log_successful_prompt("after corruption", "m")
            assert tracker.flush(timeout=10)
            assert tracker.get_record(rid).prompt == "after corruption"
    assert "not a usable SQLite database" in caplog.text
    aside = list(data_dir.glob("prompts.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage


def test_long_lock_by_another_process_loses_nothing(data_dir):
    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.log_successful_prompt("warm up", "m")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(data_dir / 'prompts.sqlite3')!r}, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep(3)
        conn.execute("COMMIT")
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with EnhancedPromptTracker(data_dir) as tracker:
        start = time.perf_counter()
        ids = [tracker.log_successful_prompt(f"during lock {i}", "m") for i in range(200)]
        assert time.perf_counter() - start < 1.0  # nowhere near the 3 s lock
        assert tracker.flush(timeout=0.2) is False
        holder.wait(timeout=10)
        assert tracker.flush(timeout=15)
        assert {r.id for r in tracker.records(text="during lock")} == set(ids)


def test_disk_full_then_space_again(tmp_path):
    """A real EFBIG from RLIMIT_FSIZE: the host keeps going and nothing is lost once space returns."""
    script = textwrap.dedent(f"""
        import logging, resource, signal, sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parents[2])!r})
        logging.basicConfig(level=logging.WARNING)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from prompt_tracking import EnhancedPromptTracker
        t = EnhancedPromptTracker({str(tmp_path / 'store')!r}, max_successful=None)
        t.log_successful_prompt("first", "m"); assert t.flush(10)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, hard))
        ids = [t.log_successful_prompt("x" * 2000 + str(i), "m") for i in range(400)]
        print("host still running", flush=True)
        assert not t.flush(2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        assert t.flush(30), "not flushed after space returned"
        assert len(list(t.records())) == 401
        t.close()
        print("ok", flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["host", "still", "running", "ok"]
    assert "cannot write" in out.stderr
