"""The `stats()` dict, built the same way from SQL rows and from records held in memory."""
from __future__ import annotations

from typing import Any


def summarize(model_rows: list[tuple], reason_rows: list[tuple]) -> dict[str, Any]:
    """Turn per-model (model, n, successes, rated, avg) rows into the `stats()` dict."""
    by_model: dict[str, Any] = {}
    total = successes = rated = 0
    rating_sum = 0.0
    for model, n, ok, n_rated, avg in model_rows:
        ok = ok or 0
        by_model[model] = {"total": n, "successful": ok, "failed": n - ok,
                           "success_rate": round(ok / n, 4) if n else None,
                           "rated": n_rated,
                           "average_rating": round(avg, 3) if avg is not None else None}
        total, successes, rated = total + n, successes + ok, rated + n_rated
        rating_sum += (avg or 0) * n_rated
    return {
        "total": total, "successful": successes, "failed": total - successes,
        "success_rate": round(successes / total, 4) if total else None,
        "rated": rated,
        "average_rating": round(rating_sum / rated, 3) if rated else None,
        "by_model": by_model,
        "by_failure_reason": {reason or "unknown": n for reason, n in reason_rows},
    }
