"""The filter row at the top of the window: model, date range and outcome, for every tab.

Its groups (a label and its field) flow onto a second row when the window is narrow, so
Outcome, Apply and Clear never fall off the right edge.
"""
from __future__ import annotations

import datetime as dt
import logging
import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk

from prompt_tracking.widgets._tk import safe

from .flow import FlowRow
from .loader import Filters

log = logging.getLogger(__name__)
ALL_MODELS = "All models"
OUTCOMES = {"All outcomes": None, "Successes": "success", "Failures": "failure"}
ALL_TIME = "All time"
CUSTOM = "Custom dates"
PRESETS = {ALL_TIME: None, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90}


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


def preset_since(days: int, today: dt.date | None = None) -> dt.date:
    """The first day of the last `days` days, today included."""
    return (today or dt.date.today()) - dt.timedelta(days=days - 1)


class FilterBar(FlowRow):
    """Model, a date preset, From/To (YYYY-MM-DD, To inclusive) and outcome; calls
    `on_change` when applied. Pack it with `fill=tk.X`: it wraps to the width it gets."""

    def __init__(self, master: tk.Misc, on_change: Callable[[], None],
                 on_error: Callable[[str], None]) -> None:
        super().__init__(master)
        self._on_change = on_change
        self._on_error = on_error
        self.model = tk.StringVar(self, ALL_MODELS)
        self.preset = tk.StringVar(self, ALL_TIME)
        self.since = tk.StringVar(self)
        self.until = tk.StringVar(self)
        self.outcome = tk.StringVar(self, "All outcomes")
        self.model_box = self._combo("Model", self.model, [ALL_MODELS], 24)
        self.preset_box = self._combo("Dates", self.preset, list(PRESETS), 12,
                                      on_select=self._apply_preset)
        self.since_entry = self._entry("From", self.since)
        self.until_entry = self._entry("To", self.until)
        self.outcome_box = self._combo("Outcome", self.outcome, list(OUTCOMES), 13)
        buttons = self._group()
        self.apply_button = ttk.Button(buttons, text="Apply", command=safe(self._apply))
        self.apply_button.pack(side=tk.LEFT, padx=(0, 2))
        self.clear_button = ttk.Button(buttons, text="Clear", command=safe(self.clear))
        self.clear_button.pack(side=tk.LEFT, padx=2)

    def _group(self) -> ttk.Frame:
        return self.group(padding=(0, 1, 8, 1))

    def _combo(self, label: str, var: tk.StringVar, values: list[str], width: int, *,
               on_select: Callable[[], None] | None = None) -> ttk.Combobox:
        group = self._group()
        ttk.Label(group, text=label).pack(side=tk.LEFT, padx=(0, 3))
        box = ttk.Combobox(group, textvariable=var, values=values, state="readonly", width=width)
        box.pack(side=tk.LEFT)
        box.bind("<<ComboboxSelected>>", safe(lambda _e: (on_select or self._apply)()), add="+")
        return box

    def _entry(self, label: str, var: tk.StringVar) -> ttk.Entry:
        group = self._group()
        ttk.Label(group, text=label).pack(side=tk.LEFT, padx=(0, 3))
        entry = ttk.Entry(group, textvariable=var, width=11)
        entry.pack(side=tk.LEFT)
        entry.bind("<Return>", safe(lambda _e: self._apply()), add="+")
        return entry

    def _apply_preset(self) -> None:
        days = PRESETS.get(self.preset.get())
        self.since.set("" if days is None else preset_since(days).isoformat())
        self.until.set("")
        self._apply()

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
        self.preset.set(ALL_TIME)
        self.since.set("")
        self.until.set("")
        self.outcome.set("All outcomes")
        self._apply()

    def _match_preset(self) -> None:
        """Show which preset the typed dates amount to ("Custom dates" for any other)."""
        since, until = self.since.get().strip(), self.until.get().strip()
        for name, days in PRESETS.items():
            if not until and since == ("" if days is None else preset_since(days).isoformat()):
                self.preset.set(name)
                return
        self.preset.set(CUSTOM)

    def _apply(self) -> None:
        self._match_preset()
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
