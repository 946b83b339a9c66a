"""Evidence about an error: its text, codes, HTTP statuses and exception class names.

`gather_evidence` reads whatever a host app caught (an exception and its cause/context chain,
SDK attributes such as `status_code` or `response.text`, a parsed JSON body, bytes, a string)
and the JSON or Python-repr bodies embedded in its text, several layers deep. It knows
nothing of failure reasons; `failures` weighs the evidence. Every read is guarded, as the
values come from arbitrary host objects.
"""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

HEAD_CHARS = 8192  # long tracebacks keep the cause at the top and the final error at the bottom
TAIL_CHARS = 2048
MAX_CHAIN = 8
MAX_JSON_ATTEMPTS = 6
MAX_JSON_DEPTH = 6
MAX_LITERAL_CHARS = 20_000  # longest Python repr read as a body

_CODE_KEYS = frozenset({"code", "type", "error_type", "errortype", "reason", "status", "name", "failurecode",
                        "failure_code", "error_code", "errorcode", "err_code", "finishreason"})
_TEXT_KEYS = frozenset({"message", "msg", "detail", "details", "error", "errors", "description", "error_msg",
                        "error_message", "raimediafilteredreasons", "failure", "title", "body", "args"})
_IDENTIFIER = re.compile(r"[A-Za-z][\w.\-]{1,80}")
_JSON_START = re.compile(r"[{\[]")
# What can follow the bracket of a Python literal (a superset); "{id}" or "[API Error: ...]" is none.
_LITERAL_START = re.compile(r"[\[{]\s*(?:[^\x00-\x7f]|['\"0-9.+\-(\[{\]}#\\]|(?:True|False|None)\b|[bBrRuUfF]{1,2}['\"])")
# The parts of a Python repr that JSON spells differently: strings, constants, tuple brackets, trailing
# commas ("(x,)"). Each
# alternative starts with one literal character, so the engine skips ordinary text at C speed.
# A string left open (a truncated body) runs to the end of the text: no rescan from each later quote.
# Strings as unrolled loops (runs of plain characters, then one escape): no per-character alternation.
_PY_TOKEN = re.compile(r"""'[^'\\]*(?:\\.[^'\\]*)*(?:'|$)|"[^"\\]*(?:\\.[^"\\]*)*(?:"|$)"""
                       r"""|True\b|False\b|None\b|\(|\)|,(?=\s*[\]})])""")
_PY_ONLY = ("'", "True", "False", "None", "(")
_PY_CONSTANTS = {"True": "true", "False": "false", "None": "null", "(": "[", ")": "]", ",": " "}
_DECODER = json.JSONDecoder()
_LAX_DECODER = json.JSONDecoder(strict=False)  # pasted reprs keep raw newlines inside strings


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
    start, attempts = 0, 0
    converted, converted_at = "", -1  # the text from `converted_at` on, Python literals spelled as JSON
    while attempts < MAX_JSON_ATTEMPTS:
        match = _JSON_START.search(text, start)
        if match is None:
            return
        attempts += 1
        position = match.start()
        try:
            parsed, end = _DECODER.raw_decode(text, position)
        except (ValueError, RecursionError):
            parsed, end = None, position + 1
            if _LITERAL_START.match(text, position) and any(mark in text for mark in _PY_ONLY):
                if not converted_at <= position < converted_at + len(converted):
                    converted, converted_at = _python_to_json(text[position:position + MAX_LITERAL_CHARS]), position
                try:  # Python reprs of dicts: {'error': {'code': 'x', 'param': None}}
                    parsed, end = _LAX_DECODER.raw_decode(converted, position - converted_at)
                    end += converted_at
                except (ValueError, RecursionError):
                    parsed = None
        if parsed is not None:
            _walk_json(parsed, evidence, depth + 1)
        start = end


def _python_to_json(span: str) -> str:
    """The span with Python literal syntax turned into JSON, keeping every offset in place.

    Single-quoted strings get double quotes (an inner double quote becomes a single one), `\\'`
    becomes " '", True/False/None become true/false/null, tuple parentheses brackets and a
    trailing comma a space; each
    replacement has the length of what it replaces, so positions map one to one. This replaces
    `ast.literal_eval`, which compiled the span and cost a tenth of a millisecond per repr.
    """
    return _PY_TOKEN.sub(_json_token, span)


def _json_token(match: re.Match[str]) -> str:
    token = match.group(0)
    constant = _PY_CONSTANTS.get(token)
    if constant:
        return constant
    if len(token) < 2 or token[-1] != token[0]:
        return token  # left open: the body cannot parse anyway
    body = token[1:-1].replace("\\'", " '")
    if token[0] == "'":
        body = body.replace('\\"', " '").replace('"', "'")
    return '"' + body + '"'


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
