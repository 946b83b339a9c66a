"""The shared store's PostgreSQL schema, its version table and its upgrades.

Columns match the SQLite `records` table (same names, `success` stays 0/1) so the same
filters and aggregate queries work on both. Extra columns carry, for each field a user can
edit (rating, feedback, tags, keep, failure reason), the time of the edit and the rater id
that made it: the newest edit wins whatever order the workstations deliver them in.

Upgrades run inside one transaction holding an advisory lock, so workstations starting
together apply each step exactly once (the version table's primary key would refuse twice).
"""
from __future__ import annotations

import logging
from typing import Any

from prompt_tracking._storage.chunks import PG_STEP

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same for every workstation of this project.
ADVISORY_LOCK_KEY = 0x70745F7363686D61  # "pt_schma"
VERSION_TABLE = "prompt_tracking_schema"

# Fields whose last edit wins, each with an `<field>_at` time and `<field>_by` rater id.
EDITABLE = ("quality_rating", "feedback", "tags", "save_method", "failure_reason")

_V1 = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT COLLATE "C" PRIMARY KEY,
    timestamp DOUBLE PRECISION NOT NULL,
    prompt TEXT NOT NULL,
    ai_model TEXT NOT NULL,
    success SMALLINT NOT NULL,
    result_url TEXT,
    save_method TEXT,
    model_parameters JSONB NOT NULL DEFAULT '{}',
    error_message TEXT,
    failure_reason TEXT,
    quality_rating SMALLINT,
    feedback TEXT,
    tags JSONB NOT NULL DEFAULT '[]',
    metadata JSONB NOT NULL DEFAULT '{}',
    workstation TEXT,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS records_time ON records (timestamp, id);
CREATE INDEX IF NOT EXISTS records_model_time ON records (ai_model, timestamp);
CREATE INDEX IF NOT EXISTS records_outcome_time ON records (success, timestamp);
"""

_V2 = "\n".join(
    f"ALTER TABLE records ADD COLUMN IF NOT EXISTS {f}_at DOUBLE PRECISION;\n"
    f"ALTER TABLE records ADD COLUMN IF NOT EXISTS {f}_by TEXT NOT NULL DEFAULT '';"
    for f in EDITABLE) + """
CREATE TABLE IF NOT EXISTS ratings (
    record_id TEXT COLLATE "C" NOT NULL,
    rater_id TEXT NOT NULL,
    quality_rating SMALLINT,
    rated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (record_id, rater_id)
);
CREATE TABLE IF NOT EXISTS store_settings (
    key TEXT PRIMARY KEY,
    value JSONB
);
"""

# Index i upgrades version i to i + 1. A step is a script of plain statements, or a list
# of statements when they hold ";" (function bodies). V3: per-week versions (chunks.py).
MIGRATIONS: list[str | list[str]] = [_V1, _V2, PG_STEP]
SCHEMA_VERSION = len(MIGRATIONS)


def upgrade(conn: Any, *, target: int = SCHEMA_VERSION, applied_by: str = "") -> int:
    """Bring the schema to `target` (default: the newest); returns the version found before.

    Runs in its own transaction under `pg_advisory_xact_lock`: a second workstation
    starting at the same moment waits, then finds the work done.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        conn.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
                     "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
                     "applied_by TEXT NOT NULL DEFAULT '')")
        row = conn.execute(f"SELECT COALESCE(MAX(version), 0) FROM {VERSION_TABLE}").fetchone()
        found = int(row[0])
        if found > SCHEMA_VERSION:
            log.warning("prompt-tracking: the shared store has schema %d; this version knows %d "
                        "(upgrade prompt-tracking on this workstation)", found, SCHEMA_VERSION)
            return found
        for version in range(found, target):
            step = MIGRATIONS[version]
            for statement in step if isinstance(step, list) else step.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"INSERT INTO {VERSION_TABLE} (version, applied_by) VALUES (%s, %s)",
                         (version + 1, applied_by))
            log.info("prompt-tracking: shared store upgraded to schema %d", version + 1)
        return found
