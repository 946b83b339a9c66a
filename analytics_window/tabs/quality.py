"""Quality tab: the rating distribution, ratings per model, and what high-rated prompts share."""
from __future__ import annotations

import tkinter as tk
from collections.abc import Generator
from tkinter import ttk

from ..charts import axes_text, bar_chart, rotate_labels, short, style_axes
from ..loader import Snapshot
from .base import (
    AnalyticsTab,
    TabContext,
    container,
    fill_tree,
    note_label,
    scrolled_tree,
)

NO_RATINGS = "No ratings yet: rate a result to see quality insights."
TRAIT_NAMES = {"characters": "characters", "words": "words", "special_characters":
               "special characters", "segments": "comma segments", "weight_syntax":
               "weight syntax uses", "has_negative_prompt": "share with negative prompt"}


def _mean(value: float | None, share: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:.0%}" if share else f"{value:.1f}"


class QualityTab(AnalyticsTab):
    """Ratings: how they are spread, by model, and prompt traits of high vs low ratings."""

    title = "Quality"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, context)
        # packed bottom-up before the chart, so the chart, not the table, gives way
        self.note = note_label(self, self.palette)
        self.note.pack(side=tk.BOTTOM, fill=tk.X)
        self.traits = scrolled_tree(self, {"trait": ("trait", 220), "high": ("high", 90),
                                           "low": ("low", 90), "n": ("n high / low", 130)},
                                    height=6, numeric=("high", "low", "n"))
        container(self.traits).pack(side=tk.BOTTOM, fill=tk.X)
        ttk.Label(self, text="Prompt traits: high-rated (4-5) against low-rated (1-3)").pack(
            side=tk.BOTTOM, anchor=tk.W, pady=(6, 2))
        self.chart = self.chart_panel(self, height=4.2)
        self.chart.pack(side=tk.TOP, fill=tk.BOTH, expand=True)

    def draw(self, snapshot: Snapshot) -> Generator[None, None, None]:
        quality = snapshot.analytics.quality
        rated = sum(quality.distribution.values())
        rows = [(TRAIT_NAMES.get(t.trait, t.trait), _mean(t.mean_a, t.trait.startswith("has_")),
                 _mean(t.mean_b, t.trait.startswith("has_")), f"{t.n_a:,} / {t.n_b:,}")
                for t in quality.high_vs_low] if rated else []
        fill_tree(self.traits, rows)
        if not rated:
            self.note.configure(text=NO_RATINGS)
            self.chart.empty(NO_RATINGS, title="Ratings")
            return
        self.note.configure(text=f"{quality.high:,} high-rated and {quality.low:,} low-rated "
                                 "prompts; means per prompt.")
        yield from self.plot(quality, rated)

    def plot(self, quality, rated: int) -> Generator[None, None, None]:
        pal = self.palette
        grid = self.chart.grid_spec(1, 2, width_ratios=(2, 3))
        spread = self.chart.add(grid[0, 0])
        stars = ["1", "2", "3", "4", "5"]
        counts = [quality.distribution.get(s, 0) for s in stars]
        colours = [pal.failure, pal.failure, pal.warning, pal.success, pal.success]
        bar_chart(spread, [f"{s}★" for s in stars], counts, pal, color=colours,
                  annotations=[f"{c:,}" for c in counts])
        style_axes(spread, pal, f"Rating distribution (n={rated:,})", "rating", "results")
        yield
        models = self.chart.add(grid[0, 1])
        by_model = [b for b in quality.by_model if b.rated]
        if not by_model:
            axes_text(models, NO_RATINGS, pal)
        else:
            by_model.sort(key=lambda b: -(b.avg_rating or 0))
            bar_chart(models, [short(b.label) for b in by_model], [b.avg_rating for b in by_model],
                      pal, color=pal.accent,
                      annotations=[f"{b.avg_rating:.2f} (n={b.rated:,})" for b in by_model])
            style_axes(models, pal, "Average rating by model", "model", "avg rating (1-5)")
            models.set_ylim(0, 5.6)
            rotate_labels(models, 20)
        self.chart.redraw()


TAB = QualityTab
