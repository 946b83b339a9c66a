"""One raw legacy entry to one `PromptRecord`: field aliases, timestamps, failure-reason names, ids.

`to_record` is the single place that decides what an old field means. It cleans the
entry the way the tracker cleans a log call (secrets masked, parameters JSON-safe,
metadata computed) and gives it a deterministic id, so importing twice is a no-op and
the same record found in two files collapses into one. The id depends neither on the
local time zone nor on where the entry sits in its file (see `_timestamp_and_key`
and `_content_key`).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
import time
from typing import Any

from prompt_tracking.failures.categorize import describe_failure
from prompt_tracking.migration.legacy_sources import Entry
from prompt_tracking.records import MAX_PROMPT_CHARS, FailureReason, PromptRecord, SaveMethod, prompt_hash, \
    prompt_metadata
from prompt_tracking.privacy.redact import redact_text, redact_url, redact_value, sanitize_parameters

MAX_ERROR_CHARS = 20_000

# The first alias present (and not None) wins; the earlier design used the first name.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "prompt": ("prompt", "positive_prompt", "prompt_text", "text", "positive", "input"),
    "ai_model": ("ai_model", "model", "model_name", "model_id", "checkpoint", "sd_model_name",
                 "engine"),
    "timestamp": ("timestamp", "created_at", "created", "time", "date", "datetime", "ts"),
    "success": ("success", "successful", "succeeded", "ok", "status", "state"),
    "result_url": ("result_url", "url", "image_url", "video_url", "output_url", "output",
                   "output_path", "image_path", "file", "path", "filename"),
    "save_method": ("save_method",),
    "model_parameters": ("model_parameters", "parameters", "params", "settings", "options"),
    "error_message": ("error_message", "error", "error_text", "failure_message", "exception"),
    "failure_reason": ("failure_reason", "reason", "error_type", "failure_type",
                       "failure_category"),
    "quality_rating": ("quality_rating", "rating", "stars", "user_rating"),
    "feedback": ("feedback", "comment", "comments", "notes", "user_feedback"),
    "tags": ("tags", "labels"),
    "metadata": ("metadata", "meta"),
}
# Loose fields of history entries that are generation settings, kept as parameters.
PARAMETER_FIELDS = frozenset({
    "negative_prompt", "negative", "steps", "seed", "cfg", "cfg_scale", "guidance_scale",
    "sampler", "sampler_name", "scheduler", "width", "height", "size", "aspect_ratio",
    "resolution", "duration", "fps", "num_frames", "strength", "denoise", "denoising_strength",
    "quality", "style", "batch_size", "n", "clip_skip", "lora", "loras", "mode", "task",
})

_REASON_NAMES = {
    FailureReason.CONTENT_FILTER: "content_filter content_filtered safety safety_filter nsfw "
                                  "moderation content_policy policy policy_violation blocked "
                                  "censored filtered inappropriate",
    FailureReason.INVALID_PARAMETERS: "invalid_parameters invalid_parameter invalid_params "
                                      "invalid_param bad_request validation validation_error "
                                      "invalid_input invalid_request invalid_prompt",
    FailureReason.RATE_LIMIT: "rate_limit rate_limited too_many_requests throttled throttling",
    FailureReason.QUOTA_EXCEEDED: "quota_exceeded quota insufficient_credits insufficient_quota "
                                  "out_of_credits billing insufficient_balance payment_required",
    FailureReason.AUTHENTICATION: "authentication auth auth_error authentication_error "
                                  "unauthorized forbidden invalid_api_key permission_denied",
    FailureReason.TIMEOUT: "timeout timed_out timeout_error deadline_exceeded",
    FailureReason.NETWORK_ERROR: "network_error network connection connection_error "
                                 "connection_failed dns ssl_error",
    FailureReason.SERVER_ERROR: "server_error server api_error internal_error "
                                "internal_server_error service_unavailable bad_gateway overloaded",
    FailureReason.CANCELLED: "cancelled canceled user_cancelled user_canceled aborted interrupted",
}
# Underscores dropped so "ContentFilter", "CONTENT_FILTER" and "content-filter" meet.
_REASONS = {alias.replace("_", ""): reason for reason, names in _REASON_NAMES.items()
            for alias in names.split()}
# Names that say only "it failed": the reason is derived from the error message instead.
_GENERIC_REASONS = frozenset({"", "unknown", "other", "none", "null", "error", "failed", "failure",
                              "generic"})
_FAILED_STATUS = frozenset({"failed", "failure", "error", "errored", "cancelled", "canceled",
                            "rejected", "blocked", "false", "0"})
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d_%H-%M-%S", "%Y%m%d-%H%M%S", "%d.%m.%Y %H:%M:%S",
                 "%d.%m.%Y %H:%M", "%a %b %d %H:%M:%S %Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")
_NUMBER = re.compile(r"[+-]?\d{1,40}(?:\.\d{0,40})?")
# Plausible generation times: from 2000-01-01 to 2100-01-01 (UTC). Fixed bounds, not "now",
# so an entry's id never changes between runs. Outside them a timestamp is a unit mistake
# or garbage, and stored as is it would break every date computation on the store.
MIN_TIMESTAMP = 946_684_800.0
MAX_TIMESTAMP = 4_102_444_800.0


# Metadata values taken verbatim from a source (everything else went through
# sanitize_parameters or is computed here).
_FREE_TEXT_META = ("error_code", "provider", "legacy_failure_reason", "legacy_save_method",
                   "legacy_timestamp", "legacy_rating")


class InvalidEntryError(ValueError):
    """An entry that cannot become a record; the message says why."""


def record_id(prompt: str, model: str, success: bool, key: str, *,
              prompt_digest: str | None = None) -> str:
    """Deterministic: the same prompt, model, outcome and time (or image) give the same id.

    `prompt_digest` is `prompt_hash(prompt)` when the caller has it already (it hashes the
    normalized prompt, so case and spacing differences still collapse).
    """
    digest = prompt_digest or prompt_hash(prompt)
    text = "\x1f".join((digest, model.strip().casefold(), str(int(success)), key))
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds from an ISO string, epoch seconds/ms/us/ns (number or digits); None if not.

    None too for a time outside 2000-2100 (`MIN_TIMESTAMP`, `MAX_TIMESTAMP`); never raises.
    """
    return _timestamp_and_key(value)[0]


def _timestamp_and_key(value: Any) -> tuple[float | None, str | None]:
    """`_parse_timestamp_and_key` with every failure, and any out-of-range time, as (None, None)."""
    try:
        seconds, key = _parse_timestamp_and_key(value)
    except (ValueError, OverflowError, OSError, TypeError):
        return None, None   # 10**400, year 0 after the zone shift, a 5,000-digit string
    if seconds is None or not MIN_TIMESTAMP <= seconds <= MAX_TIMESTAMP:
        return None, None
    return seconds, key


def _parse_timestamp_and_key(value: Any) -> tuple[float | None, str | None]:
    """(epoch seconds, identity key) of a raw timestamp; (None, None) if not understood.

    The key of an absolute time (epoch number, ISO with an offset) is its epoch. A naive
    date text is keyed on its wall-clock reading ("local:2024-05-01T12:00:00"): its epoch
    depends on the time zone of the process that parses it, and the id must not.
    """
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text):
            return _parse_timestamp_and_key(float(text))
        moment = _parse_date_text(text)
        if moment is None:
            return None, None
        if moment.tzinfo is not None:
            return _epoch_and_key(moment.timestamp())
        # Naive times were written in the user's local time: that gives the timestamp,
        # but only the wall-clock reading, normalized, may go into the id.
        return moment.astimezone().timestamp(), f"local:{moment.isoformat()}"
    if not isinstance(value, (int, float)):
        return None, None
    value = float(value)          # OverflowError for 10**400: the caller's except
    if not math.isfinite(value) or value <= 0:
        return None, None
    for scale in (1e18, 1e15, 1e12):  # ns, us, ms: seconds pass 1e11 only in the year 5138
        if value >= scale / 10:
            return _epoch_and_key(value / (scale / 1e9))
    return _epoch_and_key(float(value))


def _epoch_and_key(seconds: float) -> tuple[float, str]:
    return seconds, f"{seconds:.3f}"


def _parse_date_text(text: str) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in _TIME_FORMATS:
        try:
            return _dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def map_failure_reason(name: Any) -> FailureReason | None:
    """The reason an older version's name means; None for a generic or unknown name."""
    text = str(name).strip().rsplit(".", 1)[-1]          # "FailureReason.CONTENT_FILTER"
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text).lower()
    key = re.sub(r"[^a-z0-9]+", "", key)
    return _REASONS.get(key)


def _text(value: Any, limit: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        try:
            value = str(value) if isinstance(value, (int, float)) else repr(value)
        except (ValueError, RecursionError):   # a 5,000-digit int, a 100,000-deep list
            value = f"<{type(value).__name__} too large to show>"
    value = value.encode("utf-8", "replace").decode("utf-8")
    return value[:limit] if limit else value


_ALIAS_RANK = {alias: (name, rank) for name, aliases in FIELD_ALIASES.items()
               for rank, alias in enumerate(aliases)}


def _pick(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(canonical fields, left-over fields) of a raw entry; the earliest alias wins."""
    fields: dict[str, Any] = {}
    ranks: dict[str, int] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        known = _ALIAS_RANK.get(key)
        if known is None:
            extra[key] = value
            continue
        name, rank = known
        if value is not None and rank < ranks.get(name, len(FIELD_ALIASES[name])):
            fields[name], ranks[name] = value, rank
    return fields, extra


def _outcome(entry: Entry, fields: dict[str, Any]) -> bool:
    if entry.success is not None:
        return entry.success
    value = fields.get("success")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip().lower() not in _FAILED_STATUS
    return not (fields.get("error_message") or fields.get("failure_reason"))


def _parameters(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if value in (None, ""):
        return {}
    return {"value": value}


def _rating(value: Any, notes: list[str]) -> int | None:
    if value in (None, "", 0, "0"):
        return None  # many apps store 0 for "not rated"
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if number.is_integer() and 1 <= number <= 5:
        return int(number)
    notes.append(f"rating {_text(value, 50)!r} is not 1-5; kept in metadata as legacy_rating")
    return None


def _tags(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    clean = (redact_text(_text(t, 100) or "").strip() for t in items if t is not None)
    return list(dict.fromkeys(t for t in clean if t))[:20]


def to_record(entry: Entry, occurrences: dict[str, int] | None = None
              ) -> tuple[PromptRecord, list[str]]:
    """The record an entry stands for, and notes about what was adjusted on the way.

    Args:
        entry: The raw entry.
        occurrences: One dict per source file, shared by the calls for its entries: how
            often each content has been seen so far, so that identical entries without a
            time stay distinct records. None: a fresh count (the entry is the first).

    Raises:
        InvalidEntryError: the entry has no usable prompt.
    """
    fields, extra = _pick(entry.data)
    notes: list[str] = []
    prompt = fields.get("prompt")
    if prompt is None:
        raise InvalidEntryError("no prompt field")
    if isinstance(prompt, (dict, list, bool)):
        raise InvalidEntryError(f"prompt is a {type(prompt).__name__}, not text")
    prompt = _text(prompt) or ""
    if not prompt.strip():
        raise InvalidEntryError("empty prompt")
    # Masked like a log call's fields, before the id: ids stay deterministic.
    prompt = redact_text(prompt)
    success = _outcome(entry, fields)
    model = redact_text((_text(fields.get("ai_model"), 200) or "").strip()) or "unknown"
    params = _parameters(fields.get("model_parameters"))
    params = sanitize_parameters({**{k: v for k, v in extra.items() if k in PARAMETER_FIELDS},
                                  **params})
    legacy_meta = fields.get("metadata")
    meta = sanitize_parameters(legacy_meta) if isinstance(legacy_meta, dict) else {}
    left_over = {k: v for k, v in extra.items() if k not in PARAMETER_FIELDS}
    if left_over:
        meta["legacy_fields"] = sanitize_parameters(left_over)
    if len(prompt) > MAX_PROMPT_CHARS:
        meta.update(truncated=True, original_characters=len(prompt))
        prompt = prompt[:MAX_PROMPT_CHARS]
    meta.update(prompt_metadata(prompt, params))
    meta["migrated_from"] = {"file": str(entry.source), "position": entry.position,
                             "kind": entry.kind}
    timestamp, key = _when(entry, fields, meta, notes)
    record = PromptRecord(id="", timestamp=timestamp, prompt=prompt, ai_model=model,
                          success=success, model_parameters=params, metadata=meta)
    _outcome_fields(record, fields, notes)
    for name in _FREE_TEXT_META:   # copied from the source as they were: mask them too
        if isinstance(record.metadata.get(name), str):
            record.metadata[name] = redact_value(record.metadata[name])
    given_id = fields.get("id")
    keep_id = entry.kind == "export" and isinstance(given_id, str) and 0 < len(given_id) <= 64
    if keep_id and isinstance(given_id, str):
        record.id = given_id
    else:
        key = key if key is not None else _content_key(record, occurrences)
        record.id = record_id(prompt, model, success, key, prompt_digest=meta["prompt_hash"])
    return record, notes


def _when(entry: Entry, fields: dict[str, Any], meta: dict[str, Any],
          notes: list[str]) -> tuple[float, str | None]:
    """(timestamp, identity key): the original time, else the file's mtime and no key yet.

    Images are keyed on their file name and metadata; timed entries on their time; an
    entry without a time gets None, and `_content_key` keys it once its fields are clean.
    """
    raw = fields.get("timestamp")
    timestamp, key = _timestamp_and_key(raw)
    if raw is not None and timestamp is None:
        notes.append(f"timestamp {_text(raw, 100)!r} not understood or outside 2000-2100; "
                     "used the file's modification time")
        meta["legacy_timestamp"] = _text(raw, 100)
    mtime = entry.mtime if entry.mtime is not None else entry.source.stat().st_mtime
    if not MIN_TIMESTAMP <= mtime <= MAX_TIMESTAMP:
        mtime = time.time()   # a file stamped 1970 (an unzip, a camera): today, not 1970
    if entry.identity is not None:
        return timestamp or mtime, entry.identity
    if timestamp is not None:
        return timestamp, key
    meta["timestamp_source"] = "file_mtime"
    return mtime, None


def _content_key(record: PromptRecord, occurrences: dict[str, int] | None) -> str:
    """The identity of an entry without a time: its content and how often it came before.

    Not its file or position: histories that put the newest entry first, and files that
    are moved or copied, must give the same ids. Rating, feedback and tags are left out
    because apps let people change them later; the counter keeps two identical entries
    of one file two records.
    """
    content = json.dumps([record.metadata["prompt_hash"], record.ai_model.strip().casefold(),
                          record.success, record.error_message, record.failure_reason,
                          record.result_url, record.model_parameters,
                          record.metadata.get("legacy_timestamp")],
                         sort_keys=True, default=str, ensure_ascii=False)
    digest = hashlib.sha256(content.encode("utf-8", "replace")).hexdigest()[:32]
    if occurrences is None:
        return f"content:{digest}#0"
    seen = occurrences.get(digest, 0)
    occurrences[digest] = seen + 1
    return f"content:{digest}#{seen}"


def _outcome_fields(record: PromptRecord, fields: dict[str, Any], notes: list[str]) -> None:
    """Result, save method, error, failure reason, rating, feedback and tags, cleaned."""
    url = _text(fields.get("result_url"))
    record.result_url = redact_url(url) if url else None
    method = fields.get("save_method")
    try:
        record.save_method = SaveMethod.coerce(method).value if method is not None else \
            (SaveMethod.AUTO.value if record.success else None)
    except ValueError:
        record.save_method = SaveMethod.AUTO.value if record.success else None
        record.metadata["legacy_save_method"] = _text(method, 100)
    error = _text(fields.get("error_message"), MAX_ERROR_CHARS)
    record.error_message = redact_text(error) if error else None
    if not record.success:
        _failure(record, fields.get("failure_reason"), fields.get("error_message"))
    raw_rating = fields.get("quality_rating")
    record.quality_rating = _rating(raw_rating, notes)
    if record.quality_rating is None and raw_rating not in (None, "", 0, "0"):
        record.metadata["legacy_rating"] = _text(raw_rating, 50)
    feedback = _text(fields.get("feedback"), 5000)
    record.feedback = redact_text(feedback).strip() or None if feedback else None
    record.tags = _tags(fields.get("tags"))


def _failure(record: PromptRecord, given: Any, error: Any) -> None:
    """The failure reason: an older name mapped, else derived from the error message."""
    info = describe_failure(error)
    for key in ("error_code", "http_status", "provider"):
        if getattr(info, key) is not None:
            record.metadata[key] = getattr(info, key)
    name = (_text(given, 100) or "").strip()
    mapped = map_failure_reason(name) if name else None
    if mapped is not None:
        record.failure_reason, source = mapped.value, "legacy"
    elif name.lower().rsplit(".", 1)[-1] in _GENERIC_REASONS:
        record.failure_reason, source = info.reason.value, "auto"
    else:
        record.failure_reason, source = FailureReason.UNKNOWN.value, "legacy"
    if name and name.lower() != record.failure_reason:
        record.metadata["legacy_failure_reason"] = name
    record.metadata["failure_reason_source"] = source
