"""The risk model: failure probability, likely reason and expected rating for a planned prompt.

Trained on the user's own history (the most recent `max_history` records): a logistic
regression for failure, softmax regression for the reason among failures, and ridge regression for
the rating, all over the features in `features.py`. Quality is measured on the most recent
20% of the history, held out from training, before the final fit on everything. The model
abstains when the history is too small, and explains itself with the history behind the
features that push the risk up, plus the most similar past failures (term Jaccard).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable

import numpy as np

from prompt_tracking.risk.explain import explain, similar_failures
from prompt_tracking.risk.features import Featurizer
from prompt_tracking.risk.learn import LinearModel, SoftmaxModel, SparseRows, auc, fit_linear
from prompt_tracking.text import TermCache
from prompt_tracking.records import PromptRecord

MIN_HISTORY = 200
MIN_OUTCOMES = 20  # of failures and of successes
MIN_RATED = 50
MAX_HISTORY = 20_000
HELD_OUT = 0.2
MAX_REASON_ROWS = 4_000  # failures used for the reason model, most recent first


@dataclasses.dataclass
class PromptAssessment:
    """What the history says about a planned request."""

    prompt: str
    ai_model: str
    failure_probability: float | None
    likely_reason: str | None
    reason_probabilities: dict[str, float]
    expected_rating: float | None
    explanations: list[str]
    similar_failures: list[dict[str, Any]]
    model_quality: dict[str, Any]
    abstained: bool
    abstain_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class _Fitted:
    """The three fitted models (any may be None when its data was too thin)."""

    failure: LinearModel | None = None
    reason: SoftmaxModel | None = None
    rating: LinearModel | None = None


def _fit_all(rows: SparseRows, failed: np.ndarray, reasons: np.ndarray, classes: list[str],
             rating: np.ndarray, n_features: int, start: _Fitted | None = None) -> _Fitted:
    """Fit the failure, reason and rating models on the given rows."""
    start = start or _Fitted()
    steps = 40 if start.failure is not None else 120
    # A light penalty: a term in 1% of prompts that nearly always fails must still reach its
    # real rate; 1e-3 pulled such terms halfway back to the base rate.
    fitted = _Fitted(fit_linear(rows, failed.astype(float), n_features, logistic=True, l2=1e-4,
                                iterations=steps, start=start.failure))
    bad = np.flatnonzero(failed)
    if bad.size and classes:
        recent = bad[-MAX_REASON_ROWS:]
        # Not warm-started (the classes seen may differ), so always the full number of steps.
        fitted.reason = SoftmaxModel.fit(rows.take(recent), reasons[recent], classes, n_features)
    rated = np.flatnonzero(~np.isnan(rating))
    if rated.size >= MIN_RATED:
        fitted.rating = fit_linear(rows.take(rated), rating[rated], n_features, logistic=False,
                                   l2=1e-2, iterations=steps, start=start.rating)
    return fitted


def _evaluate(fitted: _Fitted, rows: SparseRows, failed: np.ndarray, reasons: np.ndarray,
              rating: np.ndarray, train_failed: np.ndarray, train_rating: np.ndarray) -> dict[str, Any]:
    """Held-out quality of each model against the naive baseline from the training part."""
    p = fitted.failure.predict(rows)  # type: ignore[union-attr]
    base = float(train_failed.mean())
    quality: dict[str, Any] = {
        "held_out": rows.n_rows, "failure_auc": _round(auc(p, failed)),
        "failure_base_rate": round(base, 4),
        "brier": _round(float(np.mean((p - failed) ** 2))),
        "brier_base_rate": _round(float(np.mean((base - failed) ** 2))),
        "accuracy": _round(float(np.mean((p >= 0.5) == failed))),
        "accuracy_base_rate": _round(float(np.mean(failed == (base >= 0.5))))}
    bad = np.flatnonzero(failed)
    if fitted.reason is not None and bad.size:
        guess = fitted.reason.predict_proba(rows.take(bad)).argmax(axis=1)
        majority = int(np.argmax(fitted.reason.bias))
        quality["reason_accuracy"] = _round(float(np.mean(guess == reasons[bad])))
        quality["reason_accuracy_majority"] = _round(float(np.mean(reasons[bad] == majority)))
    rated = np.flatnonzero(~np.isnan(rating))
    if fitted.rating is not None and rated.size:
        guess = np.clip(fitted.rating.predict(rows.take(rated)), 1, 5)
        quality["rating_mae"] = _round(float(np.mean(np.abs(guess - rating[rated]))))
        quality["rating_mae_mean"] = _round(float(np.mean(np.abs(np.nanmean(train_rating) - rating[rated]))))
    return quality


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class RiskModel:
    """A risk model fitted on one history; `assess` answers for one planned request."""

    def __init__(self, history: list[PromptRecord], cache: TermCache) -> None:
        self.history = history
        self.cache = cache
        self.abstain_reason: str | None = None
        self.quality: dict[str, Any] = {"history": len(history)}
        self.featurizer: Featurizer | None = None
        self.fitted = _Fitted()

    @classmethod
    def fit(cls, records: Iterable[PromptRecord], *, min_history: int = MIN_HISTORY,
            max_history: int = MAX_HISTORY) -> RiskModel:
        """Fit on the most recent `max_history` records; abstain below `min_history`.

        Args:
            records: The history, in any order.
            min_history: Fewer records than this (or fewer than 20 failures or successes)
                and the model abstains, giving only similar past failures.
            max_history: Only the most recent records are used, which bounds training time
                and follows the user's current habits.
        """
        history = sorted(records, key=lambda r: r.timestamp)[-max_history:] if max_history else []
        model = cls(history, TermCache())
        failures = sum(not r.success for r in history)
        if len(history) < min_history or min(failures, len(history) - failures) < MIN_OUTCOMES:
            model.abstain_reason = (f"not enough history: {len(history)} records with {failures} "
                                    f"failures; need {min_history} records and {MIN_OUTCOMES} "
                                    "failures and successes")
            return model
        model._train()
        return model

    def _train(self) -> None:
        """Featurize, evaluate on the held-out recent part, then refit on everything."""
        history = self.history
        self.featurizer = featurizer = Featurizer.fit(history, self.cache)
        rows = SparseRows.from_lists([featurizer.row(r.prompt, r.ai_model, r.model_parameters,
                                                     r.metadata) for r in history])
        failed = np.array([not r.success for r in history])
        self.reasons = sorted({r.failure_reason or "unknown" for r in history if not r.success})
        code = {name: i for i, name in enumerate(self.reasons)}
        reasons = np.array([code.get(r.failure_reason or "unknown", 0) for r in history])
        rating = np.array([np.nan if r.quality_rating is None else float(r.quality_rating)
                           for r in history])
        n_features, cut = len(featurizer.names), int(len(history) * (1 - HELD_OUT))
        train, test = np.arange(cut), np.arange(cut, len(history))
        first = _fit_all(rows.take(train), failed[train], reasons[train], self.reasons,
                         rating[train], n_features)
        self.quality.update(_evaluate(first, rows.take(test), failed[test], reasons[test],
                                      rating[test], failed[train], rating[train]))
        self.fitted = _fit_all(rows, failed, reasons, self.reasons, rating, n_features, first)
        self.rows, self.failed, self.reason_codes, self.rating = rows, failed, reasons, rating
        order = np.argsort(rows.indices, kind="stable")
        self._feature_rows = rows.row_ids[order]
        self._feature_starts = np.r_[0, np.cumsum(np.bincount(rows.indices, minlength=n_features))]

    def assess(self, prompt: str, ai_model: str,
               model_parameters: dict[str, Any] | None = None) -> PromptAssessment:
        """Failure probability, likely reason, expected rating, explanations, similar failures."""
        similar = similar_failures(self.history, self.cache, prompt, ai_model)
        if self.featurizer is None:
            return PromptAssessment(prompt, ai_model, None, None, {}, None, [], similar,
                                    dict(self.quality), True, self.abstain_reason)
        row = SparseRows.from_lists([self.featurizer.row(prompt, ai_model, model_parameters)])
        probability = float(self.fitted.failure.predict(row)[0])  # type: ignore[union-attr]
        reasons: dict[str, float] = {}
        if self.fitted.reason is not None:
            proba = self.fitted.reason.predict_proba(row)[0]
            reasons = {self.reasons[k]: round(float(proba[k]), 4) for k in np.argsort(-proba)[:3]}
        expected = (round(float(np.clip(self.fitted.rating.predict(row)[0], 1, 5)), 2)
                    if self.fitted.rating is not None else None)
        return PromptAssessment(prompt, ai_model, round(probability, 4), next(iter(reasons), None),
                                reasons, expected, explain(self, row, ai_model), similar,
                                dict(self.quality), False)

    def failure_probabilities(self, records: Iterable[PromptRecord]) -> np.ndarray:
        """Failure probability for each record's request (batch scoring, e.g. for evaluation).

        Raises:
            RuntimeError: the model abstained and has nothing fitted.
        """
        if self.featurizer is None:
            raise RuntimeError(f"the risk model abstained: {self.abstain_reason}")
        rows = SparseRows.from_lists([self.featurizer.row(r.prompt, r.ai_model, r.model_parameters,
                                                          r.metadata) for r in records])
        return self.fitted.failure.predict(rows)  # type: ignore[union-attr]

    def feature_history(self, column: int) -> np.ndarray:
        """Positions in `history` of the records that have feature `column`."""
        return self._feature_rows[self._feature_starts[column]:self._feature_starts[column + 1]]

