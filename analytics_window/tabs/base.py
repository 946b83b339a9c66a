"""What every tab shares: the context it gets from the window, and the base class.

A tab is built lazily the first time it is shown, and `render(snapshot)` is called once per
new snapshot while it is visible (one tab per `after()` tick, so the host never stalls).
"""
from __future__ import annotations

import dataclasses
import logging
import tkinter as tk
from collections.abc import Callable, Generator
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any, cast

from prompt_tracking.widgets._protocols import AnalyticsTracker

from ..draw_queue import DrawQueue
from ..loader import BackgroundRunner, Snapshot
from ..theme import TREE_STYLE, Palette, widget_classes

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TabContext:
    """The window's services a tab may use."""

    palette: Palette
    tracker: AnalyticsTracker
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
        from ..charts import ChartPanel

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


def reason_label(reason: str) -> str:
    """A failure reason as people read it ("content filter", not "content_filter")."""
    return reason.replace("_", " ")


def scrolled_tree(master: tk.Misc, columns: dict[str, tuple[str, int]], *, height: int = 8,
                  numeric: tuple[str, ...] | None = None) -> ttk.Treeview:
    """A Treeview with a vertical scrollbar, packed in `master`; columns: id -> (heading, width).

    Numeric columns (`numeric`; by default those 80 px wide or less) keep their width and
    are right-aligned, heading included, with room for the heading; text columns stretch.
    Pack `container(tree)` before the charts of a tab: the table then keeps its `height` rows
    and the charts give way on small screens.
    """
    kit = widget_classes(master)
    frame = ttk.Frame(master)
    tree = kit.Treeview(frame, columns=list(columns), show="headings", height=height,
                        selectmode="browse", style=TREE_STYLE)
    font = tkfont.nametofont("TkHeadingFont") if "TkHeadingFont" in tkfont.names(master) \
        else tkfont.nametofont("TkDefaultFont")
    for key, (heading, width) in columns.items():
        is_number = key in numeric if numeric is not None else width <= 80
        anchor = tk.E if is_number else tk.W
        if is_number:  # never narrower than its heading, or neighbouring headings run together
            width = max(width, font.measure(heading) + 24)
        tree.heading(key, text=heading, anchor=anchor)
        tree.column(key, width=width, minwidth=width if is_number else 60,
                    stretch=not is_number, anchor=anchor)
    bar = kit.Scrollbar(frame, orient=tk.VERTICAL, command=tree.yview)
    tree.configure(yscrollcommand=bar.set)
    bar.pack(side=tk.RIGHT, fill=tk.Y)
    tree.pack(side=tk.LEFT, fill=tk.BOTH, expand=True)
    return tree


def container(tree: ttk.Treeview) -> ttk.Frame:
    """The frame `scrolled_tree` put `tree` and its scrollbar in: the one to pack."""
    return cast(ttk.Frame, tree.nametowidget(tree.winfo_parent()))


def fill_tree(tree: ttk.Treeview, rows: list[tuple[Any, ...]]) -> None:
    """Replace the rows of a small table (a few dozen rows; the records table pages instead)."""
    tree.delete(*tree.get_children())
    for row in rows:
        tree.insert("", tk.END, values=row)


def note_label(master: tk.Misc, palette: Palette, text: str = "", **kwargs: Any) -> ttk.Label:
    """An explanatory label in the muted colour, wrapped at its own width (never cut off)."""
    label = ttk.Label(master, text=text, foreground=palette.muted, wraplength=900,
                      justify=tk.LEFT, **kwargs)

    def rewrap(event: tk.Event) -> None:
        try:
            if event.width > 40 and abs(int(str(label.cget("wraplength")) or 0) - event.width) > 2:
                label.configure(wraplength=event.width - 4)
        except (tk.TclError, ValueError):
            log.debug("rewrapping a note failed", exc_info=True)
    label.bind("<Configure>", rewrap, add="+")
    return label
