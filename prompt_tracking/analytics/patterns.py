"""Prompt terms and the terms most associated with a failure reason or a rating.

Terms are words and two-word phrases (within one comma-separated segment, without stop
words). Association is scored with the log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the z-score of each term's log-odds in
the target group against all other prompts, shrunk toward the term's share of the whole
history so that rare terms do not top the list by chance. Counts are per prompt (document
frequency), so "7 of 8" reads as "7 of the 8 prompts that used the term".
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from itertools import chain
from typing import Iterable, Sequence

import numpy as np

from prompt_tracking.records import PromptRecord
from prompt_tracking.text import TermCache

MIN_TERM_COUNT = 3
TOP_TERMS = 15


@dataclasses.dataclass
class TermScore:
    """How strongly a term marks a group: z-score, log-odds, and the counts behind them."""

    term: str
    z: float
    log_odds: float
    count: int  # prompts in the group that use the term
    total: int  # prompts in the whole history that use the term


@dataclasses.dataclass
class Patterns:
    """Terms per failure reason, of failures overall, per rating level; the risk model's quality."""

    by_failure_reason: dict[str, list[TermScore]]
    failure_terms: list[TermScore]  # any failure against success: how failed prompts differ
    high_rating: list[TermScore]
    low_rating: list[TermScore]
    notes: list[str]
    risk_model: dict | None = None


def count_terms(term_lists: Iterable[tuple[str, ...]]) -> Counter:
    """Prompts per term (the counting loop runs in C)."""
    return Counter(chain.from_iterable(term_lists))


def log_odds_scores(group: Counter, rest: Counter, *, prior_strength: float = 0.1,
                    min_count: int = MIN_TERM_COUNT, top: int = TOP_TERMS,
                    z_min: float = 1.96) -> list[TermScore]:
    """Terms of `group` ranked by the z-score of their log-odds against `rest`.

    Args:
        group: Prompts per term in the target group.
        rest: Prompts per term in everything else.
        prior_strength: Dirichlet prior per term as a fraction of the term's total count.
        min_count: Terms used in fewer prompts of the group are left out.
        top: How many terms to return.
        z_min: Smallest z-score reported (1.96: two-sided 5% level for one term).

    Returns:
        Up to `top` TermScore with z >= z_min, highest z first (ties by term); a word
        that only occurs inside a listed pair is left out in favour of the pair.
    """
    vocab = [t for t, c in group.items() if c >= min_count]
    if not vocab:
        return []
    y_i = np.array([group[t] for t in vocab], dtype=float)
    y_j = np.array([rest.get(t, 0) for t in vocab], dtype=float)
    n_i, n_j = float(sum(group.values())), float(sum(rest.values()))
    alpha = prior_strength * (y_i + y_j)
    a0 = prior_strength * (n_i + n_j)
    delta = (np.log((y_i + alpha) / (n_i + a0 - y_i - alpha))
             - np.log((y_j + alpha) / (n_j + a0 - y_j - alpha)))
    z = delta / np.sqrt(1.0 / (y_i + alpha) + 1.0 / (y_j + alpha))
    hidden = _subsumed_words(vocab, y_i, y_j)
    order = sorted((k for k in range(len(vocab)) if z[k] >= z_min and vocab[k] not in hidden),
                   key=lambda k: (-z[k], vocab[k]))
    return [TermScore(vocab[k], round(float(z[k]), 3), round(float(delta[k]), 3),
                      int(y_i[k]), int(y_i[k] + y_j[k])) for k in order[:top]]


def _subsumed_words(vocab: list[str], y_i: np.ndarray, y_j: np.ndarray) -> set[str]:
    """Words that only ever occur inside one of the listed pairs ("blood" in "blood splatter")."""
    counts = {t: (y_i[k], y_j[k]) for k, t in enumerate(vocab)}
    return {word for term, pair in counts.items() if " " in term
            for word in term.split(" ") if counts.get(word) == pair}


def find_patterns(records: Sequence[PromptRecord], cache: TermCache, *,
                  min_samples: int) -> Patterns:
    """Terms most associated with each failure reason and with high (4-5) or low (1-3) ratings."""
    by_class: dict[str, list[tuple[str, ...]]] = {}
    high: list[tuple[str, ...]] = []
    low: list[tuple[str, ...]] = []
    for r in records:
        if not r.prompt:
            continue
        terms = cache.terms(r.prompt)
        by_class.setdefault("success" if r.success else (r.failure_reason or "unknown"), []).append(terms)
        if r.quality_rating is not None:
            (high if r.quality_rating >= 4 else low).append(terms)
    counts = {label: count_terms(lists) for label, lists in by_class.items()}
    total = sum(counts.values(), Counter())
    notes: list[str] = []
    by_reason: dict[str, list[TermScore]] = {}
    for label in sorted(counts):
        if label == "success":
            continue
        if len(by_class[label]) < min_samples:
            notes.append(f"{label}: {len(by_class[label])} prompts, fewer than {min_samples}; no terms")
            continue
        by_reason[label] = log_odds_scores(counts[label], total - counts[label])
    success = counts.get("success", Counter())
    failure_terms = log_odds_scores(total - success, success) if len(records) >= min_samples else []
    high_terms: list[TermScore] = []
    low_terms: list[TermScore] = []
    if min(len(high), len(low)) >= min_samples:
        high_count, low_count = count_terms(high), count_terms(low)
        high_terms = log_odds_scores(high_count, low_count)
        low_terms = log_odds_scores(low_count, high_count)
    else:
        notes.append(f"ratings: {len(high)} high and {len(low)} low, need {min_samples} of each")
    return Patterns(by_reason, failure_terms, high_terms, low_terms, notes)
