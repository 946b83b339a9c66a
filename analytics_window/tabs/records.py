"""Records tab: a result browser, a paged list with thumbnails next to a detail pane.

Filters by prompt text, rating, tag and comment (the window's bar adds model, dates and
outcome); sorting by any column keeps the selected record selected and in view. Actions on
the selected record: rate (never a failed result: the rating widget's rule,
`rating_allowed`), re-categorize the failure reason, mark as kept, open the result. Rows
are inserted in chunks of `CHUNK` per `after()` tick, and thumbnails are asked for only for
the rows in view, made off the Tk thread and cached on disk (`..thumbnails`).
"""
from __future__ import annotations

import functools
import logging
import tkinter as tk
import webbrowser
from pathlib import Path
from tkinter import ttk
from typing import Any

from prompt_tracking.widgets._tk import safe
from prompt_tracking.widgets.rating_widget import HINT_FAILED, rating_allowed

from prompt_tracking import FailureReason, PromptRecord

from ..loader import Snapshot
from ..thumbnails import ThumbnailCache, ThumbnailLoader, default_directory
from .base import AnalyticsTab, TabContext, container, reason_label, scrolled_tree
from .record_detail import RecordDetail
from .record_view import ANY_TAG, COLUMNS, RATING_FILTERS, RecordView, row_values

log = logging.getLogger(__name__)
CHUNK = 100
SEARCH_DELAY_MS = 300
THUMB_PX = 40
THUMBS_DELAY_MS = 30  # after the last scroll step, before asking for the rows in view
RECORDS_STYLE = "Records.PromptAnalytics.Treeview"  # inherits the window's Treeview style


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
        self.comment_search = tk.StringVar(self)
        self.rating_filter = tk.StringVar(self, "Any rating")
        self.tag_filter = tk.StringVar(self, ANY_TAG)
        self._pending: list[PromptRecord] = []
        self._reselect: str | None = None
        self.images = ThumbnailLoader(self, ThumbnailCache(default_directory(context.tracker)))
        self._build_bars()
        ttk.Label(self, textvariable=self.message).pack(side=tk.BOTTOM, anchor=tk.W, pady=(4, 0))
        panes = ttk.Panedwindow(self, orient=tk.HORIZONTAL)
        panes.pack(side=tk.TOP, fill=tk.BOTH, expand=True)
        left = ttk.Frame(panes)
        self.tree = scrolled_tree(left, COLUMNS, height=12, numeric=())
        container(self.tree).pack(side=tk.TOP, fill=tk.BOTH, expand=True)
        self._thumbnail_column()
        self.detail = RecordDetail(panes, self.palette, self.images)
        panes.add(left, weight=3)
        panes.add(self.detail, weight=1)
        for column in COLUMNS:
            self.tree.heading(column, command=safe(self._sorter(column)))
        self.tree.bind("<Double-1>", safe(lambda _e: self.open_result()), add="+")
        self.tree.bind("<<TreeviewSelect>>", safe(lambda _e: self._on_select()), add="+")

    def _thumbnail_column(self) -> None:
        """The tree column (#0) shows each row's thumbnail; rows are tall enough for it."""
        ttk.Style(self).configure(RECORDS_STYLE, rowheight=THUMB_PX + 6)
        self.tree.configure(show=("tree", "headings"), style=RECORDS_STYLE)
        self.tree.column("#0", width=THUMB_PX + 20, minwidth=THUMB_PX + 20, stretch=False)
        # Room for the detail pane: the prompt column starts narrower (it still stretches).
        for column, width in (("model", 120), ("reason", 110), ("prompt", 240)):
            self.tree.column(column, width=width)
        bar = next(w for w in container(self.tree).winfo_children() if isinstance(w, ttk.Scrollbar))

        def scrolled(first: str, last: str) -> None:
            bar.set(first, last)
            self.context.schedule("records-thumbs", THUMBS_DELAY_MS, self.load_visible_thumbnails)
        self.tree.configure(yscrollcommand=safe(scrolled))

    def _build_bars(self) -> None:
        top = ttk.Frame(self)
        top.pack(side=tk.TOP, fill=tk.X, pady=(0, 4))
        for label, var, width in (("Search prompts", self.search, 24),
                                  ("Comment has", self.comment_search, 14)):
            ttk.Label(top, text=label).pack(side=tk.LEFT, padx=(0, 4))
            entry = ttk.Entry(top, textvariable=var, width=width)
            entry.pack(side=tk.LEFT, padx=(0, 8))
            entry.bind("<KeyRelease>", lambda _e: self.context.schedule(
                "records-search", SEARCH_DELAY_MS, self.apply_search), add="+")
        ttk.Label(top, text="Rating").pack(side=tk.LEFT, padx=(0, 4))
        self.rating_box = ttk.Combobox(top, textvariable=self.rating_filter, state="readonly",
                                       width=11, values=list(RATING_FILTERS))
        self.rating_box.pack(side=tk.LEFT, padx=(0, 8))
        ttk.Label(top, text="Tag").pack(side=tk.LEFT, padx=(0, 4))
        self.tag_box = ttk.Combobox(top, textvariable=self.tag_filter, state="readonly",
                                    width=16, values=[ANY_TAG])
        self.tag_box.pack(side=tk.LEFT)
        for box in (self.rating_box, self.tag_box):
            box.bind("<<ComboboxSelected>>", safe(lambda _e: self.apply_search()), add="+")
        top = ttk.Frame(self)
        top.pack(side=tk.TOP, fill=tk.X, pady=(0, 4))
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
        self._reasons = {reason_label(r.value): r.value for r in FailureReason}
        box = ttk.Combobox(actions, textvariable=self.reason, state="readonly", width=18,
                           values=list(self._reasons))
        box.pack(side=tk.LEFT)
        box.bind("<<ComboboxSelected>>", safe(
            lambda _e: self.recategorize(self._reasons.get(self.reason.get(), self.reason.get()))),
            add="+")
        ttk.Button(actions, text="Mark kept", command=safe(self.mark_saved)).pack(side=tk.LEFT, padx=(12, 2))
        ttk.Button(actions, text="Open result", command=safe(self.open_result)).pack(side=tk.LEFT, padx=2)

    # -- data and paging -------------------------------------------------------------------
    def draw(self, snapshot: Snapshot) -> None:
        self.view.set_records(snapshot.records)
        self.tag_box.configure(values=[ANY_TAG, *self.view.tags()[:200]])
        selected = self.tree.selection()
        self.show_page(keep=selected[0] if selected else None)

    def show_page(self, keep: str | None = None) -> None:
        """Replace the rows with the current page, inserted a chunk per tick.

        Args:
            keep: a record to select (and scroll to) once its row is in, when on this page.
        """
        self.images.forget_waiting()
        self.tree.delete(*self.tree.get_children())
        self._reselect = keep
        self._pending = self.view.page_records()
        self.page_label.configure(text=f"{self.view.describe()} · page {self.view.page + 1:,} "
                                       f"of {self.view.pages:,}")
        self._insert_chunk()

    def _insert_chunk(self) -> None:
        chunk, self._pending = self._pending[:CHUNK], self._pending[CHUNK:]
        for record in chunk:
            self.tree.insert("", tk.END, iid=record.id, values=row_values(record))
        if self._reselect is not None and self.tree.exists(self._reselect):
            self.tree.selection_set(self._reselect)
            self.tree.see(self._reselect)
            self._reselect = None
        if self._pending:
            self.context.schedule("records-fill", 1, self._insert_chunk)
        else:
            if self._reselect is not None or not self.tree.selection():
                self._reselect = None
                self.detail.show(None)
            self.context.schedule("records-thumbs", 1, self.load_visible_thumbnails)

    def visible_rows(self) -> list[str]:
        """The ids of the rows now in view (from the scroll position; no per-row Tk call)."""
        children = self.tree.get_children()
        if not children:
            return []
        top, bottom = (float(f) for f in self.tree.yview())
        first, last = int(top * len(children)), -(-int(bottom * len(children) * 1000) // 1000)
        return list(children[max(0, first - 1):min(len(children), last + 1)])

    def load_visible_thumbnails(self) -> None:
        """Ask for the thumbnails of the rows in view that have none yet."""
        records = {r.id: r for r in self.view.page_records()}
        for iid in self.visible_rows():
            record = records.get(iid)
            if record is None or self.tree.item(iid, "image"):
                continue
            self.images.request(record.result_url, THUMB_PX,
                                functools.partial(self._set_thumbnail, iid))

    def _set_thumbnail(self, iid: str, photo: Any, _reason: str | None = None) -> None:
        if photo is not None and self.tree.exists(iid):
            self.tree.item(iid, image=photo)

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
        self.view.set_filters(rating=self.rating_filter.get(), tag=self.tag_filter.get(),
                              comment=self.comment_search.get())
        self.show_page(keep=self._kept_selection())

    def _kept_selection(self) -> str | None:
        """The selected record, with the view turned to its page; None when it is filtered out."""
        selection = self.tree.selection()
        if not selection:
            return None
        position = self.view.position(selection[0])
        if position is None:
            return None
        self.view.show_position(position)
        return selection[0]

    def _sorter(self, column: str):
        def sort() -> None:
            self.view.sort_by(column)
            for key, (heading, _width) in COLUMNS.items():
                arrow = (" ▼" if self.view.descending else " ▲") if key == column else ""
                self.tree.heading(key, text=heading + arrow)
            self.show_page(keep=self._kept_selection())
        return sort

    def close(self) -> None:
        """The window is closing: stop the thumbnail worker and drop its images."""
        self.images.close()

    def destroy(self) -> None:
        self.images.close()
        super().destroy()

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
        if self.detail.record_id == record.id:
            self.detail.show(record)

    def _on_select(self) -> None:
        selection = self.tree.selection()
        self.detail.show(self._record(selection[0]) if selection else None)
        self._show_rating_rule()

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
            self.message.set(f"Failure reason set to {reason_label(reason)}.")
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
            if self.open_url(result_address(record.result_url)) is False:
                self.message.set(f"No application could open {record.result_url}")
                return
            self.message.set(f"Opened {record.result_url}")
        self._act("open the result", action)


TAB = RecordsTab
