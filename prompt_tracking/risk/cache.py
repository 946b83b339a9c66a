"""The tracker's risk-model cache: one fitted `RiskModel` per store state, refitted on change."""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prompt_tracking.records import PromptRecord
    from prompt_tracking.risk.model import PromptAssessment


class RiskModelCache:
    """Holds the last fitted model with the store state (a hashable key) it was fitted on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[Hashable, Any] | None = None

    def get(self, key: Hashable, fit: Callable[[], Any]) -> Any:
        """The model for `key`, calling `fit()` only when the key changed since the last fit.

        `fit()` runs outside the lock: two threads may fit at once, the later one is kept.
        """
        with self._lock:
            entry = self._entry
        if entry is not None and entry[0] == key:
            return entry[1]
        model = fit()
        with self._lock:
            self._entry = (key, model)
        return model

    def assess(self, key: Hashable, history: Callable[[], list[PromptRecord]], prompt: Any,
               ai_model: Any, model_parameters: Any) -> PromptAssessment:
        """Assess a prompt with the model fitted on `history()` (refitted when `key` changed)."""
        from prompt_tracking._cleaning import MAX_MODEL_CHARS, clean_text
        from prompt_tracking.privacy.redact import sanitize_parameters
        from prompt_tracking.records import MAX_PROMPT_CHARS
        from prompt_tracking.risk.model import RiskModel

        model = self.get(key, lambda: RiskModel.fit(history()))
        return model.assess(clean_text(prompt, MAX_PROMPT_CHARS)[0],
                            clean_text(ai_model, MAX_MODEL_CHARS)[0],
                            sanitize_parameters(model_parameters))
