"""Failures tab: reasons, the model x reason table as a heat map, and failure rate per model."""
from __future__ import annotations

import tkinter as tk
from collections.abc import Generator

import numpy as np

from ..charts import bar_chart, percent, rotate_labels, short, style_axes
from ..loader import Snapshot
from .base import (
    AnalyticsTab,
    TabContext,
    container,
    fill_tree,
    note_label,
    reason_label,
    scrolled_tree,
)

NO_FAILURES = "No failures in this selection: nothing to fix here."
HEAT_ROW_PX = 30    # one model row of the heat map: room for its label and the cell counts
HEAT_FRAME_PX = 150  # title, tilted reason labels and axis caption


def rank_models(rates: dict[str, float | None], tries: dict[str, int],
                min_samples: int) -> list[str]:
    """Models by failure rate, highest first; those with fewer than `min_samples` tries
    after all the others (one failed try out of one is no 100% failure rate)."""
    return sorted(rates, key=lambda m: (tries.get(m, 0) < min_samples, -(rates[m] or 0), m))


def heat_height(models: int) -> int:
    """Canvas pixels for a heat map of `models` rows."""
    return HEAT_FRAME_PX + HEAT_ROW_PX * max(models, 3)


class FailuresTab(AnalyticsTab):
    """Why generations fail, on which models, and the most frequent provider error codes."""

    title = "Failures"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, context)
        # the table is packed first so the charts, not the table, give way on small screens
        self.codes = scrolled_tree(self, {"provider": ("provider", 160), "code": ("error code", 240),
                                          "status": ("HTTP", 70), "count": ("count", 90)},
                                   height=6, numeric=("status", "count"))
        container(self.codes).pack(side=tk.BOTTOM, fill=tk.X)
        self.note = note_label(self, self.palette, text="Most frequent provider error codes")
        self.note.pack(side=tk.BOTTOM, fill=tk.X, pady=(6, 2))
        # two figures, so each repaint is its own short tick
        self.chart = self.chart_panel(self, height=2.7)
        self.chart.pack(side=tk.TOP, fill=tk.BOTH, expand=True)
        self.heat = self.chart_panel(self, height=2.7)
        self.heat.pack(side=tk.TOP, fill=tk.BOTH, expand=True)

    def draw(self, snapshot: Snapshot) -> Generator[None, None, None]:
        failures = snapshot.analytics.failures
        fill_tree(self.codes, [(c.provider or "–", c.error_code, c.http_status or "–", c.count)
                               for c in failures.error_codes])
        if not failures.total:
            message = NO_FAILURES if snapshot.records else \
                "No prompts tracked yet (or none match the filters)."
            self.chart.empty(message, title="Failures")
            self.heat.empty(message, title="Failures by model and reason")
            return
        yield from self.plot(failures, snapshot.analytics.overview.models,
                             snapshot.analytics.min_samples)

    def plot(self, failures, tries: dict[str, int], min_samples: int) -> Generator[None, None, None]:
        pal = self.palette
        grid = self.chart.grid_spec(1, 2)
        reasons_ax = self.chart.add(grid[0, 0], grid_axis="x")
        reasons = list(failures.by_reason)
        counts = [failures.by_reason[r] for r in reasons]
        bar_chart(reasons_ax, [reason_label(r) for r in reasons], counts, pal, color=pal.failure,
                  horizontal=True, annotations=[f"{c:,}" for c in counts])
        style_axes(reasons_ax, pal, f"Failures by reason (n={failures.total:,})", "failures",
                   "reason", grid_axis=None)
        yield
        rate_ax = self.chart.add(grid[0, 1])
        models = rank_models(failures.rate_by_model, tries, min_samples)
        rates = [(failures.rate_by_model[m] or 0) * 100 for m in models]
        totals = [sum(failures.by_model_and_reason.get(m, {}).values()) for m in models]
        few = [tries.get(m, 0) < min_samples for m in models]
        bar_chart(rate_ax, [short(m, 18) for m in models], rates, pal,
                  color=[pal.muted if f else pal.warning for f in few],
                  annotations=[f"{percent(r / 100)} ({t:,}/{tries.get(m, 0):,})"
                               for r, t, m in zip(rates, totals, models)])
        title = "Failure rate by model (failed/tries)"
        if any(few):
            title += f"\ngrey, ranked last: fewer than {min_samples} tries"
        style_axes(rate_ax, pal, title, "model", "failed %")
        rotate_labels(rate_ax, 20)
        yield
        self.chart.redraw()
        yield
        self.heat.set_height(heat_height(len(models)))
        (heat_ax,) = self.heat.axes(grid_axis=None)
        self.plot_heatmap(heat_ax, failures, models, reasons)
        self.heat.redraw()

    def plot_heatmap(self, ax, failures, models: list[str], reasons: list[str]) -> None:
        """Failures per model (rows) and reason (columns), counts written in the cells."""
        pal = self.palette
        table = np.array([[failures.by_model_and_reason.get(m, {}).get(r, 0) for r in reasons]
                          for m in models], dtype=float)
        image = ax.imshow(table, aspect="auto", cmap=pal.colormap)
        ax.set_xticks(range(len(reasons)), [reason_label(r) for r in reasons])
        ax.set_yticks(range(len(models)), [short(m, 18) for m in models])
        rotate_labels(ax, 20)
        peak = table.max() or 1
        for (i, j), value in np.ndenumerate(table):
            # dark text on light cells and light text on dark cells, whatever the colormap
            light_cell = image.cmap(image.norm(value))[:3]
            text_colour = "#111111" if sum(light_cell) / 3 > 0.55 else "#f5f5f5"
            ax.text(j, i, f"{int(value):,}", ha="center", va="center", fontsize=7,
                    color=text_colour)
        style_axes(ax, pal, f"Failures by model and reason (max {int(peak):,} in a cell)",
                   "failure reason", "model", grid_axis=None)


TAB = FailuresTab
