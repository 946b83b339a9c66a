"""The shared PostgreSQL store: throughput from N workstations, log latency during an outage.

Run: python benchmarks/bench_team_store.py [--records N] [--workstations 1,2,4] [--url URL]

Without --url a throw-away local server is started (tests/team/pg_server.py; needs the
PostgreSQL server binaries, e.g. `apt-get install -y postgresql`). Every figure is measured
in this one run and printed with its ratio to a baseline from the same run:

* delivery: records/s reaching the server from N workstation processes (each logging N
  records then flushing), against one bare psycopg `executemany` INSERT of the same rows;
* log call p50/p99 with the server up, with the server down (outage) and on the local
  SQLite store, and how long the backlog takes to arrive once the server is back.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "team"))

PROMPT = ("a cinematic portrait of an old fisherman, golden hour, (film grain:1.2), "
          "85mm lens, shallow depth of field, highly detailed")
PARAMS = {"steps": 30, "guidance_scale": 7.5, "width": 1024, "height": 1024, "seed": 1234}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


def worker(n: int) -> None:
    """One workstation: log n records, flush, print the elapsed time."""
    from prompt_tracking import EnhancedPromptTracker

    tracker = EnhancedPromptTracker(max_successful=None, max_failed=None)
    start = time.perf_counter()
    for i in range(n):
        tracker.log_successful_prompt(PROMPT, f"model-{i % 4}", f"/out/{i}.png", "auto", PARAMS)
    ok = tracker.flush(300)
    tracker.close()
    print(json.dumps({"seconds": time.perf_counter() - start, "flushed": ok}))


def fresh_db(srv, name: str) -> str:
    srv.psql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name} OWNER {srv.user};")
    return srv.url.rsplit("/", 1)[0] + f"/{name}"


def bench_delivery(srv, url_base, counts: list[int], n: int, tmp: Path) -> float:
    import psycopg

    from prompt_tracking._storage.pg_schema import upgrade
    from prompt_tracking._storage.pg_writes import INSERT_SQL, insert_params
    from prompt_tracking._cleaning import successful_record

    url = fresh_db(srv, "bench_bare")
    rows = []
    for i in range(n):  # the records a log call builds (cleaned, redacted)
        record = successful_record("bench", PROMPT, f"model-{i % 4}", None, "auto", PARAMS,
                                   None, None)
        rows.append(insert_params(record.to_dict(), "bench"))
    with psycopg.connect(url, autocommit=True) as conn:
        upgrade(conn)
        start = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(INSERT_SQL, rows)
        bare = n / (time.perf_counter() - start)
    print(f"bare executemany INSERT, 1 connection: {bare:10,.0f} records/s  (baseline)")
    for count in counts:
        url = fresh_db(srv, f"bench_ws{count}")
        env_base = {**os.environ, "PROMPT_TRACKING_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, __file__, "--worker", str(n)],
                                  env={**env_base, "PROMPT_TRACKING_HOME": str(tmp / f"ws{count}-{i}")},
                                  stdout=subprocess.PIPE, text=True) for i in range(count)]
        results = [json.loads(p.communicate()[0]) for p in procs]
        wall = time.perf_counter() - start
        assert all(r["flushed"] for r in results)
        with psycopg.connect(url) as conn:
            total = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        assert total == count * n, total
        # From the first log call to the last record committed, in the slowest workstation
        # (process start and imports excluded; the wall time with them is printed too).
        busy = max(r["seconds"] for r in results)
        rate = total / busy
        print(f"{count} workstation(s) x {n:,} records: {rate:10,.0f} records/s delivered "
              f"(log+deliver {busy:.2f} s, wall {wall:.2f} s)  ratio to bare {rate / bare:.2f}x")
    return bare


def timed_logs(tracker, n: int) -> list[float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        tracker.log_successful_prompt(PROMPT, "seedream-4.0", f"/out/{i}.png", "auto", PARAMS)
        samples.append(time.perf_counter() - start)
    return samples


def bench_outage(srv, n: int, tmp: Path) -> None:
    from prompt_tracking import EnhancedPromptTracker

    local = EnhancedPromptTracker(tmp / "local", max_successful=None)
    local.log_successful_prompt("warm up", "m")
    local.flush()
    base = percentiles(timed_logs(local, n))
    local.close()
    url = fresh_db(srv, "bench_outage")
    shared = EnhancedPromptTracker(tmp / "shared", database_url=url, max_successful=None)
    shared.log_successful_prompt("warm up", "m")
    shared.flush(30)
    up = percentiles(timed_logs(shared, n))
    shared.flush(60)
    srv.stop()
    down = percentiles(timed_logs(shared, n))
    srv.start()
    start = time.perf_counter()
    assert shared.flush(120)
    backlog = time.perf_counter() - start
    shared.close()
    print(f"log call, local SQLite store : p50 {base[0] * 1e6:7.1f} us  p99 {base[1] * 1e6:7.1f} us"
          "  (baseline)")
    for label, (p50, p99) in (("shared store, server up  ", up), ("shared store, server DOWN", down)):
        print(f"log call, {label}: p50 {p50 * 1e6:7.1f} us  p99 {p99 * 1e6:7.1f} us  "
              f"ratio p50 {p50 / base[0]:.2f}x  p99 {p99 / base[1]:.2f}x")
    print(f"backlog of {n:,} records delivered {backlog:.2f} s after the server came back "
          "(includes the writer's retry backoff, at most 5 s)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--workstations", default="1,2,4")
    parser.add_argument("--worker", type=int)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    from pg_server import start_postgres

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        srv = start_postgres(tmp / "pg", fast=False)  # fsync on: what a real server does
        try:
            counts = [int(c) for c in args.workstations.split(",")]
            bench_delivery(srv, srv.url, counts, args.records, tmp)
            bench_outage(srv, args.records, tmp)
        finally:
            srv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
