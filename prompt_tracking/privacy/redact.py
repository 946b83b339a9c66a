"""Keeping secrets off the disk, and turning whatever a host passes into JSON-safe values.

Everything the tracker writes goes through here first: API keys and tokens are masked in
free text and URLs, parameters named like credentials are dropped, and parameter values
of any type become JSON values without losing their neighbours.
"""
from __future__ import annotations

import datetime as _dt
import enum
import functools
import math
import os
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"

# Key formats seen in provider docs; each pattern keeps a short prefix so a user can
# still tell which provider's key leaked.
_SECRET_PATTERNS = [
    r"\bsk-(?:proj-|ant-|or-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}",  # OpenAI, Anthropic, OpenRouter
    r"\br8_[A-Za-z0-9]{20,}",                                    # Replicate
    r"\bhf_[A-Za-z0-9]{20,}",                                    # Hugging Face
    r"\bAIza[0-9A-Za-z_\-]{30,}",                                # Google
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",                            # AWS access key id
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9a-f]{32}\b",  # fal
    r"\bAKLT[A-Za-z0-9_\-]{20,}",                                # Volcengine access key
    r"\bgh[pousr]_[A-Za-z0-9]{30,}", r"\bgithub_pat_[A-Za-z0-9_]{20,}",  # GitHub
    r"\bglpat-[A-Za-z0-9_\-]{20,}",                              # GitLab
    r"\bxox[abposre]-[A-Za-z0-9\-]{10,}", r"\bxapp-[A-Za-z0-9\-]{10,}",  # Slack
    r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}", r"\bwhsec_[A-Za-z0-9]{20,}",  # Stripe
    r"\beyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",  # JWT
    r"\bya29\.[A-Za-z0-9_\-]{20,}",                             # Google OAuth access token
    r"\bGOCSPX-[A-Za-z0-9_\-]{20,}",                             # Google OAuth client secret
    r"\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}",          # SendGrid
    r"\b(?:gsk|xai|pplx|fw|npm)[_-][A-Za-z0-9]{24,}",            # Groq, xAI, Perplexity, Fireworks, npm
    r"\bpypi-[A-Za-z0-9_\-]{50,}",                               # PyPI upload token
]
# Apart from the others: one alternative without a leading \b makes the combined pattern
# try every position (ten times slower on every prompt); this one runs only when needed.
_PEM_RE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)")
# "+" too: a header written into a form-encoded query ("Bearer+sk-...") after decoding.
_BEARER = r"(?i)\b(?:Bearer|Basic|Key|Token)(?:\s|\+)+[A-Za-z0-9._~+/=:\-]{12,}"
# A credential-named field (also with a prefix: aws_secret_access_key, client_secret,
# "access_token", x-key) followed by = or :, in code, JSON, headers or query strings.
# The lookbehind, unlike \b, also starts a match after "_" (aws_secret_...).
# The prefix is bounded: an unbounded `[\w-]*` backtracks quadratically on "a-a-a-...".
_ASSIGNED = (r"(?i)(?<![A-Za-z0-9])[\w-]{0,40}(?:api[_-]?key|apikey|access[_-]?key|secret[_-]?key|"
             r"secret|token|password|passwd|pwd|authorization|x-key|secretaccesskey|signature|"
             r"credential|bearer|(?<![A-Za-z0-9])(?:sig|auth))"
             r"(\"?'?\s*[:=]\s*\"?'?)[^\s\"',;&}]{6,}")
_SECRET_RE = re.compile("|".join(f"(?:{p})" for p in _SECRET_PATTERNS))
_BEARER_RE = re.compile(_BEARER)
_ASSIGNED_RE = re.compile(_ASSIGNED)
# Words every match of the two patterns above contains: looking for them in the lowered text
# (plain substring searches) is many times cheaper than trying the patterns at every
# position of an ordinary prompt.
_BEARER_HINTS = ("bearer", "basic", "key", "token")
_ASSIGNED_HINTS = ("key", "secret", "token", "passw", "pwd", "auth", "signature", "credential",
                   "bearer", "sig")
_URL_RE = re.compile(r"\b[a-z][a-z0-9+.\-]{1,15}://[^\s\"'<>]+", re.IGNORECASE)
# Long uuid-like hex strings preceded by "key" words are covered by _ASSIGNED; a bare
# Volcengine Ark key is a uuid and indistinguishable from ids, so it is left alone.

_SENSITIVE_QUERY = re.compile(
    r"(?i)^(?:token|access_token|id_token|refresh_token|key|api_key|apikey|api-key|"
    r"signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token|"
    r"x-goog-signature|x-goog-credential|googleaccessid|x-tos-signature|x-tos-credential|"
    r"x-tos-security-token|x-oss-signature|ossaccesskeyid|security-token|secret|password|"
    r"passwd|pwd|pass|bearer|client_secret|access_key|secret_key|"
    r"auth|authorization|code|sas|sv|se|sp|sr|skoid|sktid|st)$")
_SENSITIVE_PARAM_NAME = re.compile(
    r"(?i)(api[_-]?key|apikey|(?<!max_)(?<!min_)(?<!num_)token(?!s$|izer|_count|_limit)|secret|"
    r"password|passwd|credential|authorization|private[_-]?key|access[_-]?key|cookie|"
    r"session[_-]?key|signature$|bearer|"
    r"^x-key$|^key$|^sig$|^pwd$|^pass$|^auth$|^auth[_-]|[_-]auth$|[_-]sig$|[_-]pwd$)")
# Encoded contexts hide a secret from the patterns: `api_key%3Dsk-...`, `Bearer%20sk-...`,
# `{\"api_key\": \"...\"}`, `https:\/\/...?sig=`. Only text showing one of these is decoded.
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}|\\[\\\"/ubfnrt]")
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|([\\\"/bfnrt]))")
_JSON_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_DECODE_ROUNDS = 3     # double-encoded query strings inside JSON: enough for what apps write


def redact_url(url: str) -> str:
    """Mask credentials in a URL: user:password, and token/key/signature query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _redact_plain(url, urls=False)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = REDACTED + "@" + netloc.rsplit("@", 1)[1]
    # OAuth implicit flows put tokens in the fragment (#access_token=...), like a query.
    query, fragment = _mask_pairs(parts.query), _mask_pairs(parts.fragment)
    rebuilt = urlunsplit((parts.scheme, netloc, parts.path, query, fragment))
    return redact_text(rebuilt, urls=False)   # also decodes: ?q=api_key%3Dsk-...


def _is_query_secret(key: str) -> bool:
    return bool(_SENSITIVE_QUERY.match(key) or _SENSITIVE_PARAM_NAME.search(key))


def _mask_pairs(text: str) -> str:
    """`k=v&...` with the values of credential-named keys masked; other text unchanged."""
    if "=" not in text:
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    if not any(_is_query_secret(k) for k, _ in pairs):
        return text
    return urlencode([(k, REDACTED if _is_query_secret(k) else v) for k, v in pairs],
                     safe="[]")


def _redact_plain(text: str, *, urls: bool = True) -> str:
    if urls and "://" in text:
        text = _URL_RE.sub(lambda m: redact_url(m.group(0)), text)
    text = _SECRET_RE.sub(lambda m: m.group(0)[:3] + "..." + REDACTED, text)
    if "-----BEGIN" in text:
        text = _PEM_RE.sub("-----BEGIN PRIVATE KEY-----" + REDACTED, text)
    lowered = text.lower()
    if any(hint in lowered for hint in _BEARER_HINTS):
        text = _BEARER_RE.sub(lambda m: re.split(r"[\s+]", m.group(0), maxsplit=1)[0] + " " + REDACTED,
                              text)
    if (":" not in text and "=" not in text) or not any(h in lowered for h in _ASSIGNED_HINTS):
        return text   # no `name: value` or `name=value` with a credential name: skip the costliest pattern
    return _ASSIGNED_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + m.group(1) + REDACTED,
                            text)


def _json_unescape(match: re.Match[str]) -> str:
    if match.group(1):
        return chr(int(match.group(1), 16))
    char = match.group(2)
    return _JSON_SIMPLE.get(char, char)


def _decode_once(text: str) -> str:
    text = _JSON_ESCAPE.sub(_json_unescape, text) if "\\" in text else text
    return unquote(text) if "%" in text else text


def redact_text(text: str, *, urls: bool = True) -> str:
    """Mask API keys, bearer tokens, `key=value` secrets and secret-bearing URLs in text.

    Text that shows URL-encoding (`%3D`) or JSON escapes (`\\"`, `\\/`) is also decoded (up
    to three layers) and matched again; when the decoded form holds a secret, the decoded
    form is what is returned, masked, because the encoded one cannot be masked in place.
    """
    if not text:
        return text
    plain = _redact_plain(text, urls=urls)
    if not _ENCODED.search(text):
        return plain
    decoded = text
    for _ in range(_DECODE_ROUNDS):
        try:
            step = _decode_once(decoded)
        except (ValueError, OverflowError):  # a lone surrogate escape, say
            break
        if step == decoded:
            break
        decoded = step
    masked = _redact_plain(valid_text(decoded), urls=urls)
    return masked if masked != valid_text(decoded) else plain


def redact_value(value: Any) -> Any:
    """The one redactor for every text field before anything is journaled; never raises.

    Strings (a prompt, a model name, an error message or code, a URL, a tag, a metadata
    value) are masked with `redact_text`, which also looks inside URLs and inside URL- and
    JSON-encoded text. Dicts lose credential-named keys (`sanitize_key`) and have their
    other keys and values masked the same way; lists and tuples are masked item by item.
    Other JSON scalars (numbers, booleans, None) pass through; anything else becomes
    its masked `str()` via `to_json_value`.

    Args:
        value: A field's value, of any type.

    Returns:
        A JSON-safe value of the same shape with no recognisable secret left in it. A
        top-level string keeps its length (the caller applies its own field limit);
        strings inside dicts and lists are cut at 10,000 characters, as parameters are.
    """
    if isinstance(value, str):
        try:
            return redact_text(valid_text(value))
        except Exception:  # pragma: no cover - the patterns do not raise on text
            return REDACTED
    return to_json_value(value)


def sanitize_key(key: Any) -> str | None:
    """A parameter or metadata key as it may be stored; None when the key must be dropped.

    Credential-named keys (`api_key`, `signature`, `sig`, `auth`, `bearer`, `pwd`...) are
    dropped with their value; any other key is made valid UTF-8, cut to 200 characters,
    and masked like text (a key can itself be a pasted token).
    """
    if isinstance(key, str):
        return _sanitize_text_key(key)
    try:
        name = str(to_json_value(key))
    except Exception:  # a hostile __str__
        name = f"<{type(key).__name__}>"
    return _sanitize_text_key(name)


# Parameter keys repeat on every record ("steps", "seed"...): the answer is pure, so cache it.
@functools.lru_cache(maxsize=4096)
def _sanitize_text_key(key: str) -> str | None:
    name = valid_text(key)
    if is_secret_name(name) or is_secret_name(_decode_key(name)):
        return None
    return redact_text(name[:_MAX_KEY])


def _decode_key(name: str) -> str:
    try:
        return unquote(name) if "%" in name else name
    except ValueError:  # pragma: no cover - unquote is lenient
        return name


def is_secret_name(name: str) -> bool:
    """True for parameter names that hold credentials (api_key, token, password...)."""
    return bool(_SENSITIVE_PARAM_NAME.search(name))


_MAX_DEPTH = 6
_MAX_ITEMS = 200
_MAX_STRING = 10_000
_MAX_KEY = 200


def to_json_value(value: Any, depth: int = 0) -> Any:
    """Convert any value to a JSON-safe one; never raises.

    Paths become strings, Tk variables their value, enums their value, bytes a size note,
    sets sorted lists, numpy scalars Python numbers, and anything else its `str()`.
    """
    try:
        return _convert(value, depth)
    except Exception:  # a hostile __str__/__iter__ must not lose the other parameters
        return f"<unserializable {type(value).__name__}>"


def _convert(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return _convert(value.value, depth + 1)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return redact_text(valid_text(value[:_MAX_STRING]))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        return redact_text(valid_text(path)) if isinstance(path, str) else "<path>"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if depth >= _MAX_DEPTH:
        return f"<{type(value).__name__} nested too deep>"
    if isinstance(value, dict):
        return sanitize_parameters(value, depth + 1)
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, depth + 1) for v in list(value)[:_MAX_ITEMS]]
    if isinstance(value, (set, frozenset)):
        items = [to_json_value(v, depth + 1) for v in list(value)[:_MAX_ITEMS]]
        return sorted(items, key=repr)
    if _is_tk_variable(value):
        return _convert(value.get(), depth + 1)
    item = getattr(value, "item", None)  # numpy scalars and 0-d arrays
    if callable(item) and type(value).__module__.startswith("numpy"):
        return _convert(item(), depth + 1) if getattr(value, "size", 1) == 1 else \
            _convert(value.tolist(), depth + 1)
    return redact_text(valid_text(str(value)[:_MAX_STRING]))


def valid_text(text: str) -> str:
    """`text` with lone surrogates (e.g. from undecodable file names) replaced by '?'.

    SQLite and UTF-8 files reject them, which would lose the whole record.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _is_tk_variable(value: Any) -> bool:
    # Duck-typed so the core never imports tkinter.
    return any(cls.__name__ == "Variable" and cls.__module__ == "tkinter"
               for cls in type(value).__mro__)


def sanitize_parameters(params: Any, depth: int = 0) -> dict[str, Any]:
    """A JSON-safe copy of a parameter dict: keys through `sanitize_key`, values masked; never raises."""
    if params is None:
        return {}
    try:
        items = list(params.items()) if hasattr(params, "items") else [("value", params)]
    except Exception:
        return {"value": f"<unserializable {type(params).__name__}>"}
    clean: dict[str, Any] = {}
    for key, value in items[:_MAX_ITEMS]:
        name = sanitize_key(key)
        if name is None:
            continue
        clean[name] = to_json_value(value, depth)
    return clean
