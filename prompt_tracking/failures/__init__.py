"""Failure reasons from error messages: evidence, the rule table, and the categorizer."""
from __future__ import annotations

from prompt_tracking.failures.categorize import (FailureInfo, categorize_failure, describe_failure,
                                                 register_failure_rule)

__all__ = ["FailureInfo", "categorize_failure", "describe_failure", "register_failure_rule"]
