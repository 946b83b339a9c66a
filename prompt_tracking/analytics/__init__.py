"""Headless analytics over a history: overview, quality, failures, usage, parameters, patterns."""
from __future__ import annotations

from prompt_tracking.analytics.analysis import (Analytics, assess_prompt, compute_analytics,
                                                register_analysis, registered_analyses,
                                                unregister_analysis)
from prompt_tracking.analytics.report import format_analytics_text, format_assessment_text

__all__ = ["Analytics", "assess_prompt", "compute_analytics", "format_analytics_text",
           "format_assessment_text", "register_analysis", "registered_analyses",
           "unregister_analysis"]
