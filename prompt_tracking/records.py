"""The record model: failure reasons, save methods, `PromptRecord` and prompt metadata.

Everything here is plain data with no I/O, so the store, the analytics, the export
and the widgets can all share one vocabulary.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

MAX_PROMPT_CHARS = 100_000


def safe_repr(value: Any, limit: int = 80) -> str:
    """`repr(value)` shortened for an error message; never raises.

    A hostile `__repr__` or a list nested thousands deep must not turn a ValueError about a
    bad argument into a RecursionError or RuntimeError from formatting it.
    """
    try:
        text = repr(value)
    except Exception:  # RecursionError included
        return f"<{type(value).__name__} that cannot be shown>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _Choice(str, enum.Enum):
    """A str enum whose arguments accept the member or its value string (any case)."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def coerce(cls, value: Any) -> Any:
        """Return the member for a member or its value string.

        Raises:
            ValueError: `value` names no member; the message names the argument.
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            for member in cls:
                if key == member.value:
                    return member
        argument = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()  # SaveMethod -> save_method
        raise ValueError(f"{argument} must be one of {[m.value for m in cls]}, "
                         f"got {safe_repr(value)}")


class FailureReason(_Choice):
    """Why a generation failed; the ten categories used everywhere."""

    CONTENT_FILTER = "content_filter"
    INVALID_PARAMETERS = "invalid_parameters"
    RATE_LIMIT = "rate_limit"
    QUOTA_EXCEEDED = "quota_exceeded"
    AUTHENTICATION = "authentication"
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network_error"
    SERVER_ERROR = "server_error"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class SaveMethod(_Choice):
    """How a result was kept: automatically by the app, by hand, or by the user's Keep."""

    AUTO = "auto"
    MANUAL = "manual"
    USER_SAVE = "user_save"


@dataclasses.dataclass
class PromptRecord:
    """One prompt sent to a model, with its outcome, rating and metadata.

    `timestamp` is seconds since the epoch (UTC). `metadata` holds the prompt traits
    computed at log time (see `prompt_metadata`) plus what was parsed from an error.
    """

    id: str
    timestamp: float
    prompt: str
    ai_model: str
    success: bool
    result_url: str | None = None
    save_method: str | None = None
    model_parameters: dict[str, Any] = dataclasses.field(default_factory=dict)
    error_message: str | None = None
    failure_reason: str | None = None
    quality_rating: int | None = None
    feedback: str | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict with the field names as keys."""
        return {
            "id": self.id,
            "timestamp": self.timestamp,
            "prompt": self.prompt,
            "ai_model": self.ai_model,
            "success": self.success,
            "result_url": self.result_url,
            "save_method": self.save_method,
            "model_parameters": dict(self.model_parameters),
            "error_message": self.error_message,
            "failure_reason": self.failure_reason,
            "quality_rating": self.quality_rating,
            "feedback": self.feedback,
            "tags": list(self.tags),
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PromptRecord:
        """Build a record from `to_dict()` output (unknown keys are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def outcome(self) -> str:
        return "success" if self.success else "failure"

    @property
    def is_kept(self) -> bool:
        """True when the user explicitly kept the result."""
        return self.save_method == SaveMethod.USER_SAVE.value


_WEIGHT_SYNTAX = re.compile(r"\([^()]{1,200}:\s*-?\d+(?:\.\d+)?\s*\)|\[[^\[\]]{1,200}\]|\(\([^()]{1,200}\)\)")
_SPECIAL_CHARS = re.compile(r"[^\w\s]", re.UNICODE)
_WHITESPACE = re.compile(r"\s+")
_NEGATIVE_KEYS = ("negative_prompt", "negative", "neg_prompt", "negativeprompt")


def normalize_prompt(prompt: str) -> str:
    """Case-folded, NFC-normalized text with collapsed whitespace, for hashing and dedupe."""
    text = unicodedata.normalize("NFC", prompt).casefold()
    return _WHITESPACE.sub(" ", text).strip()


def prompt_hash(prompt: str) -> str:
    """Stable across processes and runs (unlike `hash()`)."""
    return hashlib.sha256(normalize_prompt(prompt).encode("utf-8", "replace")).hexdigest()


def _scripts(prompt: str) -> list[str]:
    """Names of the non-Latin scripts in the prompt, e.g. ['CJK', 'CYRILLIC']."""
    found: set[str] = set()
    if prompt.isascii():
        return []
    for ch in prompt:
        if ord(ch) < 0x250 or not ch.isalpha():
            continue
        try:
            found.add(unicodedata.name(ch).split(" ")[0])
        except ValueError:
            continue
        if len(found) >= 4:
            break
    return sorted(found)


def prompt_metadata(prompt: str, model_parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Traits of a prompt that the analytics compare: length, structure, syntax, script."""
    params = model_parameters or {}
    negative = next((params[k] for k in _NEGATIVE_KEYS if params.get(k)), None)
    segments = [s for s in prompt.split(",") if s.strip()]
    return {
        "characters": len(prompt),
        "words": len(prompt.split()),
        "special_characters": len(_SPECIAL_CHARS.findall(prompt)),
        "segments": len(segments),
        "weight_syntax": len(_WEIGHT_SYNTAX.findall(prompt)),
        "has_negative_prompt": bool(negative and str(negative).strip()),
        "non_ascii": not prompt.isascii(),
        "scripts": _scripts(prompt),
        "prompt_hash": prompt_hash(prompt),
    }


def with_derived_metadata(record: dict[str, Any]) -> dict[str, Any]:
    """A record dict whose metadata includes the prompt traits (`prompt_metadata`).

    Log calls leave them out to return sooner; the writer thread (and a read of a record not
    yet written) derives them from the already cleaned prompt. Explicit keys are kept.
    """
    metadata = record.get("metadata") or {}
    if "prompt_hash" in metadata:
        return record
    traits = prompt_metadata(record.get("prompt") or "", record.get("model_parameters") or {})
    return {**record, "metadata": {**traits, **metadata}}


def local_result_path(result_url: str | None) -> Path | None:
    """The local file a `result_url` names (a plain path or a file:// URL), else None.

    Remote and other URLs (https://, s3://, data:) name no local file.
    """
    if not result_url:
        return None
    text = str(result_url).strip()
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme.lower() != "file":
            return None
        text = unquote(parts.path)
    return Path(text).expanduser()
