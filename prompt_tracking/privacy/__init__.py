"""What is masked before anything is written: secrets on every write, PII in exports."""
from __future__ import annotations

from prompt_tracking.privacy.pii import PiiRedactor, redact_pii
from prompt_tracking.privacy.redact import redact_text, redact_url, sanitize_parameters

__all__ = ["PiiRedactor", "redact_pii", "redact_text", "redact_url", "sanitize_parameters"]
