"""Personal data found in free text, masked before a training export leaves the data dir.

The log calls already mask secrets (`redact.py`); this module goes further for exports,
which are meant to be shared: e-mail addresses, phone numbers, IP addresses, URLs that
carry credentials or tokens, and home-directory paths that name the user. One combined
regular expression scans each string once, and a `PiiRedactor` counts what it replaced
per kind so the export manifest can say what was removed.

Rules (documented in docs/export.md):
- e-mail: `name@domain.tld`.
- phone: written with separators: `+` or `00` and a country code with 7 to 15 digits in
  groups, North-American style `(555) 123-4567`, `555-123-4567`, `555 123 4567`, or a
  national number with a trunk 0 (`01 23 45 67 89`, `030 1234567`). A bare run of
  digits is a seed or a size, not a phone number, and is left alone.
- IP address: dotted IPv4 with each part 0-255, and IPv6 in full or compressed
  (`fe80::1`, `::1`, `2001:db8::`); `word::2` weights are left alone.
- UNC path: `\\\\host\\share\\...` is replaced whole (it names a machine and often a user).
- URL with credentials or tokens: `user:password@` in the authority, or a query key such
  as `token`, `key`, `sig`, `signature`, `X-Amz-Signature`: the whole URL is replaced.
- home path: `/home/<name>`, `/Users/<name>`, `C:\\Users\\<name>`: only the name is replaced.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

from prompt_tracking.privacy.redact import _SENSITIVE_QUERY  # one list of token-bearing query keys for the package

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "ip_address": "[IP]",
    "url_credentials": "[URL]",
}
UNC_PLACEHOLDER = "[UNC_PATH]"
HOME_PLACEHOLDER = "[USER]"
# A UNC path is counted as a home path: both are paths that name a person or their machine.
KINDS = ("email", "phone", "ip_address", "url_credentials", "home_path")

_URL = r"(?P<url>\b[a-z][a-z0-9+.\-]*://[^\s\"'<>]+)"
# Domains may be internationalized (ivan@почта.рф): a label is any word characters, the
# top-level domain letters (any script) or punycode.
_EMAIL = r"(?P<email>\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.(?:xn--[\w\-]+|[^\W\d_]{2,})(?![\w\-]))"
_IPV4_PART = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# A sentence may end right after an address, so only a following digit group disqualifies a dot.
_IPV4 = rf"(?P<ipv4>(?<![\w.]){_IPV4_PART}(?:\.{_IPV4_PART}){{3}}(?!\w|\.\d))"
_H = r"[0-9a-f]{1,4}"
# Full form, or compressed with "::" anywhere: "fe80::1", "::1", "2001:db8::".
_IPV6 = (rf"(?P<ipv6>(?<![\w:])(?:(?:{_H}:){{7}}{_H}|(?:{_H}(?::{_H}){{0,6}})?::(?:{_H}(?::{_H}){{0,6}})?)"
         rf"(?![\w:]))")
# International with "+" or "00", North-American 3-3-4 (also with spaces), and national
# numbers with a trunk 0 in groups ("01 23 45 67 89", "030 1234567"). A lone run of
# digits (a seed), "1024x1024", versions and times have none of these shapes.
_PHONE = (r"(?P<phone>(?<![\w+.:/\-])(?:(?:\+|00)\d{1,3}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{1,4}"
          r"(?:[ .\-]\d{2,8}){1,4}"
          r"|\+\d{7,15}|\(\d{3}\)\s?\d{3}[ .\-]\d{4}|\d{3}(?P<sep1>[ .\-])\d{3}(?P=sep1)\d{4}"
          r"|0\d(?:(?P<sep2>[ .\-])\d{2})(?:(?P=sep2)\d{2}){3}|0\d{2,4}[ /\-]\d{6,8})(?!\w|[.:/\-]\w))")
# A user name may hold spaces ("C:\Users\Jane Doe\"), but only when a separator follows it.
_USER = r"[^/\\\s\"'<>:]+(?:\s[^/\\\s\"'<>:]+)*(?=[/\\])|[^/\\\s\"'<>:]+"
# \\host\share\...: the host and share (and often a user) name a machine and a person.
_UNC = r"(?P<unc>(?<![\w\\])\\\\[\w.\-$]+\\[^\s\"'<>|]+)"
_HOME = rf"(?P<home>(?:/home/|/Users/|\b[a-z]:[\\/]+Users[\\/]+))(?P<user>{_USER})"
# Not personal: the shared profiles Windows and macOS create on every machine.
_SHARED_PROFILES = frozenset({"public", "default", "shared", "all users", "default user", "[user]"})
# One pass per kind, each behind a cheap test of its fixed part (most prompts pass none).
# Order matters: a credential URL is masked whole before its "user@host" looks like an e-mail.
_PASSES: list[tuple[str | re.Pattern[str], re.Pattern[str]]] = [
    ("://", re.compile(_URL, re.IGNORECASE)),
    ("@", re.compile(_EMAIL, re.IGNORECASE)),
    (re.compile(r"\d\.\d{1,3}\.\d|::|[0-9a-f]:[0-9a-f]{1,4}:", re.IGNORECASE),
     re.compile(f"{_IPV4}|{_IPV6}", re.IGNORECASE)),
    (re.compile(r"\+\d|\b00\d|\(\d{3}\)|\d{3}[ .\-]\d{3}[ .\-]|\b0\d[ .\-/]\d|\b0\d{2,4}[ /\-]\d"),
     re.compile(_PHONE)),
    ("\\\\", re.compile(_UNC)),
    (re.compile(r"/home/|/users/|users[\\/]", re.IGNORECASE), re.compile(_HOME, re.IGNORECASE)),
]


def _url_has_credentials(url: str) -> bool:
    authority = url.split("://", 1)[1].split("/", 1)[0]
    if "@" in authority:
        return True
    query = url.split("?", 1)[1] if "?" in url else ""
    for pair in re.split(r"[&;#]", query):
        key = pair.split("=", 1)[0]
        if key and _SENSITIVE_QUERY.match(key):
            return True
    return False


def _looks_like_ipv6(text: str) -> bool:
    """Three groups or more, "::" at an end ("::1", "2001:db8::"), or a digit in a group.

    Midjourney weights ("bed::2", "cafe::1.5") are a word, "::" and a number.
    """
    groups = [g for g in text.split(":") if g]
    if len(groups) >= 3 or text.startswith("::") or text.endswith("::"):
        return True
    return any(ch.isdigit() for ch in groups[0]) and len(groups[0]) >= 2


class PiiRedactor:
    """Masks personal data in strings and counts each kind it masked.

    One instance serves one export, so `counts` is that export's tally.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter({kind: 0 for kind in KINDS})
        # Histories repeat prompts (retries, re-runs): each distinct text is scanned once.
        self._seen: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._found: list[str] = []

    def _count(self, kind: str) -> None:
        self.counts[kind] += 1
        self._found.append(kind)

    def _replace(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        text = match.group(0)
        if kind == "url":
            if not _url_has_credentials(text):
                return text  # later passes still mask a home path or address inside it
            self._count("url_credentials")
            return PLACEHOLDERS["url_credentials"]
        if kind in ("home", "user"):
            if match.group("user").lower() in _SHARED_PROFILES:
                return text
            self._count("home_path")
            return match.group("home") + HOME_PLACEHOLDER
        if kind == "ipv6" and not _looks_like_ipv6(text):
            return text  # "bed::2" is a Midjourney weight, not an address
        if kind == "unc":
            self._count("home_path")
            return UNC_PLACEHOLDER
        if kind in ("ipv4", "ipv6"):
            self._count("ip_address")
            return PLACEHOLDERS["ip_address"]
        kind = kind or "email"   # every alternative is a named group; for the type checker
        self._count(kind)
        return PLACEHOLDERS[kind]

    def text(self, value: str | None) -> str | None:
        """`value` with personal data masked (None and '' pass through)."""
        if not value:
            return value
        seen = self._seen.get(value)
        if seen is not None:
            self.counts.update(seen[1])
            return seen[0]
        self._found = []
        masked = value
        for trigger, pattern in _PASSES:
            if (trigger in masked) if isinstance(trigger, str) else trigger.search(masked):
                masked = pattern.sub(self._replace, masked)
        self._seen[value] = (masked, tuple(self._found))
        return masked

    def value(self, value: Any) -> Any:
        """Masks every string inside a JSON value (dicts, lists), keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.value(v)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def redact_pii(text: str) -> tuple[str, dict[str, int]]:
    """Mask personal data in one string.

    Returns:
        The masked text and how many of each kind were masked.
    """
    redactor = PiiRedactor()
    return redactor.text(text) or text, {k: v for k, v in redactor.counts.items() if v}
