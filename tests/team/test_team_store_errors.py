"""Bad URL, wrong password, missing database, missing driver: one clear message, no password
anywhere, and the app keeps working on its local journal."""
from __future__ import annotations

import builtins
import logging
from pathlib import Path

import pytest

from conftest import psql_rows, workstation
from prompt_tracking import EnhancedPromptTracker
from prompt_tracking._storage.pgurl import DatabaseURL, DatabaseURLError, DriverMissingError, \
    mask_url, require_psycopg
from prompt_tracking.cli.main import main


@pytest.mark.parametrize("url, shown", [
    ("postgresql://artist:s3cr%40t@db.studio.lan:5432/prompts",
     "postgresql://artist@db.studio.lan:5432/prompts"),
    ("postgres://artist:pw@db/prompts?sslmode=verify-full",
     "postgresql://artist@db/prompts?sslmode=verify-full"),
    ("postgresql://db.studio.lan/prompts", "postgresql://db.studio.lan/prompts"),
])
def test_url_is_shown_without_its_password(url, shown):
    parsed = DatabaseURL.parse(url)
    assert str(parsed) == shown
    assert parsed.masked() == shown
    assert "pw" not in repr(parsed) and "s3cr" not in repr(parsed)
    assert "s3cr" not in mask_url(url) and ":pw@" not in mask_url(url)


def test_sslmode_and_password_reach_the_driver():
    kwargs = DatabaseURL.parse("postgresql://u:p%2Fq@h:6543/d?sslmode=require").connect_kwargs(
        connect_timeout=3)
    assert (kwargs["sslmode"], kwargs["password"], kwargs["port"], kwargs["dbname"]) == \
        ("require", "p/q", 6543, "d")


@pytest.mark.parametrize("url, words", [
    ("mysql://u:topsecret@h/d", "postgresql://"),
    ("postgresql://u:topsecret@h", "names no database"),
    ("postgresql://u:topsecret@h/d?sslmod=require", "unknown option"),
    ("postgresql://u:topsecret@h:99999/d", "not a valid URL"),
])
def test_bad_url_is_refused_with_the_password_masked(url, words):
    with pytest.raises(DatabaseURLError, match=words) as info:
        DatabaseURL.parse(url)
    assert "topsecret" not in str(info.value)


def test_missing_driver_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name == "psycopg" or name.startswith("psycopg."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(DriverMissingError, match=r"prompt-tracking\[postgres\]"):
        require_psycopg()


def _all_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())


def _store_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "cannot write the store" in r.getMessage()]


def test_wrong_password_one_message_journal_kept_then_delivered(pg, pg_url, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    bad = pg_url.replace(pg.password, "not-the-password-123")
    data_dir = tmp_path / "ws"
    t = EnhancedPromptTracker(data_dir, database_url=bad)
    ids = [t.log_successful_prompt(f"p {i}", "m") for i in range(20)]
    t.rate_prompt(ids[0], 4)
    assert not t.flush(0.5)
    assert len(list(t.records())) == 20
    t.close(timeout=0.3)   # the store never opened: what is left stays in the journal
    messages = _store_warnings(caplog)
    assert len(messages) == 1
    assert "wrong user or password" in messages[0]
    assert DatabaseURL.parse(pg_url).masked().rsplit("/", 1)[0] in messages[0]
    assert "not-the-password-123" not in caplog.text
    assert b"not-the-password-123" not in _all_bytes(data_dir)
    # The journal kept everything: the next start with the right password delivers it.
    with EnhancedPromptTracker(data_dir, database_url=pg_url) as t:
        assert t.flush(10)
        assert len(list(t.records())) == 20
        assert t.get_record(ids[0]).quality_rating == 4


def test_missing_database_is_one_clear_message(pg, pg_url, tmp_path, caplog):
    missing = pg_url.rsplit("/", 1)[0] + "/no_such_db"
    t = EnhancedPromptTracker(tmp_path / "ws", database_url=missing)
    t.log_successful_prompt("p", "m")
    assert not t.flush(0.5)
    t.close(timeout=0.3)
    messages = _store_warnings(caplog)
    assert len(messages) == 1 and 'database "no_such_db" does not exist' in messages[0]
    assert pg.password not in caplog.text


def test_malformed_url_keeps_the_app_on_its_journal(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("PROMPT_TRACKING_DATABASE_URL", "postgresql://u:hunter2hunter2@h")
    t = EnhancedPromptTracker(tmp_path / "ws")
    record_id = t.log_successful_prompt("p", "m")
    assert t.get_record(record_id) is not None
    assert not t.flush(0.3)
    assert t.database_url == "postgresql://u@h"
    t.close(timeout=0.3)
    messages = _store_warnings(caplog)
    assert len(messages) == 1 and "names no database" in messages[0]
    assert "hunter2hunter2" not in caplog.text
    assert b"hunter2hunter2" not in _all_bytes(tmp_path / "ws")
    assert list((tmp_path / "ws" / "spool").glob("*.jsonl"))  # kept for when the URL is fixed


def test_password_never_in_logs_files_or_output_through_an_outage(pg, pg_url, tmp_path, caplog,
                                                                  capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "ws"
    with EnhancedPromptTracker(data_dir, database_url=pg_url) as t:
        t.log_successful_prompt("before", "m")
        assert t.flush(10)
        pg.stop()
        t.log_failed_prompt("during", "m", "server error 500")
        list(t.records())
        pg.start()
        assert t.flush(30)
    monkeypatch.setenv("PROMPT_TRACKING_DATABASE_URL", "")
    for argv in (["where"], ["stats"], ["stats", "--json"]):
        assert main(["--data-dir", str(data_dir), "--database-url", pg_url, *argv]) == 0
    out = capsys.readouterr()
    assert "2 prompts" in out.out and "shared store: postgresql://app@" in out.out
    assert pg.password not in out.out + out.err + caplog.text
    assert pg.password.encode() not in _all_bytes(data_dir)
    result = workstation("log", "3", "cli", data_dir=tmp_path / "proc", url=pg_url)
    assert pg.password not in result.stdout + result.stderr
    assert pg.password.encode() not in _all_bytes(tmp_path / "proc")
    assert psql_rows(pg, pg_url, "SELECT COUNT(*) FROM records") == [["5"]]


def test_cli_refuses_a_bad_url_in_one_line(capsys):
    assert main(["--database-url", "postgresql://u:hunter2hunter2@h", "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "names no database" in err and "hunter2" not in err
