"""`RatingPrompter`: the policy that decides when and how to ask for a rating.

The integration layer calls `result_ready(record_id)` after each successful generation.
In "inline" mode the inline widget is re-targeted; in "dialog" mode every Nth result
opens the rating dialog, later and only when that cannot get in the user's way: never
over another modal (a grab), never while the user is typing in the host's fields; in
"off" mode nothing happens. The caller is never blocked.
"""
from __future__ import annotations

import logging
import os
import tkinter as tk
from tkinter import ttk
from typing import Any

from ._protocols import RatingTracker
from ._tk import cancel_after
from .dialogs.rating_dialog import RatingDialog
from .rating_widget import QualityRatingWidget

log = logging.getLogger(__name__)

MODES = ("inline", "dialog", "off")
RETRY_MS = 2000  # how often a deferred dialog checks again whether the user is free
MAX_RETRIES = 30  # then the question is dropped: about a minute of waiting
_TYPING_CLASSES = {"Entry", "TEntry", "Text", "Spinbox", "TSpinbox", "TCombobox"}


class RatingPrompter:
    """Asks for ratings in the host app's chosen mode without interrupting the user.

    Args:
        parent: the host window dialogs are centred on.
        tracker: the tracker to save to; None means the default `enhanced_prompt_tracker`.
        mode: "inline" (default), "dialog" or "off".
        every_nth: in dialog mode, ask about every Nth result only (1 = every result).
        widget: the inline `QualityRatingWidget` to re-target in inline mode.
        dialog_options: further `RatingDialog` keywords (`tags`, `title`).

    Raises:
        ValueError: `mode` is not one of `MODES`, or `every_nth` is below 1.
    """

    def __init__(self, parent: tk.Misc, tracker: RatingTracker | None = None, mode: str = "inline",
                 every_nth: int = 1, *, widget: QualityRatingWidget | None = None,
                 dialog_options: dict[str, Any] | None = None) -> None:
        self.parent = parent
        self.tracker = tracker
        self.widget = widget
        self.dialog_options = dict(dialog_options or {})
        self.results_seen = 0
        self.dialog: RatingDialog | None = None
        self._pending: tuple[str, Any] | None = None
        self._retries = 0
        self._after_id: str | None = None
        self.mode = mode
        self.every_nth = every_nth

    @property
    def mode(self) -> str:
        """"inline", "dialog" or "off"."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self._mode = mode
        if mode != "dialog":
            self.cancel()

    @property
    def every_nth(self) -> int:
        """In dialog mode, the dialog opens for every Nth result."""
        return self._every_nth

    @every_nth.setter
    def every_nth(self, count: int) -> None:
        if int(count) < 1:
            raise ValueError(f"every_nth must be at least 1, got {count!r}")
        self._every_nth = int(count)

    def result_ready(self, record_id: str,
                     preview: str | os.PathLike[str] | tk.PhotoImage | None = None) -> None:
        """Tell the prompter a generation succeeded; returns at once. Tk thread only.

        Args:
            record_id: the new record's id.
            preview: the result image (path or PhotoImage) for the dialog.
        """
        try:
            if self._mode == "inline" and self.widget is not None:
                self.widget.set_record(record_id)
            elif self._mode == "dialog":
                self.results_seen += 1
                if self.results_seen % self._every_nth == 0:
                    # A newer result replaces one still waiting: ask about the latest.
                    self._pending, self._retries = (record_id, preview), 0
                    self._schedule(self.parent.after_idle)
        except Exception:  # the host's generation callback must not fail because of us
            log.exception("could not prepare the rating for record %s", record_id)

    def cancel(self) -> None:
        """Drop a pending question and its timer (an open dialog stays open)."""
        self._pending = None
        cancel_after(self.parent, self._after_id)
        self._after_id = None

    def user_is_busy(self) -> bool:
        """True when a modal grab is active or focus is in one of the host's text fields."""
        try:
            if self.parent.grab_current() is not None:
                return True
            focus = self.parent.focus_get()
        except (KeyError, tk.TclError):  # focus in a widget tkinter did not create
            return True
        if focus is None:
            return False
        return isinstance(focus, (tk.Entry, tk.Text, ttk.Entry)) or focus.winfo_class() in _TYPING_CLASSES

    # -- scheduling ------------------------------------------------------------------

    def _schedule(self, after: Any, *args: Any) -> None:
        cancel_after(self.parent, self._after_id)
        self._after_id = after(*args, self._ask_pending)

    def _ask_pending(self) -> None:
        self._after_id = None
        try:
            if self._pending is None or self._mode != "dialog":
                return
            if self.user_is_busy():
                self._retries += 1
                if self._retries > MAX_RETRIES:
                    log.info("rating question dropped: the user stayed busy")
                    self._pending = None
                else:
                    self._schedule(self.parent.after, RETRY_MS)
                return
            (record_id, preview), self._pending = self._pending, None
            self.dialog = RatingDialog(self.parent, self.tracker, record_id, preview=preview,
                                       **self.dialog_options)
            try:
                self.dialog.show()
            finally:
                self.dialog = None
        except Exception:
            log.exception("rating dialog failed")
