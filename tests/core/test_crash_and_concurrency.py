"""Real processes: SIGKILL at random moments loses no acknowledged record; many writers lose nothing."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from prompt_tracking import EnhancedPromptTracker

ROOT = Path(__file__).resolve().parents[2]
LOOP = [sys.executable, str(ROOT / "tests" / "helpers" / "log_loop.py")]


def _reader(proc: subprocess.Popen, sink: list[str]) -> threading.Thread:
    def pump():
        for line in proc.stdout:
            sink.append(line.strip())
    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_at_random_moments_loses_no_acknowledged_record(tmp_path):
    data_dir = tmp_path / "store"
    rng = random.Random(1234)
    acknowledged: list[str] = []
    for _round in range(20):
        lines: list[str] = []
        proc = subprocess.Popen([*LOOP, str(data_dir), "0", f"r{_round}", str(ROOT)],
                                stdout=subprocess.PIPE, text=True)
        pump = _reader(proc, lines)
        deadline = time.monotonic() + 10
        while not lines and time.monotonic() < deadline:  # wait until it is really logging
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        pump.join(timeout=5)
        acknowledged.extend(line for line in lines if len(line) == 22)
        assert lines, "the logger never started"

    with EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None) as tracker:
        assert tracker.flush(timeout=30)
        stored = {r.id for r in tracker.records()}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged records lost"
    conn = sqlite3.connect(data_dir / "prompts.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert len(acknowledged) > 1000


def test_four_processes_two_thousand_each(tmp_path):
    data_dir = tmp_path / "store"
    procs = [subprocess.Popen([*LOOP, str(data_dir), "2000", f"p{i}", str(ROOT)],
                              stdout=subprocess.PIPE, text=True) for i in range(4)]
    outputs = [p.communicate(timeout=240)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(out[-1] == "DONE" for out in outputs)
    ids = {line for out in outputs for line in out[:-1]}
    assert len(ids) == 8000
    conn = sqlite3.connect(data_dir / "prompts.sqlite3")
    stored = {row[0] for row in conn.execute("SELECT id FROM records")}
    per_model = dict(conn.execute("SELECT ai_model, COUNT(*) FROM records GROUP BY ai_model"))
    conn.close()
    assert stored == ids
    assert per_model == {f"model-p{i}": 2000 for i in range(4)}


def test_threads_logging_and_rating_at_once(tracker):
    ids: list[str] = []
    lock = threading.Lock()

    def work(n):
        for i in range(250):
            rid = tracker.log_successful_prompt(f"t{n}-{i}", f"m{n}")
            tracker.rate_prompt(rid, 1 + i % 5)
            with lock:
                ids.append(rid)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tracker.flush(timeout=30)
    rated = {r.id: r.quality_rating for r in tracker.records(models=[f"m{n}" for n in range(8)])}
    assert len(rated) == 2000 and set(rated) == set(ids)
    assert all(v is not None for v in rated.values())


def test_normal_exit_without_close_loses_nothing(tmp_path):
    data_dir = tmp_path / "store"
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from prompt_tracking import EnhancedPromptTracker\n"
            f"t = EnhancedPromptTracker({str(data_dir)!r})\n"
            "for i in range(1500): print(t.log_successful_prompt(f'exit {i}', 'm'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    ids = set(out.stdout.split())
    conn = sqlite3.connect(data_dir / "prompts.sqlite3")
    stored = {row[0] for row in conn.execute("SELECT id FROM records")}
    conn.close()
    assert len(ids) == 1500 and stored == ids  # committed by the atexit flush itself


def test_exit_while_locked_is_bounded_and_recovered_next_time(tmp_path):
    data_dir = tmp_path / "store"
    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.log_successful_prompt("create", "m")
    lock = sqlite3.connect(data_dir / "prompts.sqlite3", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from prompt_tracking import EnhancedPromptTracker\n"
            f"t = EnhancedPromptTracker({str(data_dir)!r})\n"
            "for i in range(300): print(t.log_successful_prompt(f'locked exit {i}', 'm'))\n")
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         timeout=60)
    assert time.monotonic() - start < 20  # the exit-time flush gives up, it does not hang
    lock.execute("COMMIT")
    lock.close()
    with EnhancedPromptTracker(data_dir) as tracker:
        assert tracker.flush(timeout=10)
        stored = {r.id for r in tracker.records(text="locked exit")}
    assert stored == set(out.stdout.split())


def test_close_while_other_threads_read_and_log_never_crashes(tmp_path):
    """close() leaves other threads' connections alone (closing them under a reader
    crashed SQLite); run in a subprocess so a crash fails the test instead of pytest."""
    code = f"""
import sys, threading
sys.path.insert(0, {str(ROOT)!r})
from prompt_tracking import EnhancedPromptTracker, PromptRecord
t = EnhancedPromptTracker({str(tmp_path / 'store')!r}, max_successful=None, max_failed=None)
t.import_records(PromptRecord(id=f"r{{i}}", timestamp=i, prompt="p" * 50, ai_model="m",
                              success=True) for i in range(20000))
seen, go = [], threading.Event()
def read():
    go.set()
    seen.append(sum(1 for _ in t.records()))
def log():
    for i in range(2000):
        t.log_successful_prompt(f"late {{i}}", "m")
threads = [threading.Thread(target=read), threading.Thread(target=log)]
for th in threads: th.start()
go.wait()
t.close()
for th in threads: th.join()
t.close()
print("ok", seen)
"""
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.startswith("ok")
    with EnhancedPromptTracker(tmp_path / "store", max_successful=None) as tracker:
        assert tracker.flush(10)
        assert len(list(tracker.records(text="late"))) == 2000 * 3  # nothing logged was lost


def test_reads_do_not_wait_for_a_foreign_lock(data_dir):
    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.log_successful_prompt("before", "m")
    lock = sqlite3.connect(data_dir / "prompts.sqlite3", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        with EnhancedPromptTracker(data_dir) as tracker:
            tracker.get_record("warm up")  # opening the store may wait; reads after it may not
            rid = tracker.log_successful_prompt("during", "m")
            start = time.monotonic()
            records = list(tracker.records(limit=5))
            stats = tracker.stats()
            elapsed = time.monotonic() - start
            assert rid in {r.id for r in records} and stats["total"] == 2
            assert elapsed < 1.0  # was 2 s per call while the lock lasted
            lock.execute("COMMIT")
    finally:
        lock.close()
