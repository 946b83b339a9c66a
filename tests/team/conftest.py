"""Fixtures for the team-store tests: one real PostgreSQL server per run, a fresh database
per test, and workstation processes with their own data dirs.

The server is started by `pg_server.py` (initdb + pg_ctl as an unprivileged user, so it
works as root too); CI installs it with `apt-get install -y postgresql`.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from pg_server import start_postgres

HERE = Path(__file__).resolve().parent
WORKER = HERE / "workstation.py"
ROOT = HERE.parent.parent


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    srv = start_postgres(tmp_path_factory.mktemp("team-pg"))
    yield srv
    srv.close()


@pytest.fixture
def pg(pg_server):
    """The server, running (a test that stopped it gets it started again afterwards)."""
    yield pg_server
    if not pg_server.running:
        pg_server.start()


@pytest.fixture
def pg_url(pg):
    """The URL of a fresh, empty database owned by the app role."""
    name = f"t_{secrets.token_hex(6)}"
    pg.psql(f"CREATE DATABASE {name} OWNER {pg.user};")
    return pg.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(autouse=True)
def _no_url_from_env(monkeypatch):
    monkeypatch.delenv("PROMPT_TRACKING_DATABASE_URL", raising=False)


def workstation(*args: str, data_dir: Path, url: str, wait: bool = True,
                **popen: object) -> subprocess.CompletedProcess | subprocess.Popen:
    """Run `workstation.py` as a separate process with its own data dir."""
    env = {**os.environ, "PROMPT_TRACKING_HOME": str(data_dir),
           "PROMPT_TRACKING_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(WORKER), *args]
    if wait:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)  # type: ignore[call-overload]


def psql_rows(pg, url: str, sql: str) -> list[list[str]]:
    out = pg.psql(sql, url.rsplit("/", 1)[1])
    return [line.split("|") for line in out.splitlines() if line]
