"""What every tab shares: the context it gets from the window, and the base class.

A tab is built lazily the first time it is shown, and `render(snapshot)` is called once per
new snapshot while it is visible (one tab per `after()` tick, so the host never stalls).
"""
from __future__ import annotations

import dataclasses
import logging
import tkinter as tk
from collections.abc import Callable, Generator
from tkinter import ttk
from typing import Any

from .draw_queue import DrawQueue
from .loader import BackgroundRunner, Snapshot
from .theme import TREE_STYLE, Palette

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TabContext:
    """The window's services a tab may use."""

    palette: Palette
    tracker: Any
    runner: BackgroundRunner
    schedule: Callable[[str, int, Callable[[], None]], None]  # (name, ms, fn), kept and cancelled
    refresh: Callable[[], None]
    draw_queue: DrawQueue


class AnalyticsTab(ttk.Frame):
    """Base class of the built-in tabs: a frame with a `render(snapshot)` method."""

    title = "Tab"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, padding=6)
        self.context = context
        self.palette = context.palette
        self.snapshot: Snapshot | None = None

    def chart_panel(self, master: tk.Misc, **kwargs: Any) -> Any:
        """A ChartPanel in this window's palette whose repaints go through the draw queue."""
        from .charts import ChartPanel

        return ChartPanel(master, self.palette, draw_queue=self.context.draw_queue, **kwargs)

    def render(self, snapshot: Snapshot) -> Generator[None, None, None] | None:
        """Show `snapshot`; subclasses draw in `draw`, which may be a generator whose steps
        the window runs one per `after()` tick."""
        self.snapshot = snapshot
        return self.draw(snapshot)

    def draw(self, snapshot: Snapshot) -> Generator[None, None, None] | None:  # pragma: no cover
        raise NotImplementedError

    def record_lists(self) -> list[list]:
        """The lists of records this tab holds (the window frees them when they are replaced)."""
        return [self.snapshot.records] if self.snapshot is not None else []


def scrolled_tree(master: tk.Misc, columns: dict[str, tuple[str, int]], *, height: int = 8,
                  anchor_numbers: bool = True) -> ttk.Treeview:
    """A Treeview with a vertical scrollbar, packed in `master`; columns: id -> (heading, width)."""
    frame = ttk.Frame(master)
    tree = ttk.Treeview(frame, columns=list(columns), show="headings", height=height,
                        selectmode="browse", style=TREE_STYLE)
    for key, (heading, width) in columns.items():
        numeric = anchor_numbers and width <= 80
        tree.heading(key, text=heading, anchor=tk.E if numeric else tk.W)
        tree.column(key, width=width, minwidth=40, stretch=not numeric,
                    anchor=tk.E if numeric else tk.W)
    bar = ttk.Scrollbar(frame, orient=tk.VERTICAL, command=tree.yview)
    tree.configure(yscrollcommand=bar.set)
    bar.pack(side=tk.RIGHT, fill=tk.Y)
    tree.pack(side=tk.LEFT, fill=tk.BOTH, expand=True)
    tree.container = frame  # type: ignore[attr-defined]
    return tree


def fill_tree(tree: ttk.Treeview, rows: list[tuple[Any, ...]]) -> None:
    """Replace the rows of a small table (a few dozen rows; the records table pages instead)."""
    tree.delete(*tree.get_children())
    for row in rows:
        tree.insert("", tk.END, values=row)


def note_label(master: tk.Misc, palette: Palette, text: str = "", **kwargs: Any) -> ttk.Label:
    """A wrapped explanatory label in the muted colour."""
    return ttk.Label(master, text=text, foreground=palette.muted, wraplength=900,
                     justify=tk.LEFT, **kwargs)
