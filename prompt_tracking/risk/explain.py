"""Explanations for a risk assessment: the history behind the features that raise the risk.

Every sentence quotes counts from the user's own history ("'gore' led to content_filter in
7 of 8 tries"), so the user can check it; the most similar past failures are found by the
Jaccard similarity of prompt terms.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from prompt_tracking.risk.learn import SparseRows
from prompt_tracking.text import TermCache
from prompt_tracking.records import PromptRecord
from prompt_tracking.text import jaccard

if TYPE_CHECKING:
    from prompt_tracking.risk.model import RiskModel

MIN_SUPPORT = 3  # tries behind a sentence
MIN_SIMILARITY = 0.25
MAX_SENTENCES = 5


def _failure_sentence(model: RiskModel, column: int, base_rate: float) -> str | None:
    """"X led to <reason> in k of n tries", when X fails clearly more often than usual."""
    rows = model.feature_history(column)
    failed = model.failed[rows]
    n, k = int(rows.size), int(failed.sum())
    if n < MIN_SUPPORT or k < 2 or k / n < max(1.5 * base_rate, 0.2):
        return None
    counts = np.bincount(model.reason_codes[rows][failed], minlength=len(model.reasons))
    top = int(np.argmax(counts))
    what = model.featurizer.describe(model.featurizer.names[column])  # type: ignore[union-attr]
    return f"{what} led to {model.reasons[top]} in {int(counts[top])} of {n} tries"


def _rating_sentence(model: RiskModel, column: int, overall: float) -> str | None:
    """"X averaged 4.4 stars over n rated tries (overall 3.5)", for a clear difference."""
    ratings = model.rating[model.feature_history(column)]
    ratings = ratings[~np.isnan(ratings)]
    if ratings.size < 2 * MIN_SUPPORT or abs(ratings.mean() - overall) < 0.3:
        return None
    what = model.featurizer.describe(model.featurizer.names[column])  # type: ignore[union-attr]
    return (f"{what} averaged {ratings.mean():.1f} stars over {ratings.size} rated tries "
            f"(overall {overall:.1f})")


def _rating_sentences(model: RiskModel, columns: np.ndarray, room: int) -> list[str]:
    """Up to `room` sentences on the features that move the expected rating most.

    Features backed by exactly the same tries (a model used only with empty prompts) say
    the same thing, so only the first of them is kept.
    """
    overall = float(np.nanmean(model.rating))
    weights = model.fitted.rating.weights  # type: ignore[union-attr]
    said: set[int] = set()
    out: list[str] = []
    for column in sorted(columns, key=lambda c: -abs(weights[c])):
        if abs(weights[column]) <= 0.05 or len(out) >= min(room, 2):
            break
        support = model.feature_history(column).size
        sentence = None if support in said else _rating_sentence(model, column, overall)
        if sentence:
            said.add(support)
            out.append(sentence)
    return out


def explain(model: RiskModel, row: SparseRows, ai_model: str) -> list[str]:
    """Sentences for the features of `row` that push failure risk up or the rating away."""
    columns = np.unique(row.indices)
    base_rate = float(model.failed.mean())
    sentences: list[str] = []
    risky = sorted(columns, key=lambda c: -model.fitted.failure.weights[c])  # type: ignore[union-attr]
    for column in risky:
        if model.fitted.failure.weights[column] <= 0.1 or len(sentences) >= 3:  # type: ignore[union-attr]
            break
        sentence = _failure_sentence(model, column, base_rate)
        if sentence:
            sentences.append(sentence)
    if model.fitted.rating is not None:
        sentences.extend(_rating_sentences(model, columns, MAX_SENTENCES - len(sentences)))
    if not sentences:
        mine = np.array([r.ai_model == ai_model for r in model.history])
        rate = model.failed[mine].mean() if mine.any() else base_rate
        sentences.append(f"nothing in this request stands out in your history; "
                         f"{ai_model} failed in {rate:.0%} of your tries")
    return sentences


def similar_failures(history: Sequence[PromptRecord], cache: TermCache, prompt: str,
                     ai_model: str, *, top: int = 3) -> list[dict[str, Any]]:
    """The past failures whose prompts share the most terms with `prompt` (same model first)."""
    terms = cache.terms(prompt)
    if not terms:
        return []  # an empty prompt (an upscale) has no text to compare
    found = []
    for record in history:
        if record.success:
            continue
        similarity = jaccard(terms, cache.terms(record.prompt))
        if similarity >= MIN_SIMILARITY:
            found.append((record.ai_model == ai_model, similarity, record.timestamp, record))
    found.sort(key=lambda f: (f[0], f[1], f[2]), reverse=True)
    return [{"id": r.id, "timestamp": r.timestamp, "prompt": r.prompt, "ai_model": r.ai_model,
             "failure_reason": r.failure_reason, "error_message": r.error_message,
             "similarity": round(sim, 3)} for _, sim, _, r in found[:top]]
