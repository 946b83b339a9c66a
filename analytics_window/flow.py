"""`FlowRow`: a row of small groups that wraps onto more rows when it gets too narrow.

Used by the filter bar and the Overview's key figures, so at 640 px nothing falls off the
right edge. Each row is a frame of its own (grid would share column widths between rows).
"""
from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any

from prompt_tracking.widgets._tk import safe


class FlowRow(ttk.Frame):
    """Pack it with `fill=tk.X`; make its parts with `group()` and they flow to its width."""

    def __init__(self, master: tk.Misc, **kwargs: Any) -> None:
        super().__init__(master, **kwargs)
        self._groups: list[ttk.Frame] = []
        self._rows: list[ttk.Frame] = []
        self._laid_out_width = -1
        self._layout: list[int] = []
        self.bind("<Configure>", safe(lambda e: self.flow(e.width)), add="+")

    def group(self, **kwargs: Any) -> ttk.Frame:
        """A new part at the end of the row (a frame to put a label and its field in)."""
        group = ttk.Frame(self, **kwargs)
        self._groups.append(group)
        # a part that grew (a figure's text got longer) may no longer fit on its row
        group.bind("<Configure>", safe(lambda _e: self.flow(self.winfo_width(), force=True)),
                   add="+")
        self.flow(max(self._laid_out_width, 10_000), force=True)
        return group

    @property
    def rows(self) -> int:
        """How many rows the parts take now."""
        return sum(1 for row in self._rows if row.winfo_manager())

    def flow(self, width: int, *, force: bool = False) -> None:
        """Lay the parts out left to right, starting a new row where one would not fit."""
        if width <= 1 or (width == self._laid_out_width and not force):
            return
        self._laid_out_width = width
        rows: list[list[ttk.Frame]] = [[]]
        used = 0
        for group in self._groups:
            needed = group.winfo_reqwidth()
            if rows[-1] and used + needed > width:
                rows.append([])
                used = 0
            rows[-1].append(group)
            used += needed
        layout = [len(row) for row in rows]
        if layout == self._layout:
            return  # same rows as now: repacking would only cause more Configure events
        self._layout = layout
        while len(self._rows) < len(rows):
            self._rows.append(ttk.Frame(self))
        for index, row_frame in enumerate(self._rows):
            if index < len(rows):
                row_frame.pack(side=tk.TOP, fill=tk.X)
            else:
                row_frame.pack_forget()
        for index, row in enumerate(rows):
            for group in row:
                group.pack(in_=self._rows[index], side=tk.LEFT)
                group.lift()  # made before its row frame: keep it above
