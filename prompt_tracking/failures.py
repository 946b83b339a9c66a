"""Error text to failure reason.

Placeholder until the categorizer lands (issue 3): every failure is `unknown`.
The interface below is the one the tracker uses.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .records import FailureReason


@dataclasses.dataclass(frozen=True)
class FailureInfo:
    """What could be read out of an error: the reason and, when present, code, status, provider."""

    reason: FailureReason
    error_code: str | None = None
    http_status: int | None = None
    provider: str | None = None


def describe_failure(error: Any) -> FailureInfo:
    """Parse an error (str, exception, dict or None) into a `FailureInfo`; never raises."""
    return FailureInfo(FailureReason.UNKNOWN)


def categorize_failure(error: Any) -> FailureReason:
    """The failure reason for an error; never raises."""
    return describe_failure(error).reason
