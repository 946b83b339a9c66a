"""Overview tab: key figures, and activity and success over time."""
from __future__ import annotations

import dataclasses
import datetime as dt
import tkinter as tk
from collections.abc import Generator
from tkinter import ttk
from typing import TYPE_CHECKING

from ..charts import percent, style_axes, style_legend
from ..flow import FlowRow
from ..loader import Snapshot
from .base import AnalyticsTab, TabContext, note_label

if TYPE_CHECKING:  # the engine's period rows; the tab only reads them and copies one
    from prompt_tracking.analytics.columns import Bucket

MAX_TICKS = 12
MAX_PERIODS = 2000  # a store spanning centuries of months would not be drawn bar by bar
CARDS = ("Prompts", "Success rate", "Failures", "Rated", "Average rating", "Failures retried",
         "Retries that worked", "Period")
GAP_MIN = 20  # this many empty periods in a row (months of weeks) are drawn as one gap slot
GAP_PREFIX = "…"


def _next_period(label: str, period: str) -> str:
    if period == "month":
        year, month = int(label[:4]), int(label[5:7])
        return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
    step = dt.timedelta(days=7 if period == "week" else 1)
    return (dt.date.fromisoformat(label) + step).isoformat()


def fill_periods(buckets: list[Bucket], period: str) -> list[Bucket]:
    """`buckets` with a zero bucket for every empty period between the first and the last.

    The engine lists only periods that have records, so drawn as categories a gap of months
    would look like consecutive weeks; filled, one bar is always one period.
    """
    if len(buckets) < 2:
        return list(buckets)
    by_label = {b.label: b for b in buckets}
    filled: list[Bucket] = []
    label = buckets[0].label
    try:
        while label <= buckets[-1].label and len(filled) < MAX_PERIODS:
            filled.append(by_label.get(label) or dataclasses.replace(
                buckets[0], label=label, n=0, successes=0, success_rate=None, rated=0,
                avg_rating=None))
            label = _next_period(label, period)
    except ValueError:  # a label this window does not know how to step: draw as given
        return list(buckets)
    return filled if len(filled) < MAX_PERIODS else list(buckets)


def collapse_gaps(buckets: list[Bucket], period: str, min_run: int = GAP_MIN) -> list[Bucket]:
    """`buckets` (filled) with each run of `min_run` or more empty periods as one empty slot.

    An imported year-old history and this week's work would otherwise be drawn as two
    slivers at the ends of a year of empty bars: the axis zooms to where the data is, and
    the gap slot says how much time it stands for ("… 40 weeks without prompts").
    """
    out: list[Bucket] = []
    run: list[Bucket] = []

    def close_run() -> None:
        if len(run) >= min_run:
            label = f"{GAP_PREFIX} {len(run)} {period}s without prompts"
            out.append(dataclasses.replace(run[0], label=label))
        else:
            out.extend(run)
        run.clear()
    for b in buckets:
        if b.n == 0:
            run.append(b)
            continue
        close_run()
        out.append(b)
    close_run()
    return out


def is_gap(label: str) -> bool:
    return label.startswith(GAP_PREFIX)


def _day(timestamp: float | None) -> str:
    return "–" if timestamp is None else dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d")


class OverviewTab(AnalyticsTab):
    """Totals, rates and the activity / success trend per day, week or month."""

    title = "Overview"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, context)
        self.cards = FlowRow(self)  # wraps onto a second row in a narrow window
        self.cards.pack(side=tk.TOP, fill=tk.X, pady=(0, 6))
        self.figures: dict[str, tk.StringVar] = {}
        self.periods: list[str] = []  # the drawn periods, empty ones included
        for key in CARDS:
            self.figures[key] = self._card(key)
        self.note = note_label(self, self.palette)
        self.note.pack(side=tk.BOTTOM, fill=tk.X)
        self.chart = self.chart_panel(self, height=4.4)  # fits the default window with two rows of figures
        self.chart.pack(side=tk.TOP, fill=tk.BOTH, expand=True)

    def _card(self, caption: str) -> tk.StringVar:
        frame = self.cards.group(padding=(10, 4, 18, 4))
        value = tk.StringVar(self, "–")
        ttk.Label(frame, textvariable=value, font=("TkDefaultFont", 15, "bold")).pack(anchor=tk.W)
        ttk.Label(frame, text=caption, foreground=self.palette.muted).pack(anchor=tk.W)
        return value

    def draw(self, snapshot: Snapshot) -> Generator[None, None, None]:
        analytics = snapshot.analytics
        ov, retries = analytics.overview, analytics.usage.retries
        values = {
            "Prompts": f"{ov.total:,}",
            "Success rate": percent(ov.success_rate),
            "Failures": f"{ov.failures:,}",
            "Rated": f"{ov.rated:,} ({percent(ov.share_rated)})" if ov.total else "–",
            "Average rating": f"{ov.avg_rating:.2f} ★" if ov.avg_rating is not None else "–",
            # two labelled figures: "53% · 81%" under one caption read as one number
            "Failures retried": percent(retries.retry_rate) if retries.failures else "–",
            "Retries that worked": percent(retries.retry_success_rate)
            if retries.failures and retries.retried else "–",
            "Period": f"{_day(ov.first_timestamp)} – {_day(ov.last_timestamp)}",
        }
        for key, text in values.items():
            self.figures[key].set(text)
        extra = ", ".join(sorted(analytics.extra))
        self.note.configure(text=f"Registered analyses: {extra}" if extra else "")
        if not ov.total:
            self.chart.empty("No prompts tracked yet (or none match the filters): "
                             "generate something in the app to see your activity here.",
                             title="Activity")
            return
        yield from self.plot_trend(ov)

    def plot_trend(self, ov) -> Generator[None, None, None]:
        """Stacked successes/failures per period above, success rate and rating below."""
        pal = self.palette
        grid = self.chart.grid_spec(2, 1, height_ratios=(3, 2))
        activity = self.chart.add(grid[0])
        buckets = collapse_gaps(fill_periods(ov.over_time, ov.period), ov.period)
        self.periods = [b.label for b in buckets]
        gaps = [i for i, b in enumerate(buckets) if is_gap(b.label)]
        x = list(range(len(buckets)))
        ok = [b.successes for b in buckets]
        bad = [b.n - b.successes for b in buckets]
        activity.bar(x, ok, color=pal.success, label="succeeded", width=0.85)
        activity.bar(x, bad, bottom=ok, color=pal.failure, label="failed", width=0.85)
        style_axes(activity, pal, f"Prompts per {ov.period} (n={ov.total:,})", None, "prompts")
        # above the plot area, right of the title, so it never hides a bar
        style_legend(activity, pal, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2,
                     frameon=False)
        activity.tick_params(labelbottom=False)
        for i in gaps:
            activity.axvline(i, color=pal.muted, linestyle=":", linewidth=1)
            activity.text(i, 0.5, buckets[i].label[2:], transform=activity.get_xaxis_transform(),
                          rotation=90, ha="center", va="center", fontsize=7, color=pal.muted,
                          backgroundcolor=pal.background)
        yield
        trend = self.chart.add(grid[1], sharex=activity)
        rates = [b.success_rate * 100 if b.success_rate is not None else float("nan")
                 for b in buckets]
        trend.plot(x, rates, color=pal.accent, marker="o", markersize=3, label="success rate")
        style_axes(trend, pal, None, ov.period, "success %")
        yield
        trend.set_ylim(0, 105)
        rating_axis = trend.twinx()
        ratings = [b.avg_rating if b.avg_rating is not None else float("nan") for b in buckets]
        rating_axis.plot(x, ratings, color=pal.warning, marker="s", markersize=3,
                         label="avg rating")
        style_axes(rating_axis, pal, None, None, "avg rating (1-5)", grid_axis=None)
        rating_axis.set_ylim(0.8, 5.2)
        handles = trend.get_legend_handles_labels()[0] + rating_axis.get_legend_handles_labels()[0]
        legend = trend.legend(handles=handles, loc="lower left", fontsize=8,
                              facecolor=pal.background, edgecolor=pal.grid)
        for text in legend.get_texts():
            text.set_color(pal.foreground)
        step = max(1, len(x) // MAX_TICKS)
        ticks = [i for i in x[::step] if not is_gap(buckets[i].label)]
        trend.set_xticks(ticks, [buckets[i].label for i in ticks])
        for i in gaps:
            trend.axvline(i, color=pal.muted, linestyle=":", linewidth=1)
        for label in trend.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
        self.chart.redraw()


TAB = OverviewTab
