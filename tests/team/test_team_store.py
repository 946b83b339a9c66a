"""The shared store on a real PostgreSQL server: several workstations, outages, crashes."""
from __future__ import annotations

import json
import os
import signal
import threading
import time


from conftest import psql_rows, workstation
from helpers.waiting import wait_for
from prompt_tracking import EnhancedPromptTracker
from prompt_tracking._storage.pgurl import DatabaseURL
from prompt_tracking._storage.postgres import PostgresStore



def _count(pg, url: str) -> tuple[int, int]:
    (total, distinct), = psql_rows(pg, url, "SELECT COUNT(*), COUNT(DISTINCT id) FROM records")
    return int(total), int(distinct)


def test_records_stats_and_edits_are_shared_between_workstations(pg_url, tmp_path):
    with EnhancedPromptTracker(tmp_path / "a", database_url=pg_url) as a, \
            EnhancedPromptTracker(tmp_path / "b", database_url=pg_url) as b:
        ok = [a.log_successful_prompt(f"a red fox {i}", "seedream", model_parameters={"steps": i})
              for i in range(5)]
        failed = a.log_failed_prompt("a blue fox", "kling", "429 quota exceeded for this month")
        assert a.flush(10)
        assert {r.id for r in b.records()} == {*ok, failed}
        b.rate_prompt(ok[0], 4, feedback="good fur", tags=["fur"])
        b.set_failure_reason(failed, "content_filter")
        assert b.flush(10)
        shared = a.get_record(ok[0])
        assert (shared.quality_rating, shared.feedback, shared.tags) == (4, "good fur", ["fur"])
        assert a.get_record(failed).failure_reason == "content_filter"
        assert a.get_record(failed).metadata["failure_reason_source"] == "manual"
        stats = a.stats()
        assert (stats["total"], stats["failed"], stats["rated"]) == (6, 1, 1)
        assert stats["by_failure_reason"] == {"content_filter": 1}
        assert [r.id for r in a.records(models="kling")] == [failed]
        assert [r.id for r in a.records(text="RED FOX 3")] == [ok[3]]
        assert a.stats(models=["nope"])["total"] == 0
        assert a.analytics().to_dict()  # the analytics pipeline runs on shared records
        assert a.database_url == DatabaseURL.parse(pg_url).masked()


def _store(url: str, rater: str) -> PostgresStore:
    store = PostgresStore(DatabaseURL.parse(url), rater_id=rater)
    store.open()
    return store


def _insert(record_id: str, ts: float = 1000.0) -> dict:
    return {"op": "insert", "record": {
        "id": record_id, "timestamp": ts, "prompt": "p", "ai_model": "m", "success": True,
        "result_url": None, "save_method": "auto", "model_parameters": {}, "error_message": None,
        "failure_reason": None, "quality_rating": None, "feedback": None, "tags": [],
        "metadata": {}}}


def _rate(record_id: str, at: float, rating: int, **fields) -> dict:
    return {"op": "update", "id": record_id, "at": at,
            "fields": {"quality_rating": rating, **fields}, "metadata": {"rated_at": at}}


def test_last_edit_wins_per_field_whatever_the_arrival_order(pg_url):
    a, b = _store(pg_url, "rater-a"), _store(pg_url, "rater-b")
    try:
        a.apply([_insert("r1")])
        b.apply([_rate("r1", 3000.0, 5, feedback="newest")])       # newer edit arrives first
        a.apply([_rate("r1", 2000.0, 1, feedback="old", tags=["t"])])  # older one arrives late
        a.apply([{"op": "update", "id": "r1", "at": 2500.0, "fields": {"save_method": "user_save"},
                  "metadata": {"saved_at": 2500.0}}])
        record = a.get("r1")
        assert (record.quality_rating, record.feedback) == (5, "newest")
        assert record.tags == ["t"]               # nobody edited tags later: the old edit stands
        assert record.save_method == "user_save"
        assert record.metadata["rated_at"] == 3000.0  # the losing edit's metadata is not applied
        # Re-sending the same batch after a lost reply changes nothing.
        b.apply([_rate("r1", 3000.0, 5, feedback="newest")] * 2 + [_insert("r1", 5.0)])
        assert a.get("r1") == record
        assert a.count() == 1
        # Each rater's own latest rating is kept for agreement studies.
        rows = a._fetch("SELECT rater_id, quality_rating FROM ratings ORDER BY rater_id", [])
        assert rows == [("rater-a", 1), ("rater-b", 5)]
        # A clear (undo) is an edit too: a later clear wins over an earlier rating.
        a.apply([{"op": "update", "id": "r1", "at": 4000.0, "fields": {"quality_rating": None},
                  "metadata": {"rated_at": None}}])
        assert a.get("r1").quality_rating is None and "rated_at" not in a.get("r1").metadata
    finally:
        a.close()
        b.close()


def test_workstation_processes_log_and_rate_the_same_records(pg, pg_url, tmp_path):
    with EnhancedPromptTracker(tmp_path / "seed", database_url=pg_url) as seed:
        shared = [seed.log_successful_prompt(f"shared {i}", "m") for i in range(15)]
        assert seed.flush(10)
    ids_file = tmp_path / "shared.json"
    ids_file.write_text(json.dumps(shared))
    procs = [workstation("log", "150", f"ws{i}", str(ids_file), "4", data_dir=tmp_path / f"ws{i}",
                         url=pg_url, wait=False) for i in range(3)]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    assert all(o["flushed"] for o in outputs)
    assert _count(pg, pg_url) == (15 + 450, 15 + 450)
    raters = psql_rows(pg, pg_url, "SELECT record_id, rater_id, quality_rating, rated_at FROM ratings")
    by_record: dict[str, list] = {}
    for record_id, rater, rating, at in raters:
        by_record.setdefault(record_id, []).append((float(at), rater, int(rating)))
    rater_ids = {(tmp_path / f"ws{i}" / "rater_id").read_text().strip(): i for i in range(3)}
    final = dict((r[0], int(r[1])) for r in psql_rows(
        pg, pg_url, "SELECT id, quality_rating FROM records WHERE quality_rating IS NOT NULL"))
    assert set(final) == set(shared)
    for record_id in shared:
        rows = by_record[record_id]
        assert len(rows) == 3  # one row per workstation, each with its own last rating
        for _, rater, rating in rows:
            assert rating == outputs[rater_ids[rater]]["last"][record_id]
        assert final[record_id] == max(rows)[2]  # the newest edit of all wins


def test_server_restart_mid_burst_loses_and_duplicates_nothing(pg, pg_url, tmp_path):
    with EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url, max_successful=None) as t:
        t.log_successful_prompt("warm up", "m")
        assert t.flush(10)
        ids: list[str] = []

        def burst() -> None:
            for i in range(1500):
                ids.append(t.log_successful_prompt(f"burst {i}", "m"))
                if i % 50 == 0:
                    time.sleep(0.01)

        thread = threading.Thread(target=burst)
        thread.start()
        time.sleep(0.1)
        pg.restart(mode="immediate")
        thread.join()
        pg.restart(mode="fast")
        assert t.flush(60)
        assert len({r.id for r in t.records()}) == 1501
    assert _count(pg, pg_url) == (1501, 1501)


def test_workstation_started_while_server_is_down_works_and_delivers(pg, pg_url, tmp_path, caplog):
    pg.stop()
    with EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url) as t:
        ids = [t.log_successful_prompt(f"offline {i}", "m") for i in range(100)]
        t.rate_prompt(ids[3], 5)          # works on the journal: the record is known locally
        assert t.get_record(ids[3]).quality_rating == 5
        assert len(list(t.records())) == 100   # reads merge what waits in the journal
        assert not t.flush(0.3)
        pg.start()
        assert t.flush(60)
    assert _count(pg, pg_url) == (100, 100)
    assert psql_rows(pg, pg_url, "SELECT quality_rating FROM records WHERE quality_rating IS NOT NULL") \
        == [["5"]]
    warnings = [r for r in caplog.records if "cannot write the store" in r.getMessage()]
    assert len(warnings) == 1


def test_close_while_the_server_is_down_does_not_wait_for_it(pg, pg_url, tmp_path):
    pg.stop()
    t = EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url)
    ids = [t.log_successful_prompt(f"offline {i}", "m") for i in range(20)]
    assert not t.flush(1.0)  # the writer has tried the server and failed
    began = time.monotonic()
    t.close(timeout=60)
    assert time.monotonic() - began < 20  # not the 60 s timeout: the journal holds them
    pg.start()
    with EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url) as again:
        assert again.flush(60)
        assert {r.id for r in again.records()} == set(ids)
    assert _count(pg, pg_url) == (20, 20)


def test_kill9_while_offline_delivers_at_next_start(pg, pg_url, tmp_path):
    pg.stop()
    data_dir = tmp_path / "ws"
    proc = workstation("hang", "200", data_dir=data_dir, url=pg_url, wait=False)
    ids = json.loads(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    pg.start()
    with EnhancedPromptTracker(data_dir, database_url=pg_url) as t:
        assert wait_for(lambda: len(list(t.records())) == 200)
        assert t.get_record(ids[0]).quality_rating == 5
    assert _count(pg, pg_url) == (200, 200)
    assert not list((data_dir / "spool").glob("*.jsonl"))


def test_schema_upgrade_by_several_processes_at_once_runs_once(pg, pg_url, tmp_path):
    import psycopg

    from prompt_tracking._storage import pg_schema

    with psycopg.connect(pg_url, autocommit=True) as conn:
        pg_schema.upgrade(conn, target=1)   # a store written by the previous version
    start_at = str(time.time() + 1.5)
    procs = [workstation("open", start_at, data_dir=tmp_path / f"ws{i}", url=pg_url, wait=False)
             for i in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.strip() == "opened", err
    assert psql_rows(pg, pg_url, "SELECT version FROM prompt_tracking_schema ORDER BY version") \
        == [[str(v)] for v in range(1, pg_schema.SCHEMA_VERSION + 1)]
    store = _store(pg_url, "later")
    store.apply([_insert("r1"), _rate("r1", 2000.0, 3)])   # the upgraded schema is usable
    assert store.get("r1").quality_rating == 3
    store.close()


def test_retention_on_a_shared_store_is_per_store_and_off_by_default(pg_url, tmp_path):
    with EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url, max_successful=3) as t:
        for i in range(10):
            t.log_successful_prompt(f"keep {i}", "m")
        assert t.flush(10) and t.enforce_retention(10)
        assert len(list(t.records())) == 10    # a workstation's cap does not evict the team's
        store = t._started().store
        store.set_caps(max_successful=4, max_failed=None)
        assert t.enforce_retention(10)
        assert len(list(t.records())) == 4
