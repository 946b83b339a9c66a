"""Retries: how often a failure is followed by another try on the same model, and how many it takes.

A retry is the next record on the same model in the same session (`metadata["session_id"]`;
without one, within `SESSION_GAP` seconds) whose prompt is the same or shares at least
`MIN_SIMILARITY` of its terms (Jaccard). A chain starts at a failure that is not itself a
retry and follows retries until a success (recovered) or the end (abandoned).
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

from prompt_tracking.analytics.columns import rate
from prompt_tracking.text import TermCache, jaccard
from prompt_tracking.records import PromptRecord

SESSION_GAP = 30 * 60
MIN_SIMILARITY = 0.3


@dataclasses.dataclass
class Retries:
    """Retry behaviour after failures."""

    failures: int
    retried: int
    retry_rate: float | None
    edited: int
    identical: int
    retry_success_rate: float | None
    chains: int
    recovered: int
    abandoned: int
    tries_to_success: dict[str, int]  # "2", "3", "4", "5+" -> chains
    mean_tries_to_success: float | None


def _is_retry(first: PromptRecord, second: PromptRecord, cache: TermCache) -> bool:
    """Whether `second` retries `first` (same model assumed): same sitting, similar prompt."""
    session = first.metadata.get("session_id")
    if session is not None or second.metadata.get("session_id") is not None:
        if session != second.metadata.get("session_id"):
            return False
    elif second.timestamp - first.timestamp > SESSION_GAP:
        return False
    if first.prompt == second.prompt:
        return True
    return jaccard(cache.terms(first.prompt), cache.terms(second.prompt)) >= MIN_SIMILARITY


def _next_on_same_model(records: Sequence[PromptRecord]) -> list[int]:
    """For each record (by time), the index of the next record on the same model, or -1."""
    following = [-1] * len(records)
    last_seen: dict[str, int] = {}
    for i in range(len(records) - 1, -1, -1):
        model = records[i].ai_model
        following[i] = last_seen.get(model, -1)
        last_seen[model] = i
    return following


def analyse_retries(records: Sequence[PromptRecord], cache: TermCache) -> Retries:
    """Count retries after failures and the tries each failure chain took to succeed."""
    ordered = sorted(records, key=lambda r: r.timestamp)
    following = _next_on_same_model(ordered)
    retry_of: dict[int, int] = {}
    failures = edited = successes_after = 0
    for i, record in enumerate(ordered):
        if record.success:
            continue
        failures += 1
        j = following[i]
        if j >= 0 and _is_retry(record, ordered[j], cache):
            retry_of[j] = i
            edited += ordered[j].prompt != record.prompt
            successes_after += ordered[j].success
    retried_from = {v: k for k, v in retry_of.items()}
    tries: dict[str, int] = {}
    chains = abandoned = 0
    total_tries = 0
    for i, record in enumerate(ordered):
        if record.success or i in retry_of:
            continue
        chains += 1
        length, j = 1, i
        while j in retried_from:
            j, length = retried_from[j], length + 1
        if ordered[j].success:
            key = str(length) if length < 5 else "5+"
            tries[key] = tries.get(key, 0) + 1
            total_tries += length
        else:
            abandoned += 1
    retried = len(retry_of)
    recovered = chains - abandoned
    return Retries(failures, retried, rate(retried, failures), edited, retried - edited,
                   rate(successes_after, retried), chains, recovered, abandoned,
                   dict(sorted(tries.items())),
                   round(total_tries / recovered, 3) if recovered else None)


class RetryCounter:
    """`analyse_retries` fed one record at a time, oldest first (ties: newest id first).

    Keeps only the last record of each model, so a stream of any length fits in memory.
    """

    #: The counters `absorb` adds (the rest of the state is `tries` and `last`).
    COUNTS = ("failures", "retried", "edited", "successes_after", "chains", "abandoned",
              "total_tries")

    def __init__(self, cache: TermCache) -> None:
        self.cache = cache
        self.last: dict[str, tuple[float, str, bool, object, int]] = {}
        self.failures = self.retried = self.edited = self.successes_after = 0
        self.chains = self.abandoned = self.total_tries = 0
        self.tries: dict[str, int] = {}

    def _is_retry(self, first: tuple, timestamp: float, prompt: str, session: object) -> bool:
        first_time, first_prompt, _, first_session, _ = first
        if first_session is not None or session is not None:
            if first_session != session:
                return False
        elif timestamp - first_time > SESSION_GAP:
            return False
        if first_prompt == prompt:
            return True
        terms = self.cache.terms
        return jaccard(terms(first_prompt), terms(prompt)) >= MIN_SIMILARITY

    def add(self, model: str, timestamp: float, prompt: str, success: bool,
            session: object) -> None:
        """The next record of the stream (`session` is its metadata["session_id"])."""
        previous = self.last.get(model)
        length = 0
        if previous is not None and not previous[2]:
            if self._is_retry(previous, timestamp, prompt, session):
                length = previous[4] + 1
                self.retried += 1
                self.edited += prompt != previous[1]
                self.successes_after += bool(success)
            else:
                self.abandoned += 1
        if success:
            if length:
                key = str(length) if length < 5 else "5+"
                self.tries[key] = self.tries.get(key, 0) + 1
                self.total_tries += length
        else:
            self.failures += 1
            if not length:
                self.chains += 1
                length = 1
        self.last[model] = (timestamp, prompt, bool(success), session, length)

    def absorb(self, later: RetryCounter) -> None:
        """Continue with `later`: the counter of the rows right after these, which was
        started from this one's `last` state."""
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(later, name))
        for key, count in later.tries.items():
            self.tries[key] = self.tries.get(key, 0) + count
        self.last = dict(later.last)

    def result(self) -> Retries:
        """The counts so far, as `analyse_retries` reports them."""
        abandoned = self.abandoned + sum(1 for last in self.last.values() if not last[2])
        recovered = self.chains - abandoned
        retried = self.retried
        return Retries(self.failures, retried, rate(retried, self.failures), self.edited,
                       retried - self.edited, rate(self.successes_after, retried), self.chains,
                       recovered, abandoned, dict(sorted(self.tries.items())),
                       round(self.total_tries / recovered, 3) if recovered else None)
