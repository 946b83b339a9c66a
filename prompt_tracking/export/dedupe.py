"""Near-duplicate prompts: one group key per prompt, and a seeded split by group.

Two prompts are near-duplicates when they have the same *token set* of content words after
normalizing: Unicode NFKC and case folding; seed specs (`--seed 42`, `seed: 42`, `seed=42`)
and weights (`(snow:1.2)`, `cat::2`) removed; trailing numbers removed (`..., 12345`);
punctuation and whitespace turned into token breaks; then English function words (articles,
`in on at of with to for by from into onto`, `and or`, `is are be`, `this that these those`)
dropped, unless nothing else is left; then the distinct tokens sorted. So prompts that differ
only in case, punctuation, whitespace, word order, repeated words, articles and such small
words, weights or trailing numbers (a seed) share a key: "A red fox in the snow!",
"a red fox in snow" and "red fox, snow" are one group. Prompts with a content word changed,
added or removed ("a red fox in rain", "a red fox") are not. Negations (`no`, `not`,
`without`) and spatial words (`over`, `under`, `behind`) are kept: they change the picture.

Splits are assigned per group from a hash of (seed, group key), so every record of a
group, in every task, lands in the same split, and the same seed gives the same split.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

_SEED = re.compile(r"(?:--?|\b)seed\s*[:=]?\s*-?\d+", re.IGNORECASE)
_WEIGHT = re.compile(r":{1,2}\s*-?\d+(?:\.\d+)?")
_TOKEN_BREAK = re.compile(r"[\W_]+")
# Kept small on purpose: only words whose presence never changes what a prompt asks for.
# A one-letter word other than "a" is not in it ("scene b" and "scene c" stay apart).
STOPWORDS = frozenset({
    "a", "an", "the", "in", "on", "at", "of", "with", "to", "for", "by", "from", "into",
    "onto", "and", "or", "is", "are", "be", "this", "that", "these", "those"})


def token_set(prompt: str) -> frozenset[str]:
    """The normalized tokens of a prompt, stopwords included (the rule before they go).

    Repair pairs measure word overlap on these."""
    text = unicodedata.normalize("NFKC", prompt).casefold()
    if "seed" in text:  # the checks skip a regex pass for most prompts
        text = _SEED.sub(" ", text)
    if ":" in text:
        text = _WEIGHT.sub(" ", text)
    tokens = _TOKEN_BREAK.split(text)
    while tokens and (not tokens[-1] or tokens[-1].isdigit()):
        tokens.pop()  # trailing numbers ("..., 12345", "... 1.5") are seeds and weights
    return frozenset(t for t in tokens if t)


def content_tokens(prompt: str) -> frozenset[str]:
    """`token_set` without the STOPWORDS, or all of it when only stopwords are left."""
    tokens = token_set(prompt)
    content = tokens - STOPWORDS
    return content if content else tokens


def group_key(prompt: str) -> str:
    """A 16-hex-digit key shared by near-duplicate prompts (see the module docstring)."""
    canonical = " ".join(sorted(content_tokens(prompt)))
    return hashlib.blake2b(canonical.encode("utf-8", "replace"), digest_size=8).hexdigest()


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Token-set overlap from 0 (nothing shared) to 1 (same set)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class GroupKeys:
    """Memoized `group_key`: histories repeat prompts a lot, and the key is the slow part."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def __call__(self, prompt: str) -> str:
        key = self._keys.get(prompt)
        if key is None:
            key = self._keys[prompt] = group_key(prompt)
        return key


class GroupSplitter:
    """Assigns each group key to a split, deterministically from `seed`.

    Args:
        names: Split names, e.g. ("train", "validation", "test").
        ratios: Their shares; non-negative and summing to 1.
        seed: Changing it reshuffles which groups go where.
    """

    def __init__(self, names: Sequence[str], ratios: Sequence[float], seed: int = 0) -> None:
        self.names = tuple(names)
        self.seed = seed
        bounds, total = [], 0.0
        for ratio in ratios:
            total += ratio
            bounds.append(total)
        bounds[-1] = 1.0  # float sums like 0.8+0.1+0.1 must not leave a gap at the top
        self._bounds = bounds
        self._cache: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        name = self._cache.get(key)
        if name is None:
            digest = hashlib.blake2b(f"{self.seed}:{key}".encode(), digest_size=8).digest()
            position = int.from_bytes(digest, "big") / 2.0 ** 64
            name = next(n for n, bound in zip(self.names, self._bounds) if position < bound)
            self._cache[key] = name
        return name
