"""Analytics computed in PostgreSQL give the record path's answers (real server)."""
from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.analytics.analysis import compute_analytics, load_records
from prompt_tracking.analytics.db_source import database_sections
from prompt_tracking.analytics.sql import Filters
from prompt_tracking.synthetic.history import generate_records

SECTIONS = ("overview", "quality", "failures", "usage", "parameters", "patterns")


def _as_json(sections) -> dict[str, str]:
    data = {k: [asdict(x) for x in v] if isinstance(v, list) else asdict(v)
            for k, v in sections.items()}
    return {k: json.dumps(data[k]) for k in SECTIONS}


@pytest.fixture
def shared(pg_url, tmp_path):
    tracker = EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url,
                                    max_successful=None, max_failed=None)
    tracker.import_records(generate_records(3000, seed=11))
    assert tracker.flush(60)
    yield tracker, list(tracker.records())
    tracker.close()


@pytest.mark.parametrize("kw", [{}, {"outcome": "failure"}, {"models": ["seedream-4.0"]},
                                {"min_samples": 5}])
def test_postgresql_aggregates_match_the_record_path(shared, kw):
    tracker, records = shared
    min_samples = kw.pop("min_samples", 30)
    models = tuple(kw["models"]) if "models" in kw else None
    sections = database_sections(tracker, Filters(models, None, None, kw.get("outcome")),
                                 min_samples=min_samples)
    assert sections is not None, "the database path was not used"
    expected = compute_analytics(load_records(records, **kw), min_samples=min_samples, **kw)
    new = _as_json(sections)
    old = _as_json({k: getattr(expected, k) for k in SECTIONS})
    for name in SECTIONS:
        assert json.loads(new[name]) == json.loads(old[name]), name
        assert new[name] == old[name], f"{name}: same values, different order"


def test_tracker_analytics_on_the_shared_store_sees_new_edits(shared):
    tracker, records = shared
    before = tracker.analytics().overview
    assert before.total == len(records)
    unrated = next(r for r in records if r.quality_rating is None)
    tracker.rate_prompt(unrated.id, 5)
    assert tracker.flush(30)
    after = tracker.analytics().overview
    assert after.rated == before.rated + 1


def test_aggregates_run_on_a_second_connection_on_the_same_snapshot(shared, monkeypatch):
    from prompt_tracking.analytics import db_source

    tracker, _ = shared
    shared_ok = []
    real = db_source._share_snapshot
    monkeypatch.setattr(db_source, "_share_snapshot",
                        lambda conn, aux: shared_ok.append(real(conn, aux)) or shared_ok[-1])
    assert database_sections(tracker, Filters(), min_samples=30) is not None
    assert shared_ok == [True]


def test_kept_weeks_follow_edits_made_on_the_server(shared, pg, pg_url, monkeypatch):
    """Week folds kept by this workstation are renewed when anyone changes their week."""
    from prompt_tracking.analytics import chunked, db_cache, fold_cache

    from conftest import psql_rows

    tracker, records = shared
    folded: list[int] = []
    real = chunked.fold_database
    monkeypatch.setattr(chunked, "fold_database",
                        lambda *a, **k: folded.append(1) or real(*a, **k))

    def answer() -> str:
        db_cache.clear()
        return json.dumps(_as_json(database_sections(tracker, Filters(), min_samples=30)))

    def record_path() -> str:
        expected = compute_analytics(list(tracker.records()), min_samples=30)
        return json.dumps(_as_json({k: getattr(expected, k) for k in SECTIONS}))

    first = answer()
    weeks = len(folded)
    assert weeks > 10 and first == record_path()
    folded.clear()
    fold_cache.clear_memory()  # a restarted workstation: the weeks come from its cache file
    assert answer() == first and not folded
    # another workstation (plain SQL here) rates the oldest record and deletes the newest
    psql_rows(pg, pg_url, "UPDATE records SET quality_rating = 1 WHERE id = (SELECT id FROM "
                          "records WHERE success = 1 ORDER BY timestamp LIMIT 1)")
    psql_rows(pg, pg_url, "DELETE FROM records WHERE id = (SELECT id FROM records "
                          "ORDER BY timestamp DESC LIMIT 1)")
    assert answer() == record_path()
    assert 2 <= len(folded) < weeks


def test_migration_into_the_shared_store_counts_what_the_server_holds(pg_url, tmp_path):
    """The report's totals and duplicates come from the server, not the empty local dir."""
    import sys
    from pathlib import Path

    from prompt_tracking.migration import migrate

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "migration"))
    import make_fixtures as fixtures

    sources = [fixtures.HERE / name for name in fixtures.EXPECTED if name != "images"]
    with EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url,
                               max_successful=None, max_failed=None) as tracker:
        tracker.import_records(generate_records(50, seed=2))
        assert tracker.flush(60)
        first = migrate(sources, tracker=tracker)
        assert tracker.flush(60)
        held = tracker.stats()
        assert first.totals_after == {"successful": held["successful"], "failed": held["failed"]}
        assert held["total"] == 50 + first.imported
    with EnhancedPromptTracker(tmp_path / "other-ws", database_url=pg_url,
                               max_successful=None, max_failed=None) as elsewhere:
        again = migrate(sources, tracker=elsewhere)  # a workstation that never saw them
        assert again.imported == 0 and again.duplicates == first.imported + first.duplicates


def test_the_server_puts_each_row_in_the_week_whose_time_range_holds_it(pg_url):
    import psycopg

    from prompt_tracking._storage.chunks import PG_BUCKET

    sys_path_tests = __import__("pathlib").Path(__file__).resolve().parents[1] / "core"
    __import__("sys").path.insert(0, str(sys_path_tests))
    from test_analytics_weeks import _edge_times, _in_its_week

    with psycopg.connect(pg_url) as conn:
        for t in _edge_times():
            query = f"SELECT {PG_BUCKET} FROM (SELECT %s::float8 AS timestamp) AS r"
            (bucket,), = conn.execute(query, (t,)).fetchall()
            assert _in_its_week(t, bucket), t


def test_caps_command_sets_the_shared_stores_caps_for_every_workstation(pg_url, tmp_path, capsys):
    from prompt_tracking.cli.main import main

    with EnhancedPromptTracker(tmp_path / "ws1", database_url=pg_url,
                               max_successful=None, max_failed=None) as tracker:
        tracker.import_records(generate_records(60, seed=4))
        assert tracker.flush(60)
        successful = tracker.stats()["successful"]
    assert successful > 10
    url = ["--data-dir", str(tmp_path / "ws2"), "--database-url", pg_url]
    assert main([*url, "caps"]) == 0
    assert "successful no cap, failed no cap" in capsys.readouterr().out  # the default
    assert main([*url, "caps", "--successful", "10"]) == 0
    out = capsys.readouterr().out
    password = pg_url.split("//", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert "set: successful 10, failed no cap" in out and password not in out
    with EnhancedPromptTracker(tmp_path / "ws3", database_url=pg_url) as other:
        assert other.flush(30) and other.enforce_retention(30)
        assert other.stats()["successful"] == 10  # the store's cap, not ws3's local one
    assert main([*url, "caps"]) == 0
    assert "successful 10, failed no cap" in capsys.readouterr().out
    assert "PROMPT_TRACKING_DATABASE_URL" not in __import__("os").environ  # main() cleaned up
