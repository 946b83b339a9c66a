"""Error text to failure reason.

`describe_failure` turns whatever a host app caught (an exception, its str(), a parsed JSON
error body, or None) into a `FailureInfo`: one of the ten failure reasons plus the provider
error code, HTTP status and provider it could read. It first gathers evidence (exception
chain, attributes, JSON bodies embedded several layers deep, code-shaped words, status
numbers), then lets the highest-priority rule of `failure_rules` decide. It never raises.
"""
from __future__ import annotations

import ast
import dataclasses
import json
import logging
import re
import threading
from typing import Any

from . import failure_rules as rules
from .records import FailureReason

logger = logging.getLogger(__name__)

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
_CODE_SHAPED = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+|[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+")
_IDENTIFIER = re.compile(r"[A-Za-z][\w.\-]{1,80}")
_STATUS_NUMBER = re.compile(r"(?<![\w.$/=:#-])(\d{3})(?![\w.])")
_STATUS_CONTEXT = re.compile(r"(?:status|http|code|error|response|failed|request|api|exception|fetch)"
                             r"[^\n]{0,12}$|(?:^|\n)\W{0,3}$", re.IGNORECASE)
_JSON_START = re.compile(r"[{\[]")
# literal_eval warns (into the host's warning filters) on escapes Python does not know; skip such spans.
_BAD_ESCAPE = re.compile(r"\\[^\\'\"abfnrtvx0-7NuU\n]")
_CLASS_IN_TEXT = re.compile(r"\b([A-Za-z]+(?:Error|Exception|Timeout|Cancelled|Interrupt|gaierror))\b")
_KNOWN_STATUSES = frozenset(s for statuses in rules.HTTP_STATUSES.values() for s in statuses)


@dataclasses.dataclass(frozen=True)
class FailureInfo:
    """What could be read out of an error: the reason and, when present, code, status, provider."""

    reason: FailureReason
    error_code: str | None = None
    http_status: int | None = None
    provider: str | None = None


@dataclasses.dataclass
class _Evidence:
    texts: list[str] = dataclasses.field(default_factory=list)
    codes: list[str] = dataclasses.field(default_factory=list)  # structured fields first
    statuses: list[int] = dataclasses.field(default_factory=list)
    class_names: list[str] = dataclasses.field(default_factory=list)


class _Matcher:
    """Named regexes split into top-level branches, each guarded by a literal trigger.

    Substring checks for all triggers tell which branches can match at all; only those run their
    regex. Patterns are lower-cased outside escapes and matched against lower-cased text.
    """

    def __init__(self, named_patterns: list[tuple[Any, str]]) -> None:
        self.guarded: dict[str, list[tuple[Any, re.Pattern[str]]]] = {}
        self.unguarded: list[tuple[Any, re.Pattern[str]]] = []
        for key, pattern in named_patterns:
            lowered = re.sub(r"\\.|[A-Z]", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(),
                             pattern)
            for branch in _split_branches(lowered):
                trigger, regex = _literal_prefix(branch), re.compile(branch)
                if trigger is None:
                    self.unguarded.append((key, regex))
                else:
                    self.guarded.setdefault(trigger, []).append((key, regex))
        self.triggers = tuple(self.guarded)

    def matching_keys(self, text: str) -> set[Any]:
        """The keys of the patterns that match `text` (already lower-cased)."""
        found: set[Any] = set()
        candidates = list(self.unguarded)
        for trigger in [t for t in self.triggers if t in text]:  # str.__contains__ beats a regex scan
            candidates += self.guarded[trigger]
        for key, regex in candidates:
            if key not in found and regex.search(text):
                found.add(key)
        return found


def _split_branches(pattern: str) -> list[str]:
    branches, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*branches, pattern[start:]]


def _literal_prefix(branch: str) -> str | None:
    """The literal text every match of the branch starts with, if long enough to be selective."""
    body = branch[2:] if branch.startswith("\\b") else branch
    prefix = []
    for i, char in enumerate(body):
        if char in "\\[](){}?*+|^$.":
            if char == "\\" and i + 1 < len(body) and body[i + 1] in ".-/:":
                continue
            if char in "?*{" and prefix:
                prefix.pop()  # the previous character is optional
            break
        prefix.append(char if body[i - 1:i] != "\\" else char)
    text = "".join(prefix)
    return text if len(text) >= 3 or (text and not text.isascii()) else None


class _RuleBook:
    """All rules compiled once: lookup tables plus guarded matchers for phrases and providers."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[FailureReason, int]] = {}
        for table, priority in ((rules.GENERIC_CODES, rules.GENERIC_CODE), (rules.PROVIDER_CODES, rules.PROVIDER_CODE)):
            for reason, codes in table.items():
                self.codes.update({code.lower(): (reason, priority) for code in codes})
        self.classes = {name.lower(): (reason, prio)
                        for reason, (names, prio) in rules.CLASS_NAMES.items() for name in names}
        self.statuses = {s: reason for reason, statuses in rules.HTTP_STATUSES.items() for s in statuses}
        self.phrase_rules = [(reason, prio) for _, reason, prio in rules.MESSAGE_PATTERNS]
        self.phrases = _Matcher([(i, pattern) for i, (pattern, _, _) in enumerate(rules.MESSAGE_PATTERNS)])
        self.provider_names = [name for name, _ in rules.PROVIDERS]
        self.providers = _Matcher([(i, pattern) for i, (_, pattern) in enumerate(rules.PROVIDERS)])
        self.custom: list[tuple[re.Pattern[str], FailureReason, int]] = []


_BOOK = _RuleBook()
_BOOK_LOCK = threading.Lock()


def register_failure_rule(pattern: str | re.Pattern[str], reason: FailureReason | str, priority: int = 100) -> None:
    """Teach the categorizer a message pattern, e.g. for an in-house API.

    A string pattern is compiled case-insensitively. Built-in rules rank from 10 (HTTP
    status) to 100 (provider error codes); on equal priority the most recently registered
    rule wins over earlier and built-in ones.

    Args:
        pattern: A regular expression, as text or compiled.
        reason: A `FailureReason` or its value, e.g. "rate_limit".
        priority: Higher beats lower; an int from 0 to 1000.

    Raises:
        ValueError: The pattern is empty or not a valid regex, the reason is unknown, or
            the priority is not an int in range.
    """
    if isinstance(pattern, str):
        if not pattern.strip():
            raise ValueError("pattern must not be empty")
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
    elif isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str):
        compiled = pattern
    else:
        raise ValueError(f"pattern must be a str or a compiled str regex, got {type(pattern).__name__}")
    failure_reason = FailureReason.coerce(reason)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 1000:
        raise ValueError(f"priority must be an int from 0 to 1000, got {priority!r}")
    with _BOOK_LOCK:
        _BOOK.custom = [(compiled, failure_reason, priority), *_BOOK.custom]


def describe_failure(error: Any) -> FailureInfo:
    """Parse an error (str, exception, dict or None) into a `FailureInfo`; never raises.

    Args:
        error: What the host app caught: an exception, its message, a parsed JSON error
            body, bytes, or None.

    Returns:
        The failure reason (`unknown` when nothing informative was found) and the provider
        error code, HTTP status and provider name when they could be read.
    """
    try:
        return _describe(error)
    except Exception:  # the categorizer must never break the host app's error path
        logger.debug("describe_failure could not parse %s", type(error).__name__, exc_info=True)
        return FailureInfo(FailureReason.UNKNOWN)


def categorize_failure(error: Any) -> FailureReason:
    """The failure reason for an error; never raises."""
    return describe_failure(error).reason


def _describe(error: Any) -> FailureInfo:
    evidence = _Evidence()
    _gather(error, evidence)
    text = _cap("\n".join(evidence.texts))
    if not text.strip() and not evidence.codes and not evidence.statuses and not evidence.class_names:
        return FailureInfo(FailureReason.UNKNOWN)
    _scan_json(text, evidence, depth=0)
    code_hits = _code_hits(evidence, text)
    status = next((s for s in evidence.statuses if 100 <= s <= 599), None) or _status_from_text(text)
    candidates: list[tuple[int, int, FailureReason]] = []  # (priority, tie-break, reason)
    candidates += [(prio, 1, reason) for _, reason, prio in code_hits]
    candidates += _phrase_hits(text)
    candidates += _class_hits(evidence, text)
    if status in _BOOK.statuses:
        candidates.append((rules.HTTP_STATUS, 0, _BOOK.statuses[status]))
    reason = max(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else FailureReason.UNKNOWN
    error_code = code_hits[0][0] if code_hits else _first_identifier(evidence.codes)
    return FailureInfo(reason, error_code, status, _provider(text, evidence.codes))


def _cap(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def _gather(error: Any, evidence: _Evidence) -> None:
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


def _gather_exception(error: BaseException, evidence: _Evidence) -> None:
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


def _read_attributes(exc: BaseException, evidence: _Evidence) -> None:
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


def _walk_json(value: Any, evidence: _Evidence, depth: int) -> None:
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


def _scan_json(text: str, evidence: _Evidence, depth: int) -> None:
    """Find JSON (or Python-repr) objects embedded in text and walk them."""
    if depth > MAX_JSON_DEPTH:
        return
    decoder = json.JSONDecoder()
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
    if _BAD_ESCAPE.search(text, position, position + MAX_LITERAL_CHARS):
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


def _code_hits(evidence: _Evidence, text: str) -> list[tuple[str, FailureReason, int]]:
    """Codes that the code tables know, structured fields first, best first."""
    hits = []
    for code in [*evidence.codes, *_CODE_SHAPED.findall(text)]:
        lowered = code.lower()
        parts = lowered.split(".")
        for candidate in (lowered, parts[-1], parts[0]):
            if candidate in _BOOK.codes:
                reason, priority = _BOOK.codes[candidate]
                hits.append((code, reason, priority))
                break
    hits.sort(key=lambda hit: -hit[2])
    return hits


def _phrase_hits(text: str) -> list[tuple[int, int, FailureReason]]:
    lowered = text.lower()
    hits = [(_BOOK.phrase_rules[i][1], 0, _BOOK.phrase_rules[i][0]) for i in _BOOK.phrases.matching_keys(lowered)]
    custom = _BOOK.custom
    hits += [(prio, 2 + len(custom) - order, reason)
             for order, (pattern, reason, prio) in enumerate(custom) if pattern.search(text)]
    return hits


def _class_hits(evidence: _Evidence, text: str) -> list[tuple[int, int, FailureReason]]:
    hits = []
    for name in [*evidence.class_names, *_CLASS_IN_TEXT.findall(text)]:
        entry = _BOOK.classes.get(name.lower())
        if entry:
            hits.append((entry[1], 0, entry[0]))
    return hits


def _status_from_text(text: str) -> int | None:
    for match in _STATUS_NUMBER.finditer(text):
        value = int(match.group(1))
        if value in _KNOWN_STATUSES and _STATUS_CONTEXT.search(text[max(0, match.start() - 30):match.start()]):
            return value
    return None


def _provider(text: str, codes: list[str]) -> str | None:
    found = _BOOK.providers.matching_keys((text + "\n" + " ".join(codes)).lower())
    return _BOOK.provider_names[min(found)] if found else None


def _first_identifier(codes: list[str]) -> str | None:
    return next((code for code in codes if not code.isdigit()), None)


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
