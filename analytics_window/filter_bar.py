"""The filter row at the top of the window: model, date range and outcome, for every tab."""
from __future__ import annotations

import datetime as dt
import logging
import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk

from prompt_tracking.widgets._tk import safe

from .loader import Filters

log = logging.getLogger(__name__)
ALL_MODELS = "All models"
OUTCOMES = {"All outcomes": None, "Successes": "success", "Failures": "failure"}


def parse_day(text: str) -> dt.date | None:
    """'2025-03-01' -> date; '' -> None.

    Raises:
        ValueError: the text is not a YYYY-MM-DD date.
    """
    text = text.strip()
    if not text:
        return None
    return dt.date.fromisoformat(text)


def day_start(day: dt.date) -> float:
    """Epoch seconds of local midnight starting `day`."""
    return dt.datetime(day.year, day.month, day.day).timestamp()


class FilterBar(ttk.Frame):
    """Model, From/To (YYYY-MM-DD, To inclusive) and outcome; calls `on_change` when applied."""

    def __init__(self, master: tk.Misc, on_change: Callable[[], None],
                 on_error: Callable[[str], None]) -> None:
        super().__init__(master)
        self._on_change = on_change
        self._on_error = on_error
        self.model = tk.StringVar(self, ALL_MODELS)
        self.since = tk.StringVar(self)
        self.until = tk.StringVar(self)
        self.outcome = tk.StringVar(self, "All outcomes")
        self.model_box = self._combo("Model", self.model, [ALL_MODELS], 24)
        self.since_entry = self._entry("From", self.since)
        self.until_entry = self._entry("To", self.until)
        self.outcome_box = self._combo("Outcome", self.outcome, list(OUTCOMES), 13)
        ttk.Button(self, text="Apply", command=safe(self._apply)).pack(side=tk.LEFT, padx=(8, 2))
        ttk.Button(self, text="Clear", command=safe(self.clear)).pack(side=tk.LEFT, padx=2)

    def _combo(self, label: str, var: tk.StringVar, values: list[str], width: int) -> ttk.Combobox:
        ttk.Label(self, text=label).pack(side=tk.LEFT, padx=(8, 3))
        box = ttk.Combobox(self, textvariable=var, values=values, state="readonly", width=width)
        box.pack(side=tk.LEFT)
        box.bind("<<ComboboxSelected>>", lambda _e: self._apply(), add="+")
        return box

    def _entry(self, label: str, var: tk.StringVar) -> ttk.Entry:
        ttk.Label(self, text=label).pack(side=tk.LEFT, padx=(8, 3))
        entry = ttk.Entry(self, textvariable=var, width=11)
        entry.pack(side=tk.LEFT)
        entry.bind("<Return>", lambda _e: self._apply(), add="+")
        return entry

    def set_models(self, models: Sequence[str]) -> None:
        """Offer these models (keeps the current choice)."""
        self.model_box.configure(values=[ALL_MODELS, *models])

    def filters(self) -> Filters:
        """The filters as entered.

        Raises:
            ValueError: a date is not YYYY-MM-DD (the message names the field).
        """
        model = self.model.get()
        try:
            since = parse_day(self.since.get())
        except ValueError:
            raise ValueError(f"From: {self.since.get()!r} is not a YYYY-MM-DD date") from None
        try:
            until = parse_day(self.until.get())
        except ValueError:
            raise ValueError(f"To: {self.until.get()!r} is not a YYYY-MM-DD date") from None
        return Filters(
            models=None if model in ("", ALL_MODELS) else (model,),
            since=day_start(since) if since else None,
            until=day_start(until + dt.timedelta(days=1)) if until else None,
            outcome=OUTCOMES.get(self.outcome.get()))

    def clear(self) -> None:
        """Back to everything."""
        self.model.set(ALL_MODELS)
        self.since.set("")
        self.until.set("")
        self.outcome.set("All outcomes")
        self._apply()

    def _apply(self) -> None:
        try:
            self.filters()
        except ValueError as exc:
            self._on_error(str(exc))
            return
        except Exception:
            log.exception("analytics: reading the filters failed")
            return
        try:
            self._on_change()
        except Exception:
            log.exception("analytics: applying the filters failed")
