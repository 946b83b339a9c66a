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

from prompt_tracking.analytics.columns import plural
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


class PatternCounter:
    """Prompt term counts per outcome class and rating level, fed one prompt at a time.

    Both the record path and the database stream feed it, so both score the same counts.
    """

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}
        self.sizes: Counter = Counter()
        self.high: Counter = Counter()
        self.low: Counter = Counter()
        self.n_high = self.n_low = 0

    def add(self, terms: tuple[str, ...], success: bool, reason: str | None,
            rating: float | None) -> None:
        """Count one non-empty prompt's terms."""
        label = "success" if success else (reason or "unknown")
        counter = self.counts.get(label)
        if counter is None:
            counter = self.counts[label] = Counter()
        counter.update(terms)
        self.sizes[label] += 1
        if rating is not None:
            if rating >= 4:
                self.high.update(terms)
                self.n_high += 1
            else:
                self.low.update(terms)
                self.n_low += 1

    def absorb(self, other: PatternCounter) -> None:
        """Add the counts of `other` (the prompts of other rows) to these."""
        for label, counter in other.counts.items():
            self.counts.setdefault(label, Counter()).update(counter)
        self.sizes.update(other.sizes)
        self.high.update(other.high)
        self.low.update(other.low)
        self.n_high += other.n_high
        self.n_low += other.n_low

    def result(self, n_records: int, *, min_samples: int) -> Patterns:
        """Scored terms; `n_records` counts every record, also those without a prompt."""
        counts = self.counts
        total = sum(counts.values(), Counter())
        notes: list[str] = []
        by_reason: dict[str, list[TermScore]] = {}
        for label in sorted(counts):
            if label == "success":
                continue
            if self.sizes[label] < min_samples:
                # the display form of a reason, as everywhere in the window and reports
                notes.append(f"{label.replace('_', ' ')}: {plural(self.sizes[label], 'prompt')}, "
                             f"fewer than {min_samples}; no terms")
                continue
            by_reason[label] = log_odds_scores(counts[label], total - counts[label])
        success = counts.get("success", Counter())
        failure_terms = log_odds_scores(total - success, success) if n_records >= min_samples else []
        high_terms: list[TermScore] = []
        low_terms: list[TermScore] = []
        if min(self.n_high, self.n_low) >= min_samples:
            high_terms = log_odds_scores(self.high, self.low)
            low_terms = log_odds_scores(self.low, self.high)
        else:
            notes.append(f"ratings: {self.n_high} high and {self.n_low} low, need {min_samples} of each")
        return Patterns(by_reason, failure_terms, high_terms, low_terms, notes)


def find_patterns(records: Sequence[PromptRecord], cache: TermCache, *,
                  min_samples: int) -> Patterns:
    """Terms most associated with each failure reason and with high (4-5) or low (1-3) ratings."""
    counter = PatternCounter()
    for r in records:
        if r.prompt:
            counter.add(cache.terms(r.prompt), r.success, r.failure_reason, r.quality_rating)
    return counter.result(len(records), min_samples=min_samples)
