"""Parameters tab: success and rating per parameter value, with the engine's suggestion."""
from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk

from prompt_tracking.analytics.parameters import NOT_SET, quotable_rating

from ..charts import bar_chart, rotate_labels, style_axes
from ..loader import Snapshot
from .base import AnalyticsTab, TabContext, container, note_label, scrolled_tree

log = logging.getLogger(__name__)
NO_PARAMETERS = ("No model parameters recorded yet: pass model_parameters when logging a prompt "
                 "to see which settings work.")


class ParametersTab(AnalyticsTab):
    """A list of every (model, parameter) with its suggestion; the selected one is charted."""

    title = "Parameters"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, context)
        self.reports: list = []
        self.suggestion = note_label(self, self.palette)
        self.suggestion.configure(foreground=self.palette.foreground)
        self.suggestion.pack(side=tk.TOP, fill=tk.X, pady=(0, 4))
        pane = ttk.PanedWindow(self, orient=tk.VERTICAL)
        pane.pack(fill=tk.BOTH, expand=True)
        self.chart = self.chart_panel(pane, height=3.8)
        table_frame = ttk.Frame(pane)
        self.table = scrolled_tree(table_frame, {
            "model": ("model", 150), "parameter": ("parameter", 130), "n": ("tries", 70),
            "rated": ("ratings", 70), "suggestion": ("suggestion", 640)}, height=7,
            numeric=("n", "rated"))
        container(self.table).pack(fill=tk.BOTH, expand=True)
        pane.add(self.chart, weight=3)
        pane.add(table_frame, weight=2)
        self.table.bind("<<TreeviewSelect>>", self._on_select, add="+")

    def draw(self, snapshot: Snapshot) -> None:
        chosen = self.selected_key()
        self.reports = [r for r in snapshot.analytics.parameters if r.kind != "identifier"]
        self.reports.sort(key=lambda r: (not r.flagged, r.model, r.parameter))
        self.table.delete(*self.table.get_children())
        for index, report in enumerate(self.reports):
            self.table.insert("", tk.END, iid=str(index), values=(
                report.model, report.parameter, f"{report.n:,}", f"{rated_count(report):,}",
                ("⚠ " if report.flagged else "") + report.suggestion))
        if not self.reports:
            self.suggestion.configure(text="")
            self.chart.empty(NO_PARAMETERS, title="Parameters")
            return
        keys = [(r.model, r.parameter) for r in self.reports]
        index = keys.index(chosen) if chosen in keys else 0
        self.table.selection_set(str(index))
        self.table.see(str(index))
        self.show(index)

    def selected_key(self) -> tuple[str, str] | None:
        selection = self.table.selection()
        if not selection or int(selection[0]) >= len(self.reports):
            return None
        report = self.reports[int(selection[0])]
        return report.model, report.parameter

    def _on_select(self, _event: tk.Event) -> None:
        try:
            selection = self.table.selection()
            if selection:
                self.show(int(selection[0]))
        except Exception:
            log.exception("analytics: showing a parameter failed")

    def show(self, index: int) -> None:
        """Chart the bins of report `index`: success rate bars above, average ratings below
        (their own axes, so a marker never covers a bar's label)."""
        report = self.reports[index]
        pal = self.palette
        min_samples = self.snapshot.analytics.min_samples if self.snapshot else 1
        self.suggestion.configure(text=f"Suggestion for {report.model}: {report.suggestion}")
        grid = self.chart.grid_spec(2, 1, height_ratios=(3, 1))
        ax = self.chart.add(grid[0])
        bins = report.bins
        labels = [b.label for b in bins]
        rates = [(b.success_rate or 0) * 100 for b in bins]
        colours = [pal.failure if b.label in report.flagged else pal.accent for b in bins]
        bar_chart(ax, labels, rates, pal, color=colours,
                  annotations=[f"{r:.0f}% of {b.n:,}" for r, b in zip(rates, bins)])
        style_axes(ax, pal, f"{report.model}: {report.parameter} ({report.n:,} tries; red: "
                   "significantly worse than the best)", None, "success %")
        ax.set_ylim(0, 118)
        ax.tick_params(labelbottom=False)
        stars_ax = self.chart.add(grid[1], sharex=ax)
        self.plot_ratings(stars_ax, bins, min_samples)
        style_axes(stars_ax, pal, None, report.parameter, "avg ★")
        if len(labels) > 5:
            rotate_labels(stars_ax, 25)
        self.chart.redraw()

    def plot_ratings(self, ax, bins: list, min_samples: int) -> None:
        """One marker per bin with its rating count; hollow and muted when too few ratings."""
        pal = self.palette
        for x, b in enumerate(bins):
            if b.avg_rating is None:
                ax.text(x, 3, "no ratings", ha="center", va="center", fontsize=7, color=pal.muted)
                continue
            enough = quotable_rating(b, min_samples)
            ax.plot([x], [b.avg_rating], marker="D", markersize=6, linestyle="none",
                    color=pal.warning if enough else pal.muted,
                    markerfacecolor=pal.warning if enough else "none")
            text = f"{b.avg_rating:.1f} ({b.rated:,})" if enough else f"{b.rated:,} rated: too few"
            ax.annotate(text, (x, b.avg_rating), xytext=(8, 0), textcoords="offset points",
                        va="center", fontsize=7, color=pal.foreground if enough else pal.muted)
        ax.set_ylim(0.5, 5.5)
        ax.set_yticks([1, 3, 5])


def rated_count(report) -> int:
    """Ratings among the tries of this parameter (the "(not set)" bin is other records)."""
    return sum(b.rated for b in report.bins if b.label != NOT_SET)


TAB = ParametersTab
