"""The prompt checker of the Patterns tab: type a prompt, see its risk, likely reason and
the similar past failures. The risk model is fitted on a worker thread, once per snapshot."""
from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk
from typing import Any

from prompt_tracking.widgets._tk import safe

from ..loader import Snapshot
from .base import TabContext, container, fill_tree, note_label, scrolled_tree

log = logging.getLogger(__name__)
PROMPT_SAMPLE = 5000


def describe(assessment: Any) -> str:
    """One line: failure risk, likely reason, expected rating (or why the model abstained)."""
    if assessment.abstained:
        return f"Not enough history for a risk estimate ({assessment.abstain_reason})."
    risk = assessment.failure_probability
    parts = [f"Failure risk {'>99%' if risk > 0.99 else '<1%' if risk < 0.01 else f'{risk:.0%}'}"]
    if assessment.likely_reason:
        share = assessment.reason_probabilities.get(assessment.likely_reason, 0)
        parts.append(f"likely reason if it fails: {assessment.likely_reason.replace('_', ' ')} "
                     f"({share:.0%})")
    if assessment.expected_rating is not None:
        parts.append(f"expected rating {assessment.expected_rating:.1f} ★")
    return " · ".join(parts)


class PromptCheck(ttk.LabelFrame):
    """Assess a planned prompt against the history in the current snapshot."""

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, text="Check a prompt before sending it", padding=6)
        self.context = context
        self._snapshot: Snapshot | None = None
        self._model: tuple[int, Any] | None = None  # (id of the snapshot, fitted RiskModel)
        pal = context.palette
        row = ttk.Frame(self)
        row.pack(side=tk.TOP, fill=tk.X)
        ttk.Label(row, text="Model").pack(side=tk.LEFT)
        self.model = tk.StringVar(self)
        self.model_box = ttk.Combobox(row, textvariable=self.model, state="readonly", width=24)
        self.model_box.pack(side=tk.LEFT, padx=6)
        self._model_chosen = False  # True once the user picked a model: then it stays
        self.model_box.bind("<<ComboboxSelected>>", self._on_model_chosen, add="+")
        self.button = ttk.Button(row, text="Assess", command=safe(self.assess))
        self.button.pack(side=tk.LEFT)
        self.result = tk.StringVar(self, "Type a prompt and press Assess.")
        ttk.Label(row, textvariable=self.result).pack(side=tk.LEFT, padx=10)
        self.prompt = tk.Text(self, height=2, wrap=tk.WORD, bg=pal.background, fg=pal.foreground,
                              insertbackground=pal.foreground, relief=tk.FLAT,
                              highlightthickness=1, highlightbackground=pal.grid)
        self.prompt.pack(side=tk.TOP, fill=tk.X, pady=4)
        self.prompt.bind("<Control-Return>", self._on_key, add="+")
        self.explanation = note_label(self, pal)
        self.explanation.pack(side=tk.TOP, fill=tk.X)
        self.similar = scrolled_tree(self, {"similarity": ("similar", 70), "model": ("model", 130),
                                            "reason": ("reason", 130), "prompt": ("prompt", 560)},
                                     height=3, numeric=("similarity",))
        container(self.similar).pack(side=tk.TOP, fill=tk.BOTH, expand=True)

    def set_history(self, snapshot: Snapshot) -> None:
        """Use the records of `snapshot` as the history (the model is refitted on demand)."""
        if snapshot is not self._snapshot:
            self._model = None  # fitted on the old records, which are being freed
        self._snapshot = snapshot
        models = snapshot.all_models
        self.model_box.configure(values=models)
        if models and (not self._model_chosen or self.model.get() not in models):
            self.model.set(default_model(snapshot))

    def _on_model_chosen(self, _event: tk.Event) -> None:
        self._model_chosen = True

    def record_lists(self) -> list[list]:
        """The history lists held: the snapshot's records and the fitted model's."""
        lists = [self._snapshot.records] if self._snapshot is not None else []
        history = getattr(self._model[1], "history", None) if self._model is not None else None
        return lists + [history] if isinstance(history, list) else lists

    def _on_key(self, _event: tk.Event) -> str:
        self.assess()
        return "break"

    def assess(self) -> None:
        """Fit (once per snapshot) and assess on a worker thread; show the answer when ready."""
        try:
            snapshot = self._snapshot
            prompt = self.prompt.get("1.0", tk.END).strip()
            if snapshot is None or not prompt:
                self.result.set("Type a prompt and press Assess.")
                return
            key, cached = self._model or (None, None)
            records, ai_model = snapshot.records, self.model.get()
            fitted = cached if key == id(snapshot) else None
            self.result.set("Assessing...")
            self.context.runner.run("assess", lambda: _fit_and_assess(fitted, records, prompt,
                                                                      ai_model),
                                    lambda result: self._show(id(snapshot), result),
                                    self._failed)
        except Exception:
            log.exception("analytics: assessing a prompt failed")

    def _show(self, key: int, result: tuple[Any, Any]) -> None:
        try:
            model, assessment = result
            if self._snapshot is not None and key == id(self._snapshot):
                self._model = (key, model)  # not when fitted on records replaced meanwhile
            self.result.set(describe(assessment))
            self.explanation.configure(text="\n".join(assessment.explanations))
            fill_tree(self.similar, [(f"{f['similarity']:.0%}", f["ai_model"],
                                      (f["failure_reason"] or "").replace("_", " "),
                                      " ".join(f["prompt"].split())[:300])
                                     for f in assessment.similar_failures])
        except Exception:
            log.exception("analytics: showing an assessment failed")

    def _failed(self, exc: BaseException) -> None:
        log.error("analytics: assessing a prompt failed", exc_info=exc)
        self.result.set(f"Could not assess: {exc}")


def default_model(snapshot: Snapshot) -> str:
    """The model to assess for: the filter's (the first, when several are chosen), else the
    most used model whose prompts are not empty (an upscaler takes no prompt), else the first."""
    models = snapshot.all_models
    chosen = [m for m in (snapshot.filters.models or ()) if m in models]
    if chosen:
        return chosen[0]
    # the newest records are enough to tell which models take prompts, and keep this tick short
    prompted = {r.ai_model for r in snapshot.records[:PROMPT_SAMPLE] if r.prompt and r.prompt.strip()}
    by_use = list(snapshot.analytics.overview.models)  # most used first
    return next((m for m in by_use if m in prompted and m in models),
                by_use[0] if by_use and by_use[0] in models else models[0] if models else "")


def _fit_and_assess(fitted: Any, records: list, prompt: str, ai_model: str) -> tuple[Any, Any]:
    """Worker side: fit the risk model when there is none for this snapshot, then assess."""
    from prompt_tracking.risk import RiskModel

    model = fitted if fitted is not None else RiskModel.fit(records)
    return model, model.assess(prompt, ai_model)
