"""Prompt terms: words and in-segment word pairs, shared by the analytics and the risk model."""
from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+(?:['-]\w+)*|,")
STOP_WORDS = frozenset(
    "a an the of in on at to and or with for from by is are be it its this that as into over "
    "under while very".split())

class TermCache:
    """Terms of each distinct prompt and segment, computed once per analysis run (no global cache).

    Prompts are mostly recombined segments ("golden hour", "85mm lens"), so terms are cached
    per comma-separated segment as well as per prompt.
    """

    def __init__(self) -> None:
        self._prompts: dict[str, tuple[str, ...]] = {}
        self._segments: dict[str, tuple[str, ...]] = {}

    def terms(self, prompt: str) -> tuple[str, ...]:
        """The distinct words and two-word phrases of a prompt (see `extract_terms`)."""
        found = self._prompts.get(prompt)
        if found is None:
            segments = self._segments
            terms: set[str] = set()
            for segment in prompt.split(","):
                seg_terms = segments.get(segment)
                if seg_terms is None:
                    seg_terms = segments[segment] = extract_terms(segment)
                terms.update(seg_terms)
            found = self._prompts[prompt] = tuple(terms)
        return found


def extract_terms(prompt: str) -> tuple[str, ...]:
    """Words (no digits-only, no single letters, no stop words) and in-segment word pairs.

    A pair is two kept words in a row; a comma, stop word or number between them breaks it,
    so "fox in a forest" gives no "fox forest".
    """
    terms: set[str] = set()
    previous = ""
    for token in _TOKEN.findall(prompt.casefold()):
        if token == "," or len(token) < 2 or token in STOP_WORDS or token.isdigit():
            previous = ""
            continue
        terms.add(token)
        if previous and previous != token:
            terms.add(f"{previous} {token}")
        previous = token
    return tuple(terms)


def jaccard(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Shared terms over all terms; 1.0 for two empty term lists."""
    if not a and not b:
        return 1.0
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)
