"""Input cleaning: whatever a host passes becomes plain, bounded, redacted record data.

Two contracts live here. The log calls' builders (`successful_record`, `failed_record`)
never raise: a field whose value cannot be used (its `str()` or `repr()` raises, it nests
5,000 deep) falls back to a plain default and the record is still stored. The validators
for the rest of the API (`clean_rating`, `clean_tags`, ...) raise `ValueError`/`TypeError`
naming the argument, with messages built by `safe_repr`, which itself never raises.
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from prompt_tracking.failures.categorize import FailureInfo, describe_failure
from prompt_tracking.privacy.redact import redact_text, redact_url, redact_value, sanitize_parameters
from prompt_tracking.records import MAX_PROMPT_CHARS, FailureReason, PromptRecord, SaveMethod, safe_repr

log = logging.getLogger(__name__)

MAX_TAGS = 20
MAX_FEEDBACK_CHARS = 5000
MAX_ERROR_CHARS = 20_000
MAX_MODEL_CHARS = 200
_T = TypeVar("_T")

__all__ = ["MAX_FEEDBACK_CHARS", "MAX_TAGS", "check_cap", "clean_feedback", "clean_rating",
           "clean_tags", "clean_text", "failed_record", "new_record_id", "persist_caps",
           "safe_repr", "saved_caps", "successful_record"]


def new_record_id() -> str:
    """Time-ordered and unique across processes: 12 hex digits of ms time + 10 random."""
    # The random module reseeds itself in a forked child, so ids stay unique across
    # processes; it is several times cheaper than os.urandom on the log call's path.
    return f"{time.time_ns() // 1_000_000:012x}{random.getrandbits(40):010x}"


def check_cap(name: str, cap: Any) -> None:
    """Raises ValueError unless `cap` is a non-negative int or None."""
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
        raise ValueError(f"{name} must be a non-negative int or None, got {safe_repr(cap)}")


def saved_caps(directory: Path) -> dict[str, int | None]:
    """The valid retention caps saved in the data dir's settings (e.g. while importing)."""
    from prompt_tracking.settings import load_settings

    try:
        saved = load_settings(directory).get("retention_caps") or {}
    except Exception:
        return {}
    caps = {}
    for name in ("max_successful", "max_failed"):
        if name in saved:
            try:
                check_cap(name, saved[name])
                caps[name] = saved[name]
            except ValueError:
                log.warning("prompt-tracking: ignoring a bad saved %s", name)
    return caps


def persist_caps(directory: Path, caps: dict[str, int | None]) -> None:
    """Remember retention caps in the data dir's settings for later trackers."""
    from prompt_tracking.settings import update_settings

    update_settings(directory, retention_caps=caps)


def clean_text(value: Any, limit: int | None = None) -> tuple[str, bool]:
    """Any value as text (None -> ''); returns (text, truncated). Never raises."""
    if value is None:
        return "", False
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    elif not isinstance(value, str):
        try:
            value = str(value)
        except Exception:  # RecursionError too: a 5,000-deep list
            value = f"<{type(value).__name__}>"
    if not value.isascii():
        # Lone surrogates cannot be encoded to UTF-8 for SQLite; keep everything else as given.
        value = value.encode("utf-8", "replace").decode("utf-8")
    if limit is not None and len(value) > limit:
        return value[:limit], True
    return value, False


def _or_default(default: _T, build: Callable[[], _T], field: str) -> _T:
    """`build()`, or `default` when the host's value for `field` cannot be used."""
    try:
        return build()
    except Exception:
        log.warning("prompt-tracking: unusable %s (%s); stored a default instead", field,
                    safe_repr(default), exc_info=True)
        return default


def _base_record(session_id: str, prompt: Any, ai_model: Any, success: bool,
                 model_parameters: Any, duration: Any, metadata: Any) -> PromptRecord:
    text, truncated = clean_text(prompt, MAX_PROMPT_CHARS)
    # Keys pasted into a prompt or a model name are masked like any other field's.
    text = _or_default("", lambda: redact_value(text), "prompt")
    model = _or_default("", lambda: redact_value(clean_text(ai_model, MAX_MODEL_CHARS)[0]),
                        "ai_model").strip()
    no_params: dict[str, Any] = {}
    params = _or_default(no_params, lambda: sanitize_parameters(model_parameters), "model_parameters")
    meta: dict[str, Any] = {"session_id": session_id}
    if truncated:
        meta["truncated"] = True
        meta["original_characters"] = len(clean_text(prompt)[0])
    if isinstance(duration, (int, float)) and not isinstance(duration, bool) and duration >= 0:
        meta["duration"] = float(duration)
    if metadata:
        extra = _or_default(no_params, lambda: sanitize_parameters(metadata), "metadata")
        meta.update({k: v for k, v in extra.items() if k not in meta})
    # The prompt traits (`prompt_metadata`) are derived later, on the writer thread.
    return PromptRecord(id=new_record_id(), timestamp=time.time(), prompt=text,
                        ai_model=model or "unknown", success=success,
                        model_parameters=params, metadata=meta)


def successful_record(session_id: str, prompt: Any, ai_model: Any, result_url: Any,
                      save_method: Any, model_parameters: Any, duration: Any,
                      metadata: Any) -> PromptRecord:
    """The record for a log_successful_prompt call; never raises for bad field values."""
    record = _base_record(session_id, prompt, ai_model, True, model_parameters, duration, metadata)
    url = clean_text(result_url)[0]
    record.result_url = _or_default(None, lambda: redact_url(url), "result_url") if url else None
    record.save_method = _or_default(SaveMethod.AUTO.value,
                                     lambda: SaveMethod.coerce(save_method).value, "save_method")
    return record


def failed_record(session_id: str, prompt: Any, ai_model: Any, error_message: Any,
                  failure_reason: Any, model_parameters: Any, duration: Any,
                  metadata: Any) -> PromptRecord:
    """The record for a log_failed_prompt call; never raises for bad field values."""
    info = _or_default(FailureInfo(FailureReason.UNKNOWN), lambda: describe_failure(error_message),
                       "error_message")
    record = _base_record(session_id, prompt, ai_model, False, model_parameters, duration, metadata)
    text = clean_text(error_message, MAX_ERROR_CHARS)[0]
    record.error_message = _or_default("", lambda: redact_text(text), "error_message") or None
    reason, source = info.reason.value, "auto"
    if failure_reason is not None:
        try:
            reason, source = FailureReason.coerce(failure_reason).value, "host"
        except ValueError:
            record.metadata["given_failure_reason"] = redact_value(clean_text(failure_reason, 100)[0])
    record.failure_reason = reason
    record.metadata["failure_reason_source"] = source
    if source == "auto":  # how the reason was derived, for the Failures tab and the export
        record.metadata["failure_layer"] = info.layer
        record.metadata["failure_confidence"] = round(info.confidence, 2)
        if info.evidence:
            record.metadata["failure_evidence"] = redact_value(info.evidence)
    for key in ("error_code", "http_status", "provider"):
        value = getattr(info, key)
        if value is not None:
            # A provider's error code is host-supplied text too: it can hold a key.
            record.metadata[key] = redact_text(value) if isinstance(value, str) else value
    return record


def clean_rating(rating: Any) -> int:
    """Raises ValueError unless `rating` is an int from 1 to 5."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValueError(f"rating must be an integer from 1 to 5, got {safe_repr(rating)}")
    return rating


def _strict_text(value: Any, name: str, limit: int) -> str:
    if isinstance(value, str):
        return clean_text(value, limit)[0]
    try:
        return clean_text(str(value), limit)[0]
    except Exception:
        raise TypeError(f"{name} must be text; a {type(value).__name__} that cannot be "
                        "converted to text was given") from None


def clean_feedback(feedback: Any) -> str | None:
    """Redacted, bounded feedback text ('' or blank -> None).

    Raises:
        TypeError: `feedback` cannot be converted to text.
    """
    return redact_text(_strict_text(feedback, "feedback", MAX_FEEDBACK_CHARS)).strip() or None


def clean_tags(tags: Any) -> list[str]:
    """Distinct, redacted, non-empty tags (at most MAX_TAGS).

    Raises:
        ValueError: `tags` is a single string.
        TypeError: `tags` is not iterable, or a tag cannot be converted to text.
    """
    if isinstance(tags, (str, bytes)):
        raise ValueError("tags must be a list of strings, not a single string")
    try:
        items = list(tags)
    except Exception:
        raise TypeError(f"tags must be a list of strings, got a {type(tags).__name__}") from None
    clean = (redact_text(_strict_text(t, "tags", 100)).strip() for t in items)
    return list(dict.fromkeys(t for t in clean if t))[:MAX_TAGS]
