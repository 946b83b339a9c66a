"""Patterns tab: terms that mark each failure reason and rating level, and a prompt checker."""
from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk

from ..charts import bar_chart, style_axes
from ..loader import Snapshot
from .base import (
    AnalyticsTab,
    TabContext,
    container,
    fill_tree,
    note_label,
    scrolled_tree,
)
from .prompt_check import PromptCheck

log = logging.getLogger(__name__)
HIGH, LOW = "High ratings (4-5)", "Low ratings (1-3)"
TOP_IN_CHART = 10


class PatternsTab(AnalyticsTab):
    """Term tables per failure reason and rating; below, assess a planned prompt."""

    title = "Patterns"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, context)
        self.groups: dict[str, list] = {}
        self.notes: list[str] = []
        bar = ttk.Frame(self)
        bar.pack(side=tk.TOP, fill=tk.X)
        ttk.Label(bar, text="Terms that mark:").pack(side=tk.LEFT)
        self.group = tk.StringVar(self)
        self.group_box = ttk.Combobox(bar, textvariable=self.group, state="readonly", width=28)
        self.group_box.pack(side=tk.LEFT, padx=6)
        self.group_box.bind("<<ComboboxSelected>>", self._on_group, add="+")
        self.note = note_label(bar, self.palette)  # wraps at its width, never cut off
        self.note.pack(side=tk.LEFT, fill=tk.X, expand=True, padx=6)
        body = ttk.Frame(self)
        body.pack(side=tk.TOP, fill=tk.BOTH, expand=True, pady=4)
        self.terms = scrolled_tree(body, {"term": ("term", 170), "z": ("z", 60),
                                          "count": ("in group", 70), "total": ("all uses", 70)},
                                   height=9)
        container(self.terms).pack(side=tk.LEFT, fill=tk.Y)
        self.chart = self.chart_panel(body, height=3.2, width=6)
        self.chart.pack(side=tk.LEFT, fill=tk.BOTH, expand=True, padx=(6, 0))
        self.check = PromptCheck(self, context)
        self.check.pack(side=tk.TOP, fill=tk.BOTH, expand=True)

    def draw(self, snapshot: Snapshot) -> None:
        patterns = snapshot.analytics.patterns
        self.groups = {reason.replace("_", " "): terms
                       for reason, terms in patterns.by_failure_reason.items()}
        self.groups[HIGH] = patterns.high_rating
        self.groups[LOW] = patterns.low_rating
        names = list(self.groups)
        self.group_box.configure(values=names)
        if self.group.get() not in self.groups:
            self.group.set(_default_group(snapshot, self.groups))
        self.notes = list(patterns.notes)
        self.check.set_history(snapshot)
        self.show_group()

    def record_lists(self) -> list[list]:
        return super().record_lists() + self.check.record_lists()

    def _on_group(self, _event: tk.Event) -> None:
        try:
            self.show_group()
        except Exception:
            log.exception("analytics: showing terms failed")

    def show_group(self) -> None:
        """Fill the table and chart with the terms of the chosen group."""
        name = self.group.get()
        terms = self.groups.get(name, [])
        notes = notes_for(name, self.notes)
        self.note.configure(text="; ".join(notes))
        fill_tree(self.terms, [(t.term, f"{t.z:.1f}", f"{t.count:,}", f"{t.total:,}")
                               for t in terms])
        if not terms:
            self.chart.empty("No term stands out for this group yet: patterns appear once "
                             "a group has enough prompts" + (f" ({notes[0]})." if notes else "."),
                             title=f"Terms: {name}" if name else "Terms")
            return
        pal = self.palette
        (ax,) = self.chart.axes()
        shown = terms[:TOP_IN_CHART]
        colour = pal.success if name == HIGH else pal.failure
        bar_chart(ax, [t.term for t in shown], [t.z for t in shown], pal, color=colour,
                  horizontal=True, annotations=[f"{t.count}/{t.total}" for t in shown])
        style_axes(ax, pal, f"Terms marking {name} (uses in group / all)", "z-score (log-odds)",
                   "term", grid_axis="x")
        self.chart.redraw()


def notes_for(group: str, notes: list[str]) -> list[str]:
    """The engine's notes about `group`: the ratings note for High/Low, a reason's own note."""
    if group in (HIGH, LOW):
        return [n for n in notes if n.startswith("ratings:")]
    return [n for n in notes if n.split(":", 1)[0].replace("_", " ") == group]


def _default_group(snapshot: Snapshot, groups: dict[str, list]) -> str:
    """The most frequent failure reason that has marking terms, else the richest group."""
    for reason in snapshot.analytics.failures.by_reason:  # most frequent first
        name = reason.replace("_", " ")
        if groups.get(name):
            return name
    return max(groups, key=lambda n: len(groups[n]), default="")


TAB = PatternsTab
