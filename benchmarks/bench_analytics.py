"""Time and memory of `tracker.analytics()` on real SQLite stores, against pandas on the same file.

For each size a store is filled with synthetic history, then in the same run:
  * cold:      `tracker.analytics()` with nothing kept anywhere (no week folds on disk or in
               memory, no cached terms): every week is folded from rows, once per store;
  * start:     a new process on a store analysed before: the week folds come from the
               cache file next to the store, nothing from memory (what opening the
               analytics window or `prompt-tracker stats` pays);
  * changed:   after one new record and one rating of an old record (what the analytics
               window pays on each refresh: the changed weeks are folded again);
  * unchanged: a repeated call while the file is unchanged (served from the cache);
  * records:   `compute_analytics(list(tracker.records()))`, the record path, for reference;
  * pandas:    `read_sql` of the plain columns plus groupby per model, reason, day and rating,
               what a notebook user would write (the baseline of issue 19, target <= 1.5x).
Peak memory is tracemalloc's peak during one first call (Python allocations, not SQLite's
page cache). Ratios are against pandas in the same run. Prints results and does not assert.

With --postgres, the same records are then copied to a throw-away PostgreSQL server
(started like the team tests do: initdb + pg_ctl) and `analytics()` of a tracker on that
shared store is timed against pandas `read_sql` of the same columns from that server.

Run: python benchmarks/bench_analytics.py [--sizes 10000 100000 300000] [--repeat 3]
         [--no-records] [--postgres]
"""
from __future__ import annotations

import argparse
import warnings
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prompt_tracking.analytics import database, db_cache, fold_cache  # noqa: E402
from prompt_tracking.analytics.analysis import compute_analytics  # noqa: E402
from prompt_tracking.synthetic.history import fill_store  # noqa: E402
from prompt_tracking.tracker import EnhancedPromptTracker  # noqa: E402


def best_time(fn, repeat: int, before=None) -> float:
    """Fastest of `repeat` calls, in seconds (`before` runs untimed before each)."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mib(fn) -> float:
    """Peak traced allocation of one call, in MiB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


PANDAS_COLUMNS = ("SELECT timestamp, ai_model, success, failure_reason, quality_rating, "
                  "save_method FROM records")


def pandas_tables(df) -> None:
    """The few groupby a notebook user would write: per model, reason, day, rating, save."""
    df.groupby("ai_model").agg(n=("success", "size"), ok=("success", "sum"),
                               rating=("quality_rating", "mean"))
    df[df.success == 0].groupby(["ai_model", "failure_reason"]).size()
    df.groupby(df.timestamp // 86_400).agg(n=("success", "size"), ok=("success", "sum"))
    df.groupby("quality_rating").size()
    df.groupby("save_method").agg(n=("success", "size"), rating=("quality_rating", "mean"))


def pandas_baseline(db_path: Path) -> None:
    """read_sql plus a few groupby: the per-model, per-reason, per-day and rating tables."""
    import pandas as pd

    conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        df = pd.read_sql(PANDAS_COLUMNS, conn)
    finally:
        conn.close()
    pandas_tables(df)


def pandas_postgres(url: str) -> None:
    """`pandas_baseline` with the columns read from the PostgreSQL server."""
    import pandas as pd
    import psycopg

    from prompt_tracking._storage.pgurl import DatabaseURL

    with psycopg.connect(**DatabaseURL.parse(url).connect_kwargs(connect_timeout=10)) as conn:
        df = pd.read_sql(PANDAS_COLUMNS, conn)  # type: ignore[call-overload]
    pandas_tables(df)


class Postgres:
    """A throw-away server (the team tests' harness) and one fresh database per size."""

    def __init__(self, base: Path) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "team"))
        from pg_server import start_postgres

        self.server = start_postgres(base)

    def database(self, name: str) -> str:
        self.server.psql(f"CREATE DATABASE {name} OWNER {self.server.user};")
        return self.server.url.rsplit("/", 1)[0] + f"/{name}"

    def run(self, source: EnhancedPromptTracker, n: int, repeat: int, tmp: str) -> None:
        from prompt_tracking._storage.pgurl import DatabaseURL
        from prompt_tracking._storage.postgres import PostgresStore

        url = self.database(f"bench_{n}")
        store = PostgresStore(DatabaseURL.parse(url), rater_id="bench")
        store.open()
        batch: list = []
        for record in source.records():
            batch.append(record)
            if len(batch) == 10_000:
                store.insert_many(batch)
                batch = []
        store.insert_many(batch)
        store.close()
        self.server.psql("VACUUM ANALYZE records;", f"bench_{n}")
        shared = EnhancedPromptTracker(Path(tmp) / f"pg{n}", database_url=url,
                                       max_successful=None, max_failed=None)
        shared.warm_delay = None
        try:
            baseline = best_time(lambda: pandas_postgres(url), repeat)
            cold = best_time(shared.analytics, 1, before=lambda: forget_everything(shared))
            start = best_time(shared.analytics, repeat, before=forget_memory)
            state: dict = {}
            changed = best_time(shared.analytics, repeat, before=lambda: change(shared, state))
            total = shared.analytics().overview.total
            print(f"{'pg ' + str(n):>8} {baseline:>9.3f} {cold:>7.3f} {cold / baseline:>6.2f} "
                  f"{start:>8.3f} {start / baseline:>6.2f} {changed:>10.3f} "
                  f"{changed / baseline:>6.2f}   (records seen: {total})", flush=True)
        finally:
            shared.close()

    def close(self) -> None:
        self.server.close()


def forget_memory() -> None:
    """What a new process does not have: results, week folds and terms held in memory."""
    db_cache.clear()
    fold_cache.clear_memory()
    database.TERMS._prompts.clear()
    database.TERMS._segments.clear()


def forget_everything(tracker: EnhancedPromptTracker) -> None:
    """Also the week folds on disk."""
    forget_memory()
    (tracker.data_dir / fold_cache.FILE_NAME).unlink(missing_ok=True)


def change(tracker: EnhancedPromptTracker, state: dict) -> None:
    """One new record and one new rating of an old one, committed."""
    state["n"] = state.get("n", 0) + 1
    tracker.log_successful_prompt(f"a new fox {state['n']}", "seedream-4.0",
                                  f"https://example.invalid/{state['n']}.png")
    oldest = next(iter(tracker.records(limit=1, outcome="success", newest_first=False)))
    tracker.rate_prompt(oldest.id, 1 + state["n"] % 5)
    tracker.flush()


def main() -> None:
    warnings.filterwarnings("ignore", message=".*SQLAlchemy.*")  # pandas on a psycopg conn
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-records", action="store_true", help="skip the record-path timing")
    parser.add_argument("--postgres", action="store_true",
                        help="also time analytics on a PostgreSQL copy of each store")
    args = parser.parse_args()
    print(f"{'records':>8} {'pandas s':>9} {'cold s':>7} {'ratio':>6} {'start s':>8} "
          f"{'ratio':>6} {'changed s':>10} {'ratio':>6} {'unchanged s':>12} {'records s':>10} "
          f"{'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        server = Postgres(Path(tmp) / "pg") if args.postgres else None
        for n in args.sizes:
            tracker = EnhancedPromptTracker(Path(tmp) / str(n), max_successful=None,
                                            max_failed=None)
            tracker.warm_delay = None  # no background folding while timing
            fill_store(tracker, n, seed=0)
            tracker.flush()
            baseline = best_time(lambda: pandas_baseline(tracker.db_path), args.repeat)
            cold = best_time(tracker.analytics, args.repeat,
                             before=lambda: forget_everything(tracker))
            start = best_time(tracker.analytics, args.repeat, before=forget_memory)
            state: dict = {}
            changed = best_time(tracker.analytics, args.repeat,
                                before=lambda: change(tracker, state))
            tracker.analytics()
            unchanged = best_time(tracker.analytics, args.repeat)
            old = float("nan") if args.no_records else best_time(
                lambda: compute_analytics(list(tracker.records())), 1)
            forget_memory()
            peak = peak_mib(tracker.analytics)
            print(f"{n:>8} {baseline:>9.3f} {cold:>7.3f} {cold / baseline:>6.2f} "
                  f"{start:>8.3f} {start / baseline:>6.2f} "
                  f"{changed:>10.3f} {changed / baseline:>6.2f} {unchanged:>12.4f} "
                  f"{old:>10.3f} {peak:>9.1f}", flush=True)
            if server is not None:
                server.run(tracker, n, args.repeat, tmp)
            tracker.close()
        if server is not None:
            server.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the whole run: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
