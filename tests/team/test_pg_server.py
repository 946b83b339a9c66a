import threading
import time

import psycopg
import pytest

from pg_server import PgServer, start_postgres


@pytest.fixture(scope="session")
def pg(tmp_path_factory):
    t0 = time.monotonic()
    srv = start_postgres(tmp_path_factory.mktemp("pg"))
    print(f"\n[pg] started in {time.monotonic() - t0:.3f}s: {srv!r} timings={srv.timings}")
    yield srv
    t0 = time.monotonic()
    srv.close()
    print(f"\n[pg] stopped in {time.monotonic() - t0:.3f}s")


def test_tuple_interface(tmp_path):
    t0 = time.monotonic()
    url, stop = start_postgres(tmp_path)
    started = time.monotonic() - t0
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        t0 = time.monotonic()
        stop()
        print(f"\n[pg tuple] start {started:.3f}s stop {time.monotonic() - t0:.3f}s")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)


def test_create_insert_restart_reconnect(pg):
    with psycopg.connect(pg.url) as conn:
        conn.execute("create table items (id serial primary key, name text not null)")
        conn.execute("insert into items (name) values ('a'), ('b'), ('c')")
        conn.commit()

    old = psycopg.connect(pg.url, autocommit=True)
    t0 = time.monotonic()
    pg.restart()  # fast
    print(f"\n[pg] restart(fast) {time.monotonic() - t0:.3f}s")
    # the old connection is dead after a restart
    with pytest.raises(psycopg.OperationalError):
        old.execute("select 1")
    old.close()

    with psycopg.connect(pg.url) as conn:
        rows = conn.execute("select name from items order by id").fetchall()
        assert rows == [("a",), ("b",), ("c",)]
        conn.execute("insert into items (name) values ('d')")
        conn.commit()

    # crash-style restart: committed data must survive (synchronous_commit=on)
    t0 = time.monotonic()
    pg.restart(mode="immediate")
    print(f"[pg] restart(immediate) {time.monotonic() - t0:.3f}s")
    with psycopg.connect(pg.url) as conn:
        assert conn.execute("select count(*) from items").fetchone() == (4,)


def test_restart_mid_burst(pg):
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute("create table if not exists burst (id serial primary key, n int)")
        conn.execute("truncate burst")

    committed = []
    errors = []
    stop_at = time.monotonic() + 6

    def writer():
        conn = None
        n = 0
        while time.monotonic() < stop_at:
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(pg.url, autocommit=True, connect_timeout=2)
                conn.execute("insert into burst (n) values (%s)", (n,))
                committed.append(n)
                n += 1
            except psycopg.OperationalError as e:
                errors.append(type(e).__name__)
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
        if conn is not None:
            conn.close()

    th = threading.Thread(target=writer)
    th.start()
    time.sleep(1)
    pg.restart(mode="immediate")
    time.sleep(1)
    pg.restart(mode="fast")
    th.join()

    assert errors, "expected the writer to notice the restarts"
    with psycopg.connect(pg.url) as conn:
        in_db = {r[0] for r in conn.execute("select n from burst")}
    # every insert acknowledged to the client is durable across the restarts
    assert set(committed) <= in_db
    print(f"\n[pg] burst: {len(committed)} committed, {len(errors)} errors, {len(in_db)} rows")


def test_wrong_password(pg):
    bad = pg.url.replace(pg.password, "wrong-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(bad, connect_timeout=5)


def test_superuser_url(pg):
    with psycopg.connect(pg.superuser_url) as conn:
        assert conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone() == (True,)
        assert conn.execute("select rolsuper from pg_roles where rolname = %s", (pg.user,)).fetchone() == (False,)


def test_missing_binaries_error(monkeypatch, tmp_path):
    import pg_server

    monkeypatch.setattr(pg_server.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(pg_server.shutil, "which", lambda name: None)
    monkeypatch.setenv("PG_BINDIR", str(tmp_path))
    with pytest.raises(pg_server.PgServerError, match="apt-get install -y postgresql"):
        PgServer(tmp_path)
