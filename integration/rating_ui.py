"""The rating UI of one integrated layout: where the stars go, and which record they rate.

Every outcome re-points the UI at its own record: a success at the new result, a failure
at the failed record (disabled stars, "Failed results are not rated"), so a click can
never rate an earlier result the user no longer sees. After each outcome, once the
window settled, the inline widget checks that it is really visible and, when the layout
gives it no room, moves over the window's bottom edge (then falls back to the dialog).
Tk thread only.
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any

from .host import attach_rating_widget, in_hidden_tab, is_shown, overlay_rating_widget, preview_path

log = logging.getLogger(__name__)

SETTLE_MS = 150  # after an outcome, let the host show its result before checking our widget


class RatingUI:
    """The `RatingPrompter` and, in inline mode, the `QualityRatingWidget` of one layout.

    Args:
        parent: where the inline widget goes.
        tracker: where ratings are saved.
        mode: "inline" or "dialog".
        name: the layout's name, for log lines.
    """

    def __init__(self, parent: tk.Misc, tracker: Any, mode: str, name: str) -> None:
        from prompt_tracking.widgets import RatingPrompter

        self.tracker = tracker
        self.name = name
        self._root = parent
        self.widget: Any | None = attach_rating_widget(parent, tracker) if mode == "inline" \
            else None
        self.prompter = RatingPrompter(parent.winfo_toplevel(), tracker, mode=mode,
                                       widget=self.widget)
        self._relocated = False
        self._removed = False
        self._settle_after: str | None = None
        # Our own Tcl command, like TkDispatcher's: not deleted with any widget, so a check
        # still queued when the host destroys its window fails quietly.
        self._settle_command: str | None = parent._register(  # type: ignore[attr-defined]
            self._check_visible, needcleanup=0)
        if self.widget is not None:
            self._schedule_check()

    def show_outcome(self, record_id: str, success: bool, result_url: Any) -> None:
        """Point the rating UI at the record of the outcome just reported."""
        if self._removed:
            return
        if success:
            self.prompter.result_ready(record_id, preview=preview_path(result_url))
        elif self.prompter.mode == "inline" and self.widget is not None:
            self.widget.set_record(record_id)  # disabled stars, "not rated" hint
        else:
            self.prompter.cancel()  # a dialog still waiting would ask about an older result
        if self.widget is not None and self.prompter.mode == "inline":
            self._schedule_check()

    def remove(self) -> None:
        """Cancel what is pending and destroy the inline widget."""
        self._removed = True
        self.prompter.cancel()
        self._cancel_check()
        try:
            if self._settle_command is not None:
                self._root.tk.deletecommand(self._settle_command)
        except tk.TclError:
            pass
        self._settle_command = None
        if self.widget is not None:
            try:
                self.widget.destroy()
            except tk.TclError:
                pass

    # -- staying visible ---------------------------------------------------------------

    def _check_visible(self) -> None:
        """Once the window settled: if the layout shows but our stars do not, move them."""
        self._settle_after = None
        widget = self.widget
        if widget is None or self._removed:
            return
        try:
            widget.update_idletasks()
            if is_shown(widget) or not widget.winfo_toplevel().winfo_viewable() \
                    or in_hidden_tab(widget):
                return  # shown, or hidden on purpose with its window or tab
            window = widget.winfo_toplevel()
            if self._relocated or widget.master is window:
                log.info("prompt-tracking: no room for the rating stars in %s; asking in a "
                         "dialog instead", self.name)
                self.prompter.mode = "dialog"
                return
            log.info("prompt-tracking: the rating stars had no room in %s; placed them over "
                     "the window's bottom edge", self.name)
            self._relocated = True
            moved = overlay_rating_widget(window, self.tracker)
            moved.set_record(widget.record_id)
            widget.destroy()
            self.widget = self.prompter.widget = moved
            self._schedule_check()
        except Exception:
            log.exception("prompt-tracking: could not check the rating widget")

    def _schedule_check(self) -> None:
        self._cancel_check()
        if self._settle_command is None:
            return
        try:
            self._settle_after = str(self._root.tk.call("after", SETTLE_MS, self._settle_command))
        except tk.TclError:
            self._settle_after = None

    def _cancel_check(self) -> None:
        if self._settle_after is not None:
            try:
                self._root.tk.call("after", "cancel", self._settle_after)
            except tk.TclError:
                pass
        self._settle_after = None
