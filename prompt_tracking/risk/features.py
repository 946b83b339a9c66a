"""Features of a prompt + model + parameters for the risk model, and what each one means.

A feature is a readable string ("t:golden hour", "m:seedream-4.0",
"p:seedream-4.0:guidance_scale:9", "w:2") mapped to a column through a vocabulary learned
from the history. Numeric parameters are binned at their per-model deciles, so a limit such
as guidance_scale > 15 on one model becomes a feature of its own.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from prompt_tracking.text import TermCache
from prompt_tracking.records import PromptRecord, prompt_metadata

_FEW_VALUES = 12
_TRAIT_BINS = {"words": (1, 6, 11, 21, 41), "segments": (2, 4, 7), "weight_syntax": (1, 3)}
_TRAIT_NOUNS = {"words": "words", "segments": "segments", "weight_syntax": "weighted terms"}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Featurizer:
    """Turns (prompt, model, parameters) into feature columns; fitted on a history."""

    def __init__(self, vocabulary: dict[str, int], edges: dict[tuple[str, str], np.ndarray],
                 cache: TermCache) -> None:
        self.vocabulary = vocabulary
        self.names = list(vocabulary)
        self.edges = edges
        self.cache = cache

    @classmethod
    def fit(cls, records: Sequence[PromptRecord], cache: TermCache, *, min_count: int = 2) -> Featurizer:
        """Learn decile edges of numeric parameters, then keep features seen `min_count` times."""
        values: dict[tuple[str, str], list[float]] = {}
        for r in records:
            for key, value in r.model_parameters.items():
                if _is_number(value) and "seed" not in key:
                    values.setdefault((r.ai_model, key), []).append(float(value))
        edges = {}
        for key, seen in values.items():  # type: ignore[assignment]
            if len(set(seen)) > _FEW_VALUES:
                edges[key] = np.unique(np.quantile(seen, np.linspace(0.1, 0.9, 9)))
        draft = cls({}, edges, cache)  # type: ignore[arg-type]
        counts: dict[str, int] = {}
        for r in records:
            for name in draft.feature_names(r.prompt, r.ai_model, r.model_parameters, r.metadata):
                counts[name] = counts.get(name, 0) + 1
        # A word seen only inside one phrase ("golden" in "golden hour") adds nothing but a
        # second name for the same tries, so the phrase alone is kept.
        subsumed = {f"t:{word}" for name, c in counts.items() if name.startswith("t:") and " " in name
                    for word in name[2:].split(" ") if counts.get(f"t:{word}") == c}
        kept = sorted(n for n, c in counts.items() if c >= min_count and n not in subsumed)
        vocabulary = {name: i for i, name in enumerate(kept)}
        return cls(vocabulary, edges, cache)  # type: ignore[arg-type]

    def feature_names(self, prompt: str, model: str, params: dict[str, Any] | None,
                      metadata: dict[str, Any] | None = None) -> list[str]:
        """All features of one request, known to the vocabulary or not."""
        params = params or {}
        meta = metadata if metadata and "words" in metadata else prompt_metadata(prompt, params)
        names = [f"m:{model}"]
        names.extend(f"t:{term}" for term in self.cache.terms(prompt))
        for trait, bins in _TRAIT_BINS.items():
            names.append(f"{trait}:{int(np.searchsorted(bins, meta.get(trait) or 0, side='right'))}")
        names.append(f"negative:{bool(meta.get('has_negative_prompt'))}")
        for key, value in params.items():
            if "seed" in key or not isinstance(value, (str, int, float, bool)):
                continue
            edges = self.edges.get((model, key))
            if edges is not None and _is_number(value):
                names.append(f"p:{model}:{key}:{int(np.searchsorted(edges, value, side='left'))}")
            else:
                shown = f"{value:g}" if _is_number(value) else str(value)[:40]
                names.append(f"p:{model}:{key}={shown}")
        return names

    def row(self, prompt: str, model: str, params: dict[str, Any] | None,
            metadata: dict[str, Any] | None = None) -> list[int]:
        """Column numbers of the known features of one request."""
        vocab = self.vocabulary
        return [vocab[n] for n in self.feature_names(prompt, model, params, metadata) if n in vocab]

    def describe(self, name: str) -> str:
        """Plain words for a feature: "'gore'", "guidance_scale 15.6-20 on seedream-4.0"."""
        kind, _, rest = name.partition(":")
        if kind == "t":
            return f"'{rest}'"
        if kind == "m":
            return f"model {rest}"
        if kind == "negative":
            return "a negative prompt" if rest == "True" else "no negative prompt"
        if kind in _TRAIT_BINS:
            return _trait_label(kind, int(rest))
        if kind != "p":
            return name
        model, _, key_bin = rest.partition(":")
        if "=" in key_bin:
            key, _, value = key_bin.partition("=")
            return f"{key}={value} on {model}"
        key, _, index = key_bin.rpartition(":")
        edges, i = self.edges[(model, key)], int(index)
        if i == 0:
            span = f"<= {edges[0]:g}"
        elif i >= edges.size:
            span = f"> {edges[-1]:g}"
        else:
            span = f"{edges[i - 1]:g}-{edges[i]:g}"
        return f"{key} {span} on {model}"


def _trait_label(trait: str, index: int) -> str:
    """ "6-10 words", "0 weighted terms", "7+ segments" for bin `index` of a trait."""
    edges = _TRAIT_BINS[trait]
    low = edges[index - 1] if index > 0 else 0
    if index >= len(edges):
        return f"{low}+ {_TRAIT_NOUNS[trait]}"
    high = edges[index] - 1
    span = str(low) if low == high else f"{low}-{high}"
    return f"{span} {_TRAIT_NOUNS[trait]}"
