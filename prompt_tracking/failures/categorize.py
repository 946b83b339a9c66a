"""Error text to failure reason.

`describe_failure` turns whatever a host app caught (an exception, its str(), a parsed JSON
error body, or None) into a `FailureInfo`: one of the ten failure reasons plus the provider
error code, HTTP status and provider it could read. `error_evidence` gathers the evidence
(exception chain, attributes, JSON bodies embedded several layers deep); this module reads
code-shaped words, class names and status numbers from it and lets the highest-priority rule
of `failure_rules` decide, via a matcher that tries phrase patterns best first. It never raises.
"""
from __future__ import annotations

import bisect
import dataclasses
import logging
import re
import sys
import threading
from typing import Any

from prompt_tracking.failures import providers, rules, statistical
from prompt_tracking.failures.evidence import Evidence, gather_evidence
from prompt_tracking.failures.matcher import Matcher, TriggerScan
from prompt_tracking.failures.spans import quiet_spans
from prompt_tracking.records import FailureReason

logger = logging.getLogger(__name__)

# Possessive quantifiers (Python 3.11+): giving characters back can never let the next part match,
# so failing fast at each letter of ordinary words halves the scan; without them the matches are the same.
_POSSESSIVE = "+" if sys.version_info >= (3, 11) else ""
# Tried only where a word starts: a retry at every letter inside a long word cost most of the scan.
_CODE_SHAPED = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z][A-Za-z0-9]*{p}(?:[._][A-Za-z0-9]+{p})+"
                          r"|[A-Z][a-z0-9]+{p}(?:[A-Z][A-Za-z0-9]*{p})+)".replace("{p}", _POSSESSIVE))
# The look-behind sits after the first digit so the scan can skip straight to digits.
_STATUS_NUMBER = re.compile(r"(\d(?<![\w.$/=:#-]\d)\d\d)(?!\w|\.\w)")  # "status 401." ends a sentence
_STATUS_CONTEXT = re.compile(r"(?:status|http|code|error|response|failed|request|api|exception|fetch|returned|responded"
                             r"|失败|错误|状态码)"
                             r"[^\n]{0,12}$|(?:^|\n)\W{0,3}$|\|\s{0,3}$", re.IGNORECASE)  # "| 500 |" in access logs
# On lower-cased text, literal-led: "code=404", "status: 503", "status_code=500", "http_status=502".
_KEYED_STATUS = re.compile(r"(?:status|code)(?:_?code)?\s?[=:]\s?(\d{3})\b"
                           r'|\[(?:get|post|put|patch|delete|head)\] "[^"\n]*": (\d{3})\b')  # ofetch: [POST] "url": 500
_CLASS_SUFFIXES = ("Error", "Exception", "Timeout", "Cancelled", "Interrupt", "gaierror")
# The suffix is found first (a literal-led search) and the class name read back from it.
_CLASS_SUFFIX = re.compile(rf"(?:{'|'.join(_CLASS_SUFFIXES)})\b")
_NAME_TAIL = re.compile(r"[A-Za-z]*$")
_KNOWN_STATUSES = frozenset(s for statuses in rules.HTTP_STATUSES.values() for s in statuses)


@dataclasses.dataclass(frozen=True)
class FailureInfo:
    """What could be read out of an error: the reason and, when present, code, status, provider.

    Attributes:
        reason: One of the ten failure reasons.
        error_code: The provider's error code, when one was read.
        http_status: The HTTP status, when one was read.
        provider: The provider the message names or implies (e.g. "openai", "comfyui").
        confidence: From 0.0 (nothing pointed anywhere) to 1.0; structured evidence ranks highest.
        layer: What decided: "provider_code", "sdk_class", "http_status", "phrase", "custom_rule",
            "statistical", or "none" for `unknown` with no evidence.
        evidence: A short human note on the deciding evidence, e.g. "derived from HTTP 429".
    """

    reason: FailureReason
    error_code: str | None = None
    http_status: int | None = None
    provider: str | None = None
    confidence: float = 0.0
    layer: str = "none"
    evidence: str = ""


class _Tables:
    """The phrase and provider tables compiled: some hundred regexes, built on first use."""

    def __init__(self) -> None:
        # Phrases are tried best first (ties: table order), so the first match is the only one that counts.
        ordered = sorted(rules.MESSAGE_PATTERNS, key=lambda rule: -rule[2])
        self.phrases = Matcher([((prio, 0, reason), pattern) for pattern, reason, prio in ordered], re.ASCII)
        self.phrase_ranks = [-prio for _, _, prio in ordered]  # ascending, for bisect
        self.providers = Matcher(list(rules.PROVIDERS), re.ASCII)
        # One scan of each text finds the trigger words of both tables.
        self.scan = TriggerScan(self.phrases.triggers | self.providers.triggers)
        self.phrases.share(self.scan)
        self.providers.share(self.scan)


class _RuleBook:
    """All rules: lookup tables built at import, regex tables compiled on first use, custom rules."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[FailureReason, int]] = {}
        for table, priority in ((rules.WRAPPER_CODES, rules.WRAPPER), (rules.GENERIC_CODES, rules.GENERIC_CODE),
                                (rules.PROVIDER_CODES, rules.PROVIDER_CODE)):
            for reason, codes in table.items():
                self.codes.update({code.lower(): (reason, priority) for code in codes})
        self.classes = {name.lower(): (reason, prio)
                        for reason, (names, prio) in rules.CLASS_NAMES.items() for name in names}
        self.statuses = {s: reason for reason, statuses in rules.HTTP_STATUSES.items() for s in statuses}
        self.custom: list[tuple[re.Pattern[str], FailureReason, int]] = []
        self._tables: _Tables | None = None
        self._lock = threading.Lock()

    @property
    def tables(self) -> _Tables:
        """The compiled tables; compiling them at import would cost every host app's start-up."""
        if self._tables is None:
            with self._lock:
                if self._tables is None:
                    self._tables = _Tables()
        return self._tables


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


# A candidate: (priority, tie-break, reason, layer, evidence); the first maximum wins.
_Candidate = tuple[int, int, FailureReason, str, str]


def _describe(error: Any) -> FailureInfo:
    evidence = gather_evidence(error)
    text = evidence.text
    if not text.strip() and not evidence.codes and not evidence.statuses and not evidence.class_names:
        return FailureInfo(FailureReason.UNKNOWN)
    lowered = text.lower()
    # Phrases and free-text codes read the text without URLs, paths and stack frames; the trigger
    # scan of the full text finds a superset of the words left, so it selects every branch that can match.
    quiet = quiet_spans(text)
    code_hits = _code_hits(evidence, quiet)
    status = _cause_status([s for s in evidence.statuses if 100 <= s <= 599] + _statuses_in_text(text, lowered))
    # The provider table also reads the codes; one trigger scan of that text serves both tables.
    provider_text = lowered + "\n" + " ".join(evidence.codes).lower()
    tables = _BOOK.tables
    found = tables.scan.find(provider_text)
    candidates: list[_Candidate] = [(prio, 1, reason, "provider_code", f"code {code}")
                                    for code, reason, prio in code_hits]
    quiet_lowered = lowered if quiet is text else quiet.lower()
    candidates += _phrase_hits(tables, text, quiet_lowered, code_hits[0][2] if code_hits else -1, found)
    candidates += _class_hits(evidence, text)
    if status in _BOOK.statuses:
        candidates.append((rules.HTTP_STATUS, 0, _BOOK.statuses[status], "http_status", f"derived from HTTP {status}"))
    error_code = code_hits[0][0] if code_hits else _first_identifier(evidence.codes)
    provider = tables.providers.first_key(provider_text, found=found) or providers.infer_provider(text)
    if candidates:
        priority, _, reason, layer, note = max(candidates, key=lambda c: (c[0], c[1]))
        return FailureInfo(reason, error_code, status, provider, _confidence(layer, priority), layer, note)
    guess = statistical.predict(quiet)
    if guess is None or guess[0] == FailureReason.UNKNOWN.value:
        return FailureInfo(FailureReason.UNKNOWN, error_code, status, provider)
    return FailureInfo(FailureReason(guess[0]), error_code, status, provider, round(0.6 * guess[1], 2),
                       "statistical", f"statistical fallback, p={guess[1]:.2f}")


def _confidence(layer: str, priority: int) -> float:
    """Provider codes and specific phrases are near-certain; a bare status or generic code much less."""
    if layer == "http_status":
        return 0.5
    return round(min(0.98, 0.45 + priority / 200), 2)


def _code_hits(evidence: Evidence, text: str) -> list[tuple[str, FailureReason, int]]:
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


def _phrase_hits(tables: _Tables, text: str, lowered: str, code_priority: int, found: list[str]) -> list[_Candidate]:
    """The best built-in phrase that could still beat the best code (codes win ties), plus custom rules."""
    worth_trying = bisect.bisect_left(tables.phrase_ranks, -code_priority)
    best = tables.phrases.first_match(lowered, worth_trying, found)
    hits: list[_Candidate] = []
    if best:
        (priority, tie, reason), matched = best
        hits.append((priority, tie, reason, "phrase", f"phrase: {_clip(matched)}"))
    custom = _BOOK.custom
    for order, (pattern, reason, prio) in enumerate(custom):
        match = pattern.search(text)
        if match:
            hits.append((prio, 2 + len(custom) - order, reason, "custom_rule", f"rule: {_clip(match.group(0))}"))
    return hits


def _clip(matched: str) -> str:
    matched = " ".join(matched.split())
    return matched if len(matched) <= 40 else matched[:39] + "\u2026"


def _class_hits(evidence: Evidence, text: str) -> list[_Candidate]:
    hits: list[_Candidate] = []
    named = []
    for match in _CLASS_SUFFIX.finditer(text):
        head = _NAME_TAIL.search(text, max(0, match.start() - 60), match.start())  # the letters before it
        begin = head.start() if head else match.start()
        if begin == 0 or not (text[begin - 1].isalnum() or text[begin - 1] == "_"):  # a whole word
            named.append(text[begin:match.end()])
    for name in [*evidence.class_names, *named]:
        entry = _BOOK.classes.get(name.lower())
        if entry:
            hits.append((entry[1], 0, entry[0], "sdk_class", f"exception class {name}"))
    return hits


def _statuses_in_text(text: str, lowered: str) -> list[int]:
    keyed = _KEYED_STATUS.search(lowered)  # "code=404", "status: 503" (OkHttp, Go and log formats)
    number = int(keyed.group(1) or keyed.group(2)) if keyed else 0
    found = [number] if number in _KNOWN_STATUSES else []
    for match in _STATUS_NUMBER.finditer(text):
        value = int(match.group(1))
        if value in _KNOWN_STATUSES and _STATUS_CONTEXT.search(text[max(0, match.start() - 30):match.start()]):
            found.append(value)
    return found


def _cause_status(statuses: list[int]) -> int | None:
    """The status that names the cause: a 4xx inside an outer 5xx wrapper beats the wrapper."""
    if not statuses:
        return None
    # A relay or SDK that failed on a 401/403/429 from upstream often reports its own 500 around it.
    if statuses[0] >= 500:
        return next((s for s in statuses if 400 <= s < 500), statuses[0])
    return statuses[0]


def _first_identifier(codes: list[str]) -> str | None:
    return next((code for code in codes if not code.isdigit()), None)


