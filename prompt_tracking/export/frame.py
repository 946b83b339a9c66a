"""The history as a pandas DataFrame with typed columns, for notebooks (pandas optional)."""
from __future__ import annotations

from typing import Any

COLUMNS = ("id", "timestamp", "prompt", "ai_model", "success", "outcome", "result_url",
           "save_method", "model_parameters", "error_message", "failure_reason",
           "quality_rating", "feedback", "tags", "metadata")
_STRINGS = ("id", "prompt", "ai_model", "result_url", "save_method", "error_message",
            "feedback")
_CATEGORIES = ("outcome", "failure_reason")


def records_frame(tracker: Any, **filters: Any) -> Any:
    """`tracker.records(**filters)` as a DataFrame, one row per record, newest first.

    Columns: `timestamp` is a timezone-aware UTC datetime; `success` bool; `quality_rating`
    nullable Int64 (<NA> when unrated); text columns pandas' "string" dtype; `outcome` and
    `failure_reason` categories; `model_parameters`, `tags` and `metadata` hold the Python
    dict/list of each record.

    Raises:
        ImportError: pandas is not installed (the message says how to install it).
        ValueError: a filter is unusable, as for `records()`.
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("to_pandas needs pandas, which is optional: pip install pandas") from exc
    rows = [r.to_dict() | {"outcome": r.outcome} for r in tracker.records(**filters)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"].astype("float64"), unit="s", utc=True)
    frame["success"] = frame["success"].astype(bool)
    frame["quality_rating"] = frame["quality_rating"].astype("Int64")
    for column in _STRINGS:
        frame[column] = frame[column].astype("string")
    for column in _CATEGORIES:
        frame[column] = frame[column].astype("category")
    return frame
