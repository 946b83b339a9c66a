"""Spans of an error text that name things rather than say why the call failed.

A cause word inside a URL (`.../docs/rate-limits`), a file path (`/app/network/timeout.py`), a
stack frame (`File "...", line 12, in _retry_on_timeout`), a template variable (`{timeout}`), a
type name (`'SDXL_0_9' is not a valid SdVersions`, `<class '...ToolPromptMessage'>`) or a
parameter's name (`'request_timeout' was unexpected`) or an attribute's (`has no attribute 'quota'`)
is a name, not the reason. `quiet_spans`
blanks such spans out (same length, so positions still line up) before the phrase families,
the free-text codes and the statistical fallback read the text; provider names, class names and
statuses are still read from the full text, where hosts and paths are good evidence.
"""
from __future__ import annotations

import re

# (literals one of which the span must contain, the span). A regex runs only when its literal
# occurs, so the common message with no URL, path or frame costs a few substring tests.
_SPANS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    # URLs and URIs; a bare host ("api.openai.com") is left for the provider table.
    (("://",), re.compile(r"\b(?:https?|wss?|file|s3|gs)://[^\s\"'<>`)\]}]+")),
    # Windows paths: C:\Users\...\site-packages\x.py
    ((":\\",), re.compile(r"\b[A-Za-z]:\\[^\s\"'<>|]+")),
    # Unix paths of two or more segments (/usr/lib/python3/x.py, node_modules/a/b.js), not "a/b" words.
    (("/",), re.compile(r"/(?<![\w.:/]/)(?:[\w.@+-]+/)+[\w.@+-]*")),
    # Python frames, with the source line indented under them.
    (('File "',), re.compile(r"(?m)^(?P<indent>[ \t]*)File \"[^\"\n]*\", line \d+[^\n]*(?:\n(?P=indent)[ \t]+[^\n]*)?")),
    # JS / Java frames: "    at fn (file.js:1:2)", "at async Object.m (...)".
    (("at ",), re.compile(r"(?m)^[ \t]*at [^\n]*(?:\(|:\d+:\d+|<anonymous>)[^\n]*$")),
    # Template variables left in a message: {timeout}, ${reason}, {{ error }}, %(error)s
    (("{", "%("), re.compile(r"\$?\{\{?[ \t]*[A-Za-z_][\w.]*[ \t]*\}?\}|%\([A-Za-z_]\w*\)[sdr]")),
    # Python's enum error: the client could not read a value it got back.
    (("is not a valid",), re.compile(r"'[^'\n]{0,80}' is not a valid [A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b")),
    # A type repr: <class 'core.entities.ToolPromptMessage'>
    (("<class '",), re.compile(r"<class '[\w.]+'>")),
    # A parameter's name is not a code: only the name is blanked, the words around it still count.
    (("was unexpected",), re.compile(r"'(?P<name>[A-Za-z_][\w.-]*)' was unexpected")),
    # An attribute the client's own code looked up: 'NoneType' object has no attribute 'quota'.
    (("has no attribute",), re.compile(r"has no attribute '(?P<name>[A-Za-z_]\w*)'")),
    (("nexpected keyword", "nrecognized", "nknown field", "nknown parameter", "nknown argument"),
     re.compile(r"(?:unexpected keyword argument|unrecognized (?:request )?arguments?(?: supplied)?"
                r"|unknown (?:field|parameter|argument)s?):? '(?P<name>[A-Za-z_][\w.-]*)'", re.IGNORECASE)),
)


def _blank(match: re.Match[str]) -> str:
    """Spaces for the whole span, or only for the name inside it."""
    if "name" in match.re.groupindex and match.group("name") is not None:
        span, start, end = match.group(), match.start("name") - match.start(), match.end("name") - match.start()
        return span[:start] + " " * (end - start) + span[end:]
    return " " * (match.end() - match.start())


def quiet_spans(text: str) -> str:
    """`text` with URLs, paths, stack frames, template variables and type or parameter names blanked out.

    Returns the very same object when nothing was blanked, so callers can test `is`.
    """
    quiet = text
    for literals, pattern in _SPANS:
        if any(literal in quiet for literal in literals):
            blanked = pattern.sub(_blank, quiet)
            if blanked != quiet:
                quiet = blanked
    return quiet
