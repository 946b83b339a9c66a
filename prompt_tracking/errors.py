"""Exceptions raised by the non-logging API (the log calls never raise)."""
from __future__ import annotations


class PromptTrackingError(Exception):
    """Base class for prompt-tracking errors."""


class StoreUnavailableError(PromptTrackingError):
    """The store cannot be opened or written right now (read-only dir, disk full, locked)."""


class ConsentRequiredError(PromptTrackingError):
    """Training export needs the user's opt-in first."""
