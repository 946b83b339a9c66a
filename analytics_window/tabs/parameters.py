"""Parameters tab: success and rating per parameter value, with the engine's suggestion."""
from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk

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
            "model": ("model", 150), "parameter": ("parameter", 130), "n": ("n", 70),
            "suggestion": ("suggestion", 640)}, height=7, numeric=("n",))
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
                report.model, report.parameter, f"{report.n:,}",
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
        """Chart the bins of report `index`: success rate bars, average rating markers."""
        report = self.reports[index]
        pal = self.palette
        self.suggestion.configure(text=f"Suggestion for {report.model}: {report.suggestion}")
        (ax,) = self.chart.axes()
        bins = report.bins
        labels = [b.label for b in bins]
        rates = [(b.success_rate or 0) * 100 for b in bins]
        colours = [pal.failure if b.label in report.flagged else pal.accent for b in bins]
        bar_chart(ax, labels, rates, pal, color=colours,
                  annotations=[f"{r:.0f}% (n={b.n:,})" for r, b in zip(rates, bins)])
        style_axes(ax, pal, f"{report.model}: {report.parameter} (n={report.n:,}; red: "
                   "significantly worse than the best)", report.parameter, "success %")
        ax.set_ylim(0, 118)
        rating = ax.twinx()
        stars = [b.avg_rating if b.avg_rating is not None else float("nan") for b in bins]
        rating.plot(range(len(bins)), stars, color=pal.warning, marker="D", linestyle="none",
                    markersize=7, label="avg rating")
        style_axes(rating, pal, None, None, "avg rating (◆, 1-5)", grid_axis=None)
        rating.set_ylim(0, 5.9)
        if len(labels) > 5:
            rotate_labels(ax, 25)
        self.chart.redraw()


TAB = ParametersTab
