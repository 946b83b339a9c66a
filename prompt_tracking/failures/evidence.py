"""Evidence about an error: its text, codes, HTTP statuses and exception class names.

`gather_evidence` reads whatever a host app caught (an exception and its cause/context chain,
SDK attributes such as `status_code` or `response.text`, a parsed JSON body, bytes, a string)
and the JSON or Python-repr bodies embedded in its text, several layers deep. It knows
nothing of failure reasons; `failures` weighs the evidence. Every read is guarded, as the
values come from arbitrary host objects.
"""
from __future__ import annotations

import ast
import dataclasses
import json
import re
from typing import Any

HEAD_CHARS = 8192  # long tracebacks keep the cause at the top and the final error at the bottom
TAIL_CHARS = 2048
MAX_CHAIN = 8
MAX_JSON_ATTEMPTS = 6
MAX_JSON_DEPTH = 6
MAX_LITERAL_CHARS = 20_000

_CODE_KEYS = frozenset({"code", "type", "error_type", "errortype", "reason", "status", "name", "failurecode",
                        "failure_code", "error_code", "errorcode", "err_code", "finishreason"})
_TEXT_KEYS = frozenset({"message", "msg", "detail", "details", "error", "errors", "description", "error_msg",
                        "error_message", "raimediafilteredreasons", "failure", "title", "body", "args"})
_IDENTIFIER = re.compile(r"[A-Za-z][\w.\-]{1,80}")
_JSON_START = re.compile(r"[{\[]")
# literal_eval warns (into the host's warning filters) on escapes Python does not know; skip such spans.
_BAD_ESCAPE = re.compile(r"\\[^\\'\"abfnrtvx0-7NuU\n]")
# What can follow the bracket of a Python literal (a superset); "{id}" or "[API Error: ...]" cannot
# parse, and compiling them for literal_eval was a tenth of the time per message.
_LITERAL_START = re.compile(r"[\[{]\s*(?:[^\x00-\x7f]|['\"0-9.+\-(\[{\]}#\\]|(?:True|False|None)\b|[bBrRuUfF]{1,2}['\"])")
_DECODER = json.JSONDecoder()


@dataclasses.dataclass
class Evidence:
    """Everything read out of one error; `text` is the capped, joined text once gathered."""

    text: str = ""
    texts: list[str] = dataclasses.field(default_factory=list)
    codes: list[str] = dataclasses.field(default_factory=list)  # structured fields first
    statuses: list[int] = dataclasses.field(default_factory=list)
    class_names: list[str] = dataclasses.field(default_factory=list)


def gather_evidence(error: Any) -> Evidence:
    """Collect text, codes, statuses and class names from an error, including embedded JSON bodies."""
    evidence = Evidence()
    _gather(error, evidence)
    evidence.text = _cap("\n".join(evidence.texts))
    if "{" in evidence.text or "[" in evidence.text:
        _scan_json(evidence.text, evidence, depth=0)
    return evidence


def _cap(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def _gather(error: Any, evidence: Evidence) -> None:
    """Collect text, codes, statuses and class names from any kind of error value."""
    if error is None:
        return
    if isinstance(error, (bytes, bytearray, memoryview)):
        evidence.texts.append(bytes(error[: HEAD_CHARS + TAIL_CHARS]).decode("utf-8", "replace"))
    elif isinstance(error, str):
        evidence.texts.append(_cap(error))
    elif isinstance(error, BaseException):
        _gather_exception(error, evidence)
    elif isinstance(error, (dict, list, tuple)):
        _walk_json(error, evidence, depth=0)
        evidence.texts.append(_cap(_safe_dump(error)))
    else:
        evidence.texts.append(_cap(_safe_str(error)))


def _gather_exception(error: BaseException, evidence: Evidence) -> None:
    seen: set[int] = set()
    queue: list[BaseException] = [error]
    while queue and len(seen) < MAX_CHAIN:
        exc = queue.pop(0)
        if id(exc) in seen:  # __cause__/__context__ may form cycles
            continue
        seen.add(id(exc))
        try:
            evidence.class_names += [k.__name__ for k in type(exc).__mro__[:-2]]
        except Exception:
            pass
        evidence.texts.append(_cap(_safe_str(exc)))
        _read_attributes(exc, evidence)
        for linked in (_safe_getattr(exc, "__cause__"), _safe_getattr(exc, "__context__")):
            if isinstance(linked, BaseException):
                queue.append(linked)


def _read_attributes(exc: BaseException, evidence: Evidence) -> None:
    """SDK exceptions carry the status and body as attributes (openai, httpx, requests, google)."""
    response = _safe_getattr(exc, "response")
    for value in (_safe_getattr(exc, "status_code"), _safe_getattr(exc, "http_status"),
                  _safe_getattr(exc, "status"), _safe_getattr(response, "status_code"),
                  _safe_getattr(response, "status")):
        if isinstance(value, int) and not isinstance(value, bool):
            evidence.statuses.append(value)
    code = _safe_getattr(exc, "code")
    if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
        evidence.statuses.append(code)
    elif isinstance(code, str):
        evidence.codes.append(code)
    for name in ("body", "error", "details", "json_body"):
        value = _safe_getattr(exc, name)
        if isinstance(value, (dict, list, str)) and value:
            _gather(value, evidence)
    text = _safe_getattr(response, "text")
    if isinstance(text, str) and text:
        evidence.texts.append(_cap(text))


def _walk_json(value: Any, evidence: Evidence, depth: int) -> None:
    """Read code/type/status/message fields of a parsed error body, including bodies-in-strings."""
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in list(value.items())[:50]:
            lowered = key.lower() if isinstance(key, str) else ""
            if isinstance(item, bool):
                continue
            if lowered in _CODE_KEYS:
                if isinstance(item, int) and 100 <= item <= 599:
                    evidence.statuses.append(item)
                elif isinstance(item, str) and item.isdigit() and len(item) == 3:
                    evidence.statuses.append(int(item))
                elif isinstance(item, str) and _IDENTIFIER.fullmatch(item):
                    evidence.codes.append(item)
                    continue
            if isinstance(item, str) and lowered in _TEXT_KEYS | _CODE_KEYS and ("{" in item or "[" in item):
                _scan_json(item, evidence, depth + 1)
            elif isinstance(item, (dict, list, tuple)):
                _walk_json(item, evidence, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in list(value)[:50]:
            _walk_json(item, evidence, depth + 1)


def _scan_json(text: str, evidence: Evidence, depth: int) -> None:
    """Find JSON (or Python-repr) objects embedded in text and walk them."""
    if depth > MAX_JSON_DEPTH:
        return
    decoder = _DECODER
    start, attempts = 0, 0
    while attempts < MAX_JSON_ATTEMPTS:
        match = _JSON_START.search(text, start)
        if match is None:
            return
        attempts += 1
        position = match.start()
        parsed, end = _parse_at(decoder, text, position)
        if parsed is None:
            start = position + 1
            continue
        _walk_json(parsed, evidence, depth + 1)
        start = end


def _parse_at(decoder: json.JSONDecoder, text: str, position: int) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(text, position)
    except (ValueError, RecursionError):
        pass
    closing = "}" if text[position] == "{" else "]"
    if not _LITERAL_START.match(text, position) or _BAD_ESCAPE.search(text, position, position + MAX_LITERAL_CHARS):
        return None, position + 1
    end = text.rfind(closing, position, position + MAX_LITERAL_CHARS)
    for _ in range(3):  # the outermost closing brace first, then two shorter spans
        if end - position < 2:
            break
        try:  # Python reprs of dicts: {'error': {'code': 'x', 'param': None}}
            return ast.literal_eval(text[position:end + 1]), end + 1
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            end = text.rfind(closing, position, end)
    return None, position + 1


def _safe_getattr(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def _safe_str(value: Any) -> str:
    for render in (str, repr):
        try:
            text = render(value)
            if isinstance(text, str):
                return f"{type(value).__name__}: {text}" if isinstance(value, BaseException) else text
        except Exception:
            continue
    return ""


def _safe_dump(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=_safe_str)[: HEAD_CHARS + TAIL_CHARS]
    except (TypeError, ValueError, RecursionError):
        return _safe_str(value)[: HEAD_CHARS + TAIL_CHARS]
