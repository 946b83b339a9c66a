"""Rows of the records table: the column list and conversions to and from `PromptRecord`."""
from __future__ import annotations

import json
from typing import Any

from prompt_tracking.records import PromptRecord

COLUMNS = ("id", "timestamp", "prompt", "ai_model", "success", "result_url", "save_method",
           "model_parameters", "error_message", "failure_reason", "quality_rating", "feedback",
           "tags", "metadata")
JSON_COLUMNS = ("model_parameters", "tags", "metadata")
INSERT = (f"INSERT OR IGNORE INTO records ({','.join(COLUMNS)}) "
          f"VALUES ({','.join('?' * len(COLUMNS))})")
INSERT_UNLESS_EVICTED = (f"INSERT OR IGNORE INTO records ({','.join(COLUMNS)}) "
                         f"SELECT {','.join('?' * len(COLUMNS))} "
                         "WHERE NOT EXISTS (SELECT 1 FROM evicted WHERE id = ?)")
UPDATABLE = frozenset(COLUMNS) - {"id", "timestamp", "prompt", "ai_model", "success"}


_decode = json.JSONDecoder().decode
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_object(text: str | None) -> dict[str, Any]:
    return _decode(text) if text and text != "{}" else {}


def row_to_record(row: tuple) -> PromptRecord:
    # Positional and without per-column dicts: reads of 100k records spend most of their
    # time here, so this stays as lean as the JSON columns allow.
    (record_id, timestamp, prompt, ai_model, success, result_url, save_method, parameters,
     error_message, failure_reason, quality_rating, feedback, tags, metadata) = row
    return PromptRecord(record_id, timestamp, prompt, ai_model, bool(success), result_url,
                        save_method, json_object(parameters), error_message, failure_reason,
                        quality_rating, feedback, _decode(tags) if tags and tags != "[]" else [],
                        json_object(metadata))


_DEFAULTS = PromptRecord("", 0.0, "", "", False).to_dict()


def dict_to_row(record: dict[str, Any]) -> tuple:
    """A `PromptRecord.to_dict()` dict as a row tuple for the records table.

    Tolerant of other versions' shapes: a missing field takes its default, an unknown one
    is ignored. Raises KeyError without an id.
    """
    data = {**_DEFAULTS, **{k: v for k, v in record.items() if k in _DEFAULTS}}
    data["id"] = record["id"]
    for column in JSON_COLUMNS:
        data[column] = _encode(data[column])
    data["success"] = int(bool(data["success"]))
    return tuple(data[c] for c in COLUMNS)
