"""The prompt risk model: failure probability, likely reason and expected rating, explained."""
from __future__ import annotations

from prompt_tracking.risk.model import PromptAssessment, RiskModel

__all__ = ["PromptAssessment", "RiskModel"]
