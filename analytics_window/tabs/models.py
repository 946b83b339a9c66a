"""Models tab: volume, success and rating per model, and how results were kept."""
from __future__ import annotations

import tkinter as tk
from collections.abc import Generator

from ..charts import axes_text, bar_chart, percent, short, style_axes, style_legend
from ..loader import Snapshot
from .base import AnalyticsTab, TabContext, container, fill_tree, reason_label, scrolled_tree

SAVE_LABELS = {"auto": "saved by the app", "manual": "saved by hand", "user_save": "kept by user"}


def _top_reason(counts: dict[str, int]) -> str:
    if not counts:
        return "–"
    reason = max(counts, key=counts.__getitem__)
    return f"{reason_label(reason)} ({counts[reason]:,})"


class ModelsTab(AnalyticsTab):
    """One row per model: prompts, success rate, ratings, most frequent failure reason."""

    title = "Models"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, context)
        self.table = scrolled_tree(self, {
            "model": ("model", 220), "n": ("prompts", 80), "rate": ("success", 70),
            "rated": ("rated", 70), "avg": ("avg ★", 60), "reason": ("top failure reason", 200)},
            height=6, numeric=("n", "rate", "rated", "avg"))
        # packed before the chart, so the chart, not the table, gives way on small screens
        container(self.table).pack(side=tk.BOTTOM, fill=tk.X, pady=(6, 0))
        self.chart = self.chart_panel(self, height=4.4)
        self.chart.pack(side=tk.TOP, fill=tk.BOTH, expand=True)

    def draw(self, snapshot: Snapshot) -> Generator[None, None, None]:
        analytics = snapshot.analytics
        buckets = sorted(analytics.quality.by_model, key=lambda b: -b.n)
        reasons = analytics.failures.by_model_and_reason
        fill_tree(self.table, [
            (b.label, f"{b.n:,}", percent(b.success_rate), f"{b.rated:,}",
             f"{b.avg_rating:.2f}" if b.avg_rating is not None else "–",
             _top_reason(reasons.get(b.label) or {}))
            for b in buckets])
        if not buckets:
            self.chart.empty("No prompts tracked yet (or none match the filters): the models "
                             "you use will be compared here.", title="Models")
            return
        yield from self.plot(buckets, analytics.usage.save_methods)

    def plot(self, buckets, save_methods) -> Generator[None, None, None]:
        pal = self.palette
        grid = self.chart.grid_spec(1, 3, width_ratios=(3, 3, 2))
        volume = self.chart.add(grid[0, 0])
        labels = [short(b.label, 18) for b in buckets]
        ok = [b.successes for b in buckets]
        bad = [b.n - b.successes for b in buckets]
        volume.barh(range(len(buckets)), ok, color=pal.success, label="succeeded")
        volume.barh(range(len(buckets)), bad, left=ok, color=pal.failure, label="failed")
        volume.set_yticks(range(len(buckets)), labels)
        volume.invert_yaxis()
        style_axes(volume, pal, f"Prompts per model (n={sum(b.n for b in buckets):,})",
                   "prompts", "model", grid_axis="x")
        style_legend(volume, pal, loc="lower right")
        yield
        success = self.chart.add(grid[0, 1])
        rates = [(b.success_rate or 0) * 100 for b in buckets]
        bar_chart(success, labels, rates, pal, color=pal.accent, horizontal=True,
                  annotations=[f"{r:.0f}% (n={b.n:,})" for r, b in zip(rates, buckets)])
        style_axes(success, pal, "Success rate by model", "success %", "model",
                   grid_axis="x")
        success.set_xlim(0, 125)
        yield
        kept = self.chart.add(grid[0, 2])
        if save_methods:
            counts = [m.n for m in save_methods]
            bar_chart(kept, [SAVE_LABELS.get(m.label, m.label) for m in save_methods], counts,
                      pal, color=pal.series[4], horizontal=True,
                      annotations=[f"{c:,}" for c in counts])
            style_axes(kept, pal, f"Results kept (n={sum(counts):,})", "results",
                       "how", grid_axis="x")
        else:
            axes_text(kept, "No saved results yet.", pal)
            style_axes(kept, pal, "Results kept", grid_axis=None)
        self.chart.redraw()


TAB = ModelsTab
