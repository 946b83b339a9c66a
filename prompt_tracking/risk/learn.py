"""Small numpy learners over sparse binary features: linear and softmax models, and AUC.

Rows are lists of feature indices (a binary CSR matrix without values). Kept to numpy so the
core installs without scipy or scikit-learn; the history a user builds (thousands to a few
hundred thousand rows) trains in well under a second.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import numpy as np


@dataclasses.dataclass
class SparseRows:
    """Binary rows: row r has features `indices[row_ids == r]`."""

    indices: np.ndarray
    row_ids: np.ndarray
    n_rows: int

    @classmethod
    def from_lists(cls, rows: Sequence[Sequence[int]]) -> SparseRows:
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(lengths.sum()))
        return cls(indices, np.repeat(np.arange(len(rows)), lengths), len(rows))

    def take(self, rows: np.ndarray) -> SparseRows:
        """The sub-matrix of the given row numbers (in that order)."""
        position = np.full(self.n_rows, -1, dtype=np.int64)
        position[rows] = np.arange(rows.size)
        keep = position[self.row_ids] >= 0
        new_ids = position[self.row_ids[keep]]
        order = np.argsort(new_ids, kind="stable")
        return SparseRows(self.indices[keep][order], new_ids[order], int(rows.size))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """Row sums of the weights of each row's features."""
        return np.bincount(self.row_ids, weights=weights[self.indices], minlength=self.n_rows)

    def dot_matrix(self, weights: np.ndarray) -> np.ndarray:
        """rows x k: the sum of each row's feature weight vectors (weights is features x k)."""
        out = np.zeros((self.n_rows, weights.shape[1]))
        for j in range(weights.shape[1]):
            out[:, j] = np.bincount(self.row_ids, weights=weights[self.indices, j], minlength=self.n_rows)
        return out

    def gradient(self, residual: np.ndarray, n_features: int) -> np.ndarray:
        """X^T residual."""
        return np.bincount(self.indices, weights=residual[self.row_ids], minlength=n_features)


@dataclasses.dataclass
class LinearModel:
    """weights . x + bias; a logistic model applies the sigmoid in `predict`."""

    weights: np.ndarray
    bias: float
    logistic: bool

    def predict(self, rows: SparseRows) -> np.ndarray:
        z = rows.dot(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))) if self.logistic else z


def _adam(gradient: Callable[[np.ndarray], np.ndarray], start: np.ndarray, *,
          iterations: int, learning_rate: float) -> np.ndarray:
    """Minimize with Adam given the gradient function of a flat parameter vector."""
    theta, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    beta1, beta2 = 0.9, 0.999
    for step in range(1, iterations + 1):
        grad = gradient(theta)
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        theta -= learning_rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return theta


def fit_linear(rows: SparseRows, y: np.ndarray, n_features: int, *, logistic: bool,
               l2: float = 1e-3, iterations: int = 150, learning_rate: float = 0.1,
               start: LinearModel | None = None) -> LinearModel:
    """Fit a logistic (log loss) or ridge (squared loss) model with full-batch Adam.

    Args:
        rows: Feature rows.
        y: Targets: 0/1 for logistic, real values for ridge.
        n_features: Size of the weight vector.
        logistic: Log loss and sigmoid output when True, squared loss otherwise.
        l2: L2 penalty on the weights (not the bias).
        iterations: Adam steps.
        learning_rate: Adam step size.
        start: Warm start (e.g. a model fitted on a subset).
    """
    if start is not None:
        theta = np.append(start.weights, start.bias)
    else:
        mean = float(y.mean()) if y.size else 0.0
        bias = float(np.log((mean + 1e-6) / (1 - mean + 1e-6))) if logistic else mean
        theta = np.append(np.zeros(n_features), bias)
    n = max(1, rows.n_rows)

    def gradient(t: np.ndarray) -> np.ndarray:
        residual = LinearModel(t[:-1], float(t[-1]), logistic).predict(rows) - y
        return np.append(rows.gradient(residual, n_features) / n + l2 * t[:-1], residual.mean())

    theta = _adam(gradient, theta, iterations=iterations, learning_rate=learning_rate)
    return LinearModel(theta[:-1], float(theta[-1]), logistic)


@dataclasses.dataclass
class SoftmaxModel:
    """Multinomial logistic regression: class probabilities from weights (features x classes)."""

    classes: list[str]
    weights: np.ndarray
    bias: np.ndarray

    def predict_proba(self, rows: SparseRows) -> np.ndarray:
        """Rows x classes probabilities."""
        return _softmax(rows.dot_matrix(self.weights) + self.bias)

    @classmethod
    def fit(cls, rows: SparseRows, labels: np.ndarray, classes: list[str], n_features: int, *,
            l2: float = 1e-3, iterations: int = 100, learning_rate: float = 0.1) -> SoftmaxModel:
        """`labels` are indices into `classes`; full-batch Adam on the mean log loss."""
        k, n = len(classes), max(1, rows.n_rows)
        onehot = np.zeros((rows.n_rows, k))
        onehot[np.arange(rows.n_rows), labels] = 1.0
        prior = np.log(onehot.mean(axis=0) + 1e-3) if rows.n_rows else np.zeros(k)

        def gradient(t: np.ndarray) -> np.ndarray:
            w, b = t[:-k].reshape(n_features, k), t[-k:]
            residual = _softmax(rows.dot_matrix(w) + b) - onehot
            grad_w = np.stack([rows.gradient(residual[:, j], n_features) for j in range(k)], axis=1)
            return np.append((grad_w / n + l2 * w).ravel(), residual.mean(axis=0))

        theta = _adam(gradient, np.append(np.zeros(n_features * k), prior),
                      iterations=iterations, learning_rate=learning_rate)
        return cls(classes, theta[:-k].reshape(n_features, k), theta[-k:])


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    odds = np.exp(scores)
    return odds / odds.sum(axis=1, keepdims=True)


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties count half); None without both classes."""
    labels = labels.astype(bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(scores.size)
    sorted_scores = scores[order]
    # Average ranks over ties: each run of equal scores gets the mean of its positions.
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_scores)) + 1]
    ends = np.r_[starts[1:], scores.size]
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))
