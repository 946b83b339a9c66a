"""SQL and parameters for the shared store's writes: idempotent inserts, last-edit-wins updates.

An edit op carries the hybrid-clock stamp of when the user made it (`op["ts"]`, see
`clock.py`); it is stored as `(at, by)`: the stamp's wall time in epoch seconds, and its
counter, node and this installation's rater id, in that order, so `(at, by)` sorts exactly as
the stamps do and orders every edit of a field across machines. An
update changes a field only when its stamp is at least the stored one, so edits applied
in any order (a late workstation, a replayed journal) end with the newest, and applying
the same op twice is harmless. One statement serves every update, so a batch goes to the
server in one pipelined `executemany`.
"""
from __future__ import annotations

import json
from typing import Any

from prompt_tracking._storage.clock import parse_stamp
from prompt_tracking._storage.pg_schema import EDITABLE

_TYPES = {"quality_rating": "smallint", "feedback": "text", "tags": "jsonb",
          "save_method": "text", "failure_reason": "text", "result_url": "text",
          "model_parameters": "jsonb", "error_message": "text"}
# Updatable but not user edits: the latest arrival wins (the app sets them, not a person).
_PLAIN = ("result_url", "model_parameters", "error_message")
_JSON = frozenset({"tags", "model_parameters", "metadata"})
_BASE = ("id", "timestamp", "prompt", "ai_model", "success", "result_url", "save_method",
         "model_parameters", "error_message", "failure_reason", "quality_rating", "feedback",
         "tags", "metadata")
_INSERT_COLUMNS = (*_BASE, "workstation", *(f"{f}_{s}" for f in EDITABLE for s in ("at", "by")))
INSERT_SQL = (f"INSERT INTO records ({','.join(_INSERT_COLUMNS)}) VALUES "
              f"({','.join('%s::jsonb' if c in _JSON else '%s' for c in _INSERT_COLUMNS)}) "
              "ON CONFLICT (id) DO NOTHING")


def _win(field: str) -> str:
    return (f"(%(h_{field})s AND (%(at)s::float8, %(by)s::text) >= "
            f"(COALESCE({field}_at, '-infinity'::float8), {field}_by))")


def _update_sql() -> str:
    sets = []
    for f in EDITABLE:
        win = _win(f)
        sets.append(f"{f} = CASE WHEN {win} THEN %(v_{f})s::{_TYPES[f]} ELSE {f} END")
        sets.append(f"{f}_at = CASE WHEN {win} THEN %(at)s::float8 ELSE {f}_at END")
        sets.append(f"{f}_by = CASE WHEN {win} THEN %(by)s::text ELSE {f}_by END")
    for f in _PLAIN:
        sets.append(f"{f} = CASE WHEN %(h_{f})s THEN %(v_{f})s::{_TYPES[f]} ELSE {f} END")
    # The metadata patch (rated_at, failure_reason_source, ...) describes its edit: it is
    # applied only when that edit won for every field it set (a newer edit owns the rest).
    all_win = " AND ".join(f"(NOT %(h_{f})s OR {_win(f)})" for f in EDITABLE)
    sets.append(f"metadata = CASE WHEN {all_win} THEN (metadata - %(meta_del)s::text[]) "
                "|| %(meta_set)s::jsonb ELSE metadata END")
    return f"UPDATE records SET {', '.join(sets)} WHERE id = %(id)s"


UPDATE_SQL = _update_sql()
RATING_SQL = (
    "INSERT INTO ratings (record_id, rater_id, quality_rating, rated_at) "
    "SELECT %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM records WHERE id = %s) "
    "ON CONFLICT (record_id, rater_id) DO UPDATE SET quality_rating = EXCLUDED.quality_rating, "
    "rated_at = EXCLUDED.rated_at WHERE ratings.rated_at <= EXCLUDED.rated_at")


def clean_text(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters (SQLite can): replace them."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): _strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    return value


def to_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # jsonb refuses \u0000 as well; re-encode only in that rare case.
    return json.dumps(_strip_nul(value), ensure_ascii=False, separators=(",", ":")) \
        if "\\u0000" in text else text


def _stamp_parts(op: dict[str, Any]) -> tuple[int, int, str] | None:
    stamp = op.get("ts")
    if isinstance(stamp, str) and stamp:
        try:
            return parse_stamp(stamp)
        except ValueError:
            return None
    return None


def op_order(op: dict[str, Any], rater_id: str) -> tuple[float, str]:
    """`(at, by)` for an update op: sorts as the ops' clock stamps do."""
    parts = _stamp_parts(op)
    if parts is None:
        return op_time(op), rater_id
    wall_ms, counter, node = parts
    return wall_ms / 1000, f"{counter:04x}-{node}-{rater_id}"


def op_time(op: dict[str, Any]) -> float:
    """When the user made this edit: its clock stamp's wall time, else an older op's `at` or
    metadata time, else the epoch (ops journaled by older versions lose to any stamped edit)."""
    parts = _stamp_parts(op)
    if parts is not None:
        return parts[0] / 1000
    for value in (op.get("at"), (op.get("metadata") or {}).get("rated_at"),
                  (op.get("metadata") or {}).get("saved_at")):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return 0.0


def _record_stamp(record: dict[str, Any], field: str) -> float:
    meta = record.get("metadata") or {}
    key = {"quality_rating": "rated_at", "feedback": "rated_at", "tags": "rated_at",
           "save_method": "saved_at"}.get(field)
    value = meta.get(key) if key else None
    return float(value) if isinstance(value, (int, float)) else float(record["timestamp"])


def insert_params(record: dict[str, Any], rater_id: str) -> tuple:
    """One row for `INSERT_SQL` from a `PromptRecord.to_dict()` dict."""
    row: list[Any] = []
    for column in _BASE:
        value = record.get(column)
        if column in _JSON:
            value = to_json(value if value is not None else ({} if column != "tags" else []))
        elif column == "success":
            value = int(bool(value))
        row.append(clean_text(value))
    row.append(rater_id)
    for f in EDITABLE:
        row.extend((_record_stamp(record, f), rater_id))
    return tuple(row)


def update_params(op: dict[str, Any], rater_id: str) -> dict[str, Any]:
    """Named parameters for `UPDATE_SQL` from an update op.

    Raises:
        ValueError: the op changes a column that cannot be updated.
    """
    fields = op.get("fields") or {}
    unknown = set(fields) - set(EDITABLE) - set(_PLAIN)
    if unknown:
        raise ValueError(f"column(s) {sorted(unknown)} cannot be updated")
    at, by = op_order(op, rater_id)
    params: dict[str, Any] = {"id": op["id"], "at": at, "by": by}
    for f in (*EDITABLE, *_PLAIN):
        value = fields.get(f)
        params[f"h_{f}"] = f in fields
        params[f"v_{f}"] = to_json(value) if f in _JSON and f in fields else clean_text(value)
    metadata = op.get("metadata") or {}
    params["meta_del"] = [k for k, v in metadata.items() if v is None]
    params["meta_set"] = to_json({k: v for k, v in metadata.items() if v is not None})
    return params


def rating_params(record_id: str, rater_id: str, rating: Any, at: float) -> tuple:
    return (record_id, rater_id, rating, at, record_id)
