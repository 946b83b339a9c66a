"""Records tab: a sortable, searchable, paged table of the records, with actions on a row.

Rate (never a failed result: the rating widget's rule, `rating_allowed`), re-categorize the
failure reason, mark as kept, or open the result. Rows are inserted
in chunks of `CHUNK` per `after()` tick so even a full page never stalls the host.
"""
from __future__ import annotations

import logging
import tkinter as tk
import webbrowser
from pathlib import Path
from tkinter import ttk

from prompt_tracking.widgets._tk import safe
from prompt_tracking.widgets.rating_widget import HINT_FAILED, rating_allowed

from prompt_tracking import FailureReason, PromptRecord

from ..loader import Snapshot
from .base import AnalyticsTab, TabContext, container, scrolled_tree
from .record_view import COLUMNS, RecordView, row_values

log = logging.getLogger(__name__)
CHUNK = 100
SEARCH_DELAY_MS = 300


def result_address(url: str) -> str:
    """A URL for the browser: http(s)/file URLs as they are, local paths as file:// URIs."""
    if "://" in url:
        return url
    return Path(url).expanduser().resolve().as_uri()


class RecordsTab(AnalyticsTab):
    """The records of the current filters, one page at a time."""

    title = "Records"

    def __init__(self, master: tk.Misc, context: TabContext) -> None:
        super().__init__(master, context)
        self.view = RecordView([])
        self.open_url = webbrowser.open  # replaceable (tests, hosts with their own viewer)
        self.search = tk.StringVar(self)
        self.message = tk.StringVar(self)
        self._pending: list[PromptRecord] = []
        self._build_bars()
        self.tree = scrolled_tree(self, COLUMNS, height=18, numeric=())
        container(self.tree).pack(side=tk.TOP, fill=tk.BOTH, expand=True)
        for column in COLUMNS:
            self.tree.heading(column, command=safe(self._sorter(column)))
        self.tree.bind("<Double-1>", safe(lambda _e: self.open_result()), add="+")
        self.tree.bind("<<TreeviewSelect>>", safe(lambda _e: self._show_rating_rule()), add="+")
        ttk.Label(self, textvariable=self.message).pack(side=tk.TOP, anchor=tk.W, pady=(4, 0))

    def _build_bars(self) -> None:
        top = ttk.Frame(self)
        top.pack(side=tk.TOP, fill=tk.X, pady=(0, 4))
        ttk.Label(top, text="Search prompts").pack(side=tk.LEFT)
        entry = ttk.Entry(top, textvariable=self.search, width=32)
        entry.pack(side=tk.LEFT, padx=6)
        entry.bind("<KeyRelease>", lambda _e: self.context.schedule(
            "records-search", SEARCH_DELAY_MS, self.apply_search), add="+")
        self.next_button = ttk.Button(top, text="Next ▶", command=safe(lambda: self.turn(1)))
        self.next_button.pack(side=tk.RIGHT)
        self.page_label = ttk.Label(top, text="")
        self.page_label.pack(side=tk.RIGHT, padx=8)
        ttk.Button(top, text="◀ Previous", command=safe(lambda: self.turn(-1))).pack(side=tk.RIGHT)
        actions = ttk.Frame(self)
        actions.pack(side=tk.TOP, fill=tk.X, pady=(0, 4))
        ttk.Label(actions, text="Rate").pack(side=tk.LEFT)
        self.rate_buttons: list[ttk.Button] = []
        for stars in range(1, 6):
            self.rate_buttons.append(ttk.Button(actions, text=f"{stars}★", width=4,
                                                command=safe(lambda s=stars: self.rate(s))))
        self.rate_buttons.append(ttk.Button(actions, text="Clear",
                                            command=safe(lambda: self.rate(None))))
        for button in self.rate_buttons:
            button.pack(side=tk.LEFT, padx=1)
        ttk.Label(actions, text="Reason").pack(side=tk.LEFT, padx=(12, 4))
        self.reason = tk.StringVar(self)
        box = ttk.Combobox(actions, textvariable=self.reason, state="readonly", width=18,
                           values=[r.value for r in FailureReason])
        box.pack(side=tk.LEFT)
        box.bind("<<ComboboxSelected>>", safe(lambda _e: self.recategorize(self.reason.get())),
                 add="+")
        ttk.Button(actions, text="Mark kept", command=safe(self.mark_saved)).pack(side=tk.LEFT, padx=(12, 2))
        ttk.Button(actions, text="Open result", command=safe(self.open_result)).pack(side=tk.LEFT, padx=2)

    # -- data and paging -------------------------------------------------------------------
    def draw(self, snapshot: Snapshot) -> None:
        self.view.set_records(snapshot.records)
        self.show_page()

    def show_page(self) -> None:
        """Replace the rows with the current page, inserted a chunk per tick."""
        self.tree.delete(*self.tree.get_children())
        self._pending = self.view.page_records()
        self.page_label.configure(text=f"{self.view.describe()} · page {self.view.page + 1:,} "
                                       f"of {self.view.pages:,}")
        self._insert_chunk()

    def _insert_chunk(self) -> None:
        chunk, self._pending = self._pending[:CHUNK], self._pending[CHUNK:]
        for record in chunk:
            self.tree.insert("", tk.END, iid=record.id, values=row_values(record))
        if self._pending:
            self.context.schedule("records-fill", 1, self._insert_chunk)

    def record_lists(self) -> list[list]:
        return super().record_lists() + [self.view.records, self._pending]

    @property
    def filling(self) -> bool:
        return bool(self._pending)

    def turn(self, step: int) -> None:
        if self.view.move(step):
            self.show_page()

    def apply_search(self) -> None:
        self.view.set_text(self.search.get())
        self.show_page()

    def _sorter(self, column: str):
        def sort() -> None:
            self.view.sort_by(column)
            for key, (heading, _width) in COLUMNS.items():
                arrow = (" ▼" if self.view.descending else " ▲") if key == column else ""
                self.tree.heading(key, text=heading + arrow)
            self.show_page()
        return sort

    # -- actions on the selected record ----------------------------------------------------
    def selected(self) -> PromptRecord | None:
        selection = self.tree.selection()
        if not selection:
            self.message.set("Select a record first.")
            return None
        return self._record(selection[0])

    def _record(self, record_id: str) -> PromptRecord | None:
        return next((r for r in self.view.page_records() if r.id == record_id), None)

    def _act(self, what: str, action) -> None:
        """Run `action(record)` on the selected record; show errors instead of raising."""
        record = self.selected()
        if record is None:
            return
        try:
            action(record)
        except (ValueError, KeyError) as exc:
            self.message.set(f"Could not {what}: {exc}")
            return
        except Exception as exc:
            log.exception("analytics: %s failed", what)
            self.message.set(f"Could not {what}: {exc}")
            return
        if self.tree.exists(record.id):
            self.tree.item(record.id, values=row_values(record))

    def _show_rating_rule(self) -> None:
        """Rating buttons follow the rating widget's rule for the selected record."""
        selection = self.tree.selection()
        record = self._record(selection[0]) if selection else None
        allowed = record is None or rating_allowed(record)
        for button in self.rate_buttons:
            button.state(["!disabled"] if allowed else ["disabled"])
        if not allowed:
            self.message.set(HINT_FAILED)
        elif self.message.get() == HINT_FAILED:
            self.message.set("")

    def rate(self, stars: int | None) -> None:
        def action(record: PromptRecord) -> None:
            if not rating_allowed(record):
                self.message.set(HINT_FAILED)
                return
            tracker = self.context.tracker
            tracker.clear_rating(record.id) if stars is None else tracker.rate_prompt(record.id, stars)
            record.quality_rating = stars
            self.message.set("Rating cleared." if stars is None else f"Rated {stars}★.")
        self._act("rate", action)

    def recategorize(self, reason: str) -> None:
        def action(record: PromptRecord) -> None:
            self.context.tracker.set_failure_reason(record.id, reason)
            record.failure_reason = reason
            self.message.set(f"Failure reason set to {reason.replace('_', ' ')}.")
        self._act("change the failure reason", action)

    def mark_saved(self) -> None:
        def action(record: PromptRecord) -> None:
            self.context.tracker.mark_saved(record.id)
            record.save_method = "user_save"
            self.message.set("Marked as kept.")
        self._act("mark the record kept", action)

    def open_result(self) -> None:
        def action(record: PromptRecord) -> None:
            if not record.result_url:
                raise ValueError("this record has no result file or URL")
            self.open_url(result_address(record.result_url))
            self.message.set(f"Opened {record.result_url}")
        self._act("open the result", action)


TAB = RecordsTab
