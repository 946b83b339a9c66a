"""Which week of records changed: the version table behind the cached analytics.

Analytics are folded per week of record time (`CHUNK_SECONDS`) and each week's fold is
kept until that week changes. Whether it changed is answered by the database itself, for
any writer (this process, another workstation, a migration, plain SQL):

* SQLite: triggers on `records` give the week of every inserted, updated or deleted row
  (old and new time) a new random version in `analytics_chunks`. SQLite has one writer
  at a time, so the extra upsert never waits for anyone.
* PostgreSQL: every row carries `rev` from a sequence, renewed on each update by a
  trigger; a week's version is its row count and highest `rev`. Any insert or update
  raises the highest `rev` of its week, any delete lowers the count. Nothing is updated
  in a shared row, so workstations writing the same week never wait on each other.
"""
from __future__ import annotations

CHUNK_SECONDS = 7 * 86400
#: Times beyond this many seconds from 1970 (a hostile or broken file) share the first or
#: the last week, whose time range is then open on that side (`bucket_range`).
TIME_LIMIT = 1e13
FIRST_BUCKET = -int(TIME_LIMIT // CHUNK_SECONDS) - 1
LAST_BUCKET = int(TIME_LIMIT // CHUNK_SECONDS)


def _clamped(column: str) -> str:
    return f"max(min({column}, {TIME_LIMIT}), -{TIME_LIMIT})"


def sqlite_bucket(column: str) -> str:
    """The week of `column` (epoch seconds), rounded down also before 1970."""
    t = _clamped(column)
    whole = f"CAST({t} / {CHUNK_SECONDS} AS INTEGER)"
    return f"({whole} - ({t} < {whole} * {CHUNK_SECONDS}))"


def bucket_range(bucket: int) -> tuple[float | None, float | None]:
    """The times of a week as (since inclusive, until exclusive); None is open."""
    since = None if bucket <= FIRST_BUCKET else float(bucket * CHUNK_SECONDS)
    until = None if bucket >= LAST_BUCKET else float((bucket + 1) * CHUNK_SECONDS)
    return since, until


def _bump(row: str) -> str:
    return (f"INSERT INTO analytics_chunks (bucket, version) "
            f"VALUES ({sqlite_bucket(row + '.timestamp')}, random()) "
            f"ON CONFLICT (bucket) DO UPDATE SET version = excluded.version;")


#: Schema step of the SQLite store (statements run one by one, in one transaction).
SQLITE_STEP = [
    "CREATE TABLE IF NOT EXISTS analytics_chunks "
    "(bucket INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
    f"CREATE TRIGGER IF NOT EXISTS records_chunk_insert AFTER INSERT ON records "
    f"BEGIN {_bump('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS records_chunk_update AFTER UPDATE ON records "
    f"BEGIN {_bump('OLD')} {_bump('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS records_chunk_delete AFTER DELETE ON records "
    f"BEGIN {_bump('OLD')} END",
    f"INSERT OR REPLACE INTO analytics_chunks (bucket, version) "
    f"SELECT DISTINCT {sqlite_bucket('timestamp')}, random() FROM records",
]

# floor() first: a week starts on a whole second, and PostgreSQL raises on the underflow
# of dividing a subnormal time (SQLite quietly gives 0).
_PG_T = f"floor(greatest(least(timestamp, {TIME_LIMIT}), -{TIME_LIMIT}))"
_PG_WHOLE = f"trunc({_PG_T} / {CHUNK_SECONDS})::bigint"
# Truncate, then step down when below the week's start: exactly `bucket_of` and the SQLite
# form, so a row's week never depends on how a division rounded near a week's edge.
PG_BUCKET = f"({_PG_WHOLE} - ({_PG_T} < {_PG_WHOLE} * {CHUNK_SECONDS})::int)"

#: Schema step of the PostgreSQL store (one statement per item: function bodies hold `;`).
PG_STEP = [
    "CREATE SEQUENCE IF NOT EXISTS records_rev",
    "ALTER TABLE records ADD COLUMN IF NOT EXISTS rev BIGINT NOT NULL "
    "DEFAULT nextval('records_rev')",
    """CREATE OR REPLACE FUNCTION prompt_tracking_renew_rev() RETURNS trigger AS $$
    BEGIN
        NEW.rev := nextval('records_rev');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS records_renew_rev ON records",
    "CREATE TRIGGER records_renew_rev BEFORE UPDATE ON records "
    "FOR EACH ROW EXECUTE FUNCTION prompt_tracking_renew_rev()",
    f"CREATE INDEX IF NOT EXISTS records_chunk_rev ON records (({PG_BUCKET}), rev)",
]

#: (bucket, version) of every week that holds or held records.
SQLITE_VERSIONS = "SELECT bucket, version FROM analytics_chunks"
PG_VERSIONS = (f"SELECT {PG_BUCKET} AS bucket, count(*)::text || ':' || max(rev)::text "
               f"FROM records GROUP BY 1")
