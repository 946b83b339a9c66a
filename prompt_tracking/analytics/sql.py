"""The aggregate queries behind database analytics, for SQLite and PostgreSQL.

Each function returns the SQL text and parameters of one query over the `records` table
(the same column names on both backends; JSON columns are TEXT on SQLite, JSONB on
PostgreSQL; `success` is 0/1 on both). Only the fragments that differ between the two
live in `Dialect`, so a new backend adds a dialect rather than new queries.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Sequence

from prompt_tracking.analytics.columns import TRAITS

#: The characteristic bins of `sections._CHARACTERISTICS` as (trait, right-open edges).
BIN_EDGES: dict[str, tuple[str, Sequence[float]]] = {
    "words": ("words", (1, 6, 11, 21, 41)),
    "segments": ("segments", (2, 4, 7)),
    "weight_syntax": ("weight_syntax", (1, 3)),
    "negative_prompt": ("has_negative_prompt", (1,)),
    "special_characters": ("special_characters", (1, 5, 11)),
}


@dataclasses.dataclass(frozen=True)
class Dialect:
    """The SQL fragments that differ between backends."""

    name: str
    placeholder: str

    @property
    def no_flatten(self) -> str:
        """Appended to a subquery so its expressions run once per row, not once per use."""
        return " LIMIT -1" if self.name == "sqlite" else ""

    def trait(self, key: str) -> str:
        """A metadata trait as a number: missing/null as 0, bools as 0/1, text/list/dict as NULL.

        NULL marks values the Python analytics would coerce from text; the caller then
        falls back to the Python path rather than guess.
        """
        if self.name == "sqlite":
            path = f"'$.{key}'"
            return (f"CASE WHEN json_type(metadata, {path}) IN ('text', 'array', 'object') "
                    f"THEN NULL ELSE coalesce(json_extract(metadata, {path}), 0) END")
        v = f"(metadata -> '{key}')"
        return (f"CASE jsonb_typeof({v}) WHEN 'number' THEN ({v})::float8 "
                f"WHEN 'boolean' THEN CASE WHEN ({v})::boolean THEN 1 ELSE 0 END "
                f"WHEN 'string' THEN NULL WHEN 'array' THEN NULL WHEN 'object' THEN NULL "
                f"ELSE 0 END")

    def meta_value(self, key: str) -> str:
        """A metadata value as a plain SQL value (text unquoted; missing and null as NULL)."""
        if self.name == "sqlite":
            return f"json_extract(metadata, '$.{key}')"
        return f"(metadata ->> '{key}')"

    def meta_json(self, key: str) -> str:
        """A metadata value as JSON text ('null' when missing), decoded in Python."""
        if self.name == "sqlite":
            return f"json_quote(json_extract(metadata, '$.{key}'))"
        return f"coalesce((metadata -> '{key}')::text, 'null')"

    def flag(self, condition: str) -> str:
        """A condition as 0/1."""
        return f"({condition})" if self.name == "sqlite" else f"(({condition})::int)"

    def day(self) -> str:
        """Whole UTC days since the epoch, rounded down (also before 1970)."""
        if self.name == "sqlite":
            trunc = "CAST(timestamp / 86400 AS INTEGER)"
            return f"({trunc} - (timestamp < {trunc} * 86400))"
        return "floor(timestamp / 86400)::bigint"

    def parameters_from(self) -> str:
        """FROM clause giving one row per (record, parameter): columns p_key, p_type, p_value."""
        if self.name == "sqlite":
            return ("(SELECT r.*, j.key AS p_key, j.type AS p_type, j.value AS p_value "
                    "FROM records AS r, json_each(r.model_parameters) AS j) AS records")
        # jsonb keeps a number's text ("5" against "5.0"), which tells ints from floats as
        # Python's json module does.
        return ("(SELECT r.*, j.key AS p_key, "
                "CASE jsonb_typeof(j.value) WHEN 'number' THEN "
                "CASE WHEN (j.value #>> '{}') ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END "
                "WHEN 'string' THEN 'text' WHEN 'boolean' THEN (j.value #>> '{}') "
                "ELSE jsonb_typeof(j.value) END AS p_type, "
                "CASE jsonb_typeof(j.value) WHEN 'number' THEN (j.value #>> '{}') "
                "WHEN 'string' THEN (j.value #>> '{}') WHEN 'boolean' THEN "
                "CASE WHEN (j.value)::boolean THEN '1' ELSE '0' END "
                "ELSE (j.value)::text END AS p_value "
                "FROM records AS r, jsonb_each(r.model_parameters) AS j) AS records")

    def number(self, expr: str) -> str:
        """A parameter value as a number for sums (only used where the type is numeric)."""
        return expr if self.name == "sqlite" else f"({expr})::float8"

    def seed_name(self, column: str) -> str:
        """True where a parameter name contains "seed" in any case."""
        if self.name == "sqlite":
            return f"instr(lower({column}), 'seed') > 0"
        return f"strpos(lower({column}), 'seed') > 0"

    def seed_exact(self, column: str) -> str:
        """True where a parameter name contains "seed" exactly (case-sensitive)."""
        if self.name == "sqlite":
            return f"instr({column}, 'seed') > 0"
        return f"strpos({column}, 'seed') > 0"


SQLITE = Dialect("sqlite", "?")
POSTGRESQL = Dialect("postgresql", "%s")
DIALECTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


@dataclasses.dataclass(frozen=True)
class Filters:
    """The analytics filters: models, time range (since inclusive, until exclusive), outcome."""

    models: tuple[str, ...] | None = None
    since: float | None = None
    until: float | None = None
    outcome: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        """The filters as keyword arguments of `tracker.analytics()` / `records()`."""
        return {"models": list(self.models) if self.models is not None else None,
                "since": self.since, "until": self.until, "outcome": self.outcome}

    def where(self, dialect: Dialect) -> tuple[str, list[Any]]:
        """A WHERE condition (without the keyword) and its parameters."""
        clauses: list[str] = ["1 = 1"]
        params: list[Any] = []
        ph = dialect.placeholder
        if self.models is not None:
            clauses.append(f"ai_model IN ({','.join([ph] * len(self.models))})"
                           if self.models else "1 = 0")
            params.extend(self.models)
        if self.since is not None:
            clauses.append(f"timestamp >= {ph}")
            params.append(self.since)
        if self.until is not None:
            clauses.append(f"timestamp < {ph}")
            params.append(self.until)
        if self.outcome is not None:
            clauses.append(f"success = {ph}")
            params.append(1 if self.outcome == "success" else 0)
        return " AND ".join(clauses), params


Query = tuple[str, list[Any]]


def cube(d: Dialect, f: Filters) -> Query:
    """Counts per model, outcome, reason, rating and save method, with the newest time of each."""
    where, params = f.where(d)
    return (f"SELECT ai_model, success, failure_reason, quality_rating, save_method, COUNT(*), "
            f"MIN(timestamp), MAX(timestamp) FROM records WHERE {where} "
            f"GROUP BY ai_model, success, failure_reason, quality_rating, save_method", params)


def days(d: Dialect, f: Filters) -> Query:
    """Outcome and rating per UTC day."""
    where, params = f.where(d)
    return (f"SELECT {d.day()} AS day, COUNT(*), SUM(success), COUNT(quality_rating), "
            f"SUM(quality_rating) FROM records WHERE {where} GROUP BY {d.day()}", params)


def _bin(d: Dialect, column: str, edges: Iterable[float]) -> str:
    return "(" + " + ".join(d.flag(f"{column} >= {e}") for e in edges) + ")"


def traits(d: Dialect, f: Filters) -> Query:
    """Trait sums per outcome, rating and characteristic bin (see `BIN_EDGES`)."""
    where, params = f.where(d)
    names = [f"t_{t}" for t in TRAITS]
    inner = ", ".join(f"{d.trait(t)} AS t_{t}" for t in TRAITS)
    bins = [_bin(d, f"t_{trait}", edges) for trait, edges in BIN_EDGES.values()]
    sums = ", ".join(f"SUM({n}), COUNT({n})" for n in names)
    group = ", ".join(["success", "quality_rating", *bins])
    return (f"SELECT {group}, COUNT(*), {sums} FROM (SELECT success, quality_rating, {inner} "
            f"FROM records WHERE {where}{d.no_flatten}) AS t GROUP BY {group}", params)


def error_codes(d: Dialect, f: Filters) -> Query:
    """(provider, error code, HTTP status) of failures as JSON text, counted, newest time."""
    where, params = f.where(d)
    keys = [d.meta_json(k) for k in ("provider", "error_code", "http_status")]
    return (f"SELECT {', '.join(keys)}, COUNT(*), MAX(timestamp) FROM records "
            f"WHERE {where} AND success = 0 AND {d.meta_value('error_code')} IS NOT NULL "
            f"GROUP BY {', '.join(keys)}", params)


def parameters(d: Dialect, f: Filters) -> Query:
    """Per model, parameter, JSON type and value: outcome, rating, newest time, value sums.

    Seed-like parameters (an identifier by name) are grouped into one NULL value: only
    their count and the sums of their values over failed and successful records are used.
    """
    where, params = f.where(d)
    value = f"CASE WHEN {d.seed_name('p_key')} THEN NULL ELSE p_value END"
    numeric = "p_type IN ('integer', 'real')"
    fsum = f"SUM(CASE WHEN success = 0 AND {numeric} THEN {d.number('p_value')} END)"
    ssum = f"SUM(CASE WHEN success = 1 AND {numeric} THEN {d.number('p_value')} END)"
    return (f"SELECT ai_model, p_key, p_type, {value} AS v, COUNT(*), SUM(success), "
            f"COUNT(quality_rating), SUM(quality_rating), MAX(timestamp), {fsum}, {ssum} "
            f"FROM {d.parameters_from()} WHERE {where} "
            f"GROUP BY ai_model, p_key, p_type, {value} ORDER BY ai_model, p_key", params)


def stream(d: Dialect, f: Filters, *, parameters: bool = False) -> Query:
    """The columns the term patterns and retries read, oldest first (ties: newest id first).

    With `parameters`, also the `model_parameters` JSON (see `ParamFold`).
    """
    where, params = f.where(d)
    extra = ", model_parameters" if parameters else ""
    return (f"SELECT ai_model, timestamp, prompt, success, failure_reason, quality_rating, "
            f"{d.meta_value('session_id')}{extra} FROM records WHERE {where} "
            f"ORDER BY timestamp ASC, id DESC", params)


def fetch(conn: Any, query: Query, *, size: int | None = None, server_side: bool = False) -> Any:
    """Rows of `query` on a DB-API connection: a list, or batches of `size` rows when given.

    `server_side` uses a named cursor (psycopg), so the client holds one batch at a time.
    """
    sql, params = query
    cursor = conn.cursor("analytics_stream") if server_side else conn.cursor()
    cursor.execute(sql, params)
    if size is None:
        return cursor.fetchall()
    return _batches(cursor, size)


def _batches(cursor: Any, size: int) -> Any:
    try:
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            yield from rows
    finally:
        cursor.close()  # a named cursor's name is free again for the next stream
