"""`RatingDialog` and `ask_rating`: a small modal dialog to rate one result.

Building the dialog never blocks and shows nothing; `show()` centres it on its parent,
makes it modal (transient + grab), takes the keyboard focus and returns `.result`: `(rating, feedback, tags)`, or
None when the user skipped. Enter submits, Escape or the close button skips.
"""
from __future__ import annotations

import logging
import math
import os
import tkinter as tk
from collections.abc import Sequence
from pathlib import Path
from tkinter import ttk
from typing import TYPE_CHECKING, Any

from prompt_tracking.records import local_result_path

if TYPE_CHECKING:
    from PIL import ImageTk

from .._protocols import RatingTracker
from ..rating_widget import DEFAULT_TAGS, TagToggles, resolve_tracker
from ..star_bar import StarBar
from ..theme import palette_for

log = logging.getLogger(__name__)

PREVIEW_MAX_POINTS = 180  # longest side of the preview, in points
DIALOG_STAR_SIZE = 20  # points

RatingResult = tuple[int, "str | None", list[str]]


def load_preview(master: tk.Misc, preview: str | os.PathLike[str] | tk.PhotoImage | None,
                 max_px: int) -> tk.PhotoImage | ImageTk.PhotoImage | None:
    """A PhotoImage no larger than `max_px` on its longest side, or None.

    Paths (PNG/JPEG, anything Pillow opens) are thumbnailed with Pillow; a PhotoImage is
    subsampled when too large. Unreadable files are logged and give None.
    """
    if preview is None:
        return None
    if isinstance(preview, tk.PhotoImage):
        factor = math.ceil(max(preview.width(), preview.height()) / max_px)
        return preview.subsample(factor) if factor > 1 else preview
    try:
        from PIL import Image, ImageTk

        with Image.open(preview) as image:
            image.thumbnail((max_px, max_px))
            return ImageTk.PhotoImage(image, master=master)
    except (OSError, ValueError, ImportError):
        log.warning("could not load preview %r", preview, exc_info=True)
        return None


def local_image(result_url: str | None) -> Path | None:
    """The local image file a record's `result_url` names (a path or file:// URL), else None."""
    path = local_result_path(result_url)
    return path if path is not None and path.is_file() else None


class RatingDialog(tk.Toplevel):
    """A modal dialog with stars, a comment box, quick tags and an optional preview.

    Args:
        parent: the window the dialog belongs to; it is centred on it.
        tracker: the tracker to save to; None means the default `enhanced_prompt_tracker`.
        record_id: the record being rated; None only returns the answer, saving nothing.
        preview: the result to show: an image path or a `PhotoImage`; by default the
            record's own `result_url` when it is a local image file. The record's prompt is
            shown under it.
        tags: the quick tags offered.
        title: the window title.
    """

    def __init__(self, parent: tk.Misc, tracker: RatingTracker | None = None, record_id: str | None = None,
                 *, preview: str | os.PathLike[str] | tk.PhotoImage | None = None,
                 tags: Sequence[str] = DEFAULT_TAGS, title: str = "Rate this result") -> None:
        super().__init__(parent)
        self.withdraw()  # nothing appears until show()
        self.result: RatingResult | None = None
        self._parent = parent
        self._tracker = tracker
        self._record_id = record_id
        self._closed = False
        self._palette = palette_for(parent)
        self._record = self._load_record()
        if preview is None and self._record is not None:
            preview = local_image(getattr(self._record, "result_url", None))
        self.title(title)
        self.configure(background=self._palette.background)
        self.resizable(False, False)
        self.protocol("WM_DELETE_WINDOW", self.skip)
        self._preview_image = load_preview(
            self, preview, round(PREVIEW_MAX_POINTS * float(self.tk.call("tk", "scaling"))))
        body = ttk.Frame(self, padding=12)
        body.pack(fill="both", expand=True)
        self.create_body(body, tags)
        self.create_buttonbox(body)
        self.bind("<Escape>", self.skip, add="+")
        self.bind("<Return>", self._on_return, add="+")
        self.bind("<KP_Enter>", self._on_return, add="+")
        self._prefill()

    # -- layout ----------------------------------------------------------------------

    def create_body(self, master: ttk.Frame, tags: Sequence[str]) -> None:
        """Preview, stars, comment box and tags."""
        if self._preview_image is not None:
            self.preview = ttk.Label(master, image=self._preview_image)
            self.preview.grid(row=0, column=0, pady=(0, 6))
        p = self._palette
        # The prompt it asks about, read-only, wrapped, scrollable by wheel when long.
        self.prompt_text = tk.Text(
            master, width=40, height=3, wrap="word", font="TkTextFont", relief="flat",
            borderwidth=0, padx=2, pady=2, highlightthickness=0, takefocus=0,
            background=p.background, foreground=p.muted_foreground)
        prompt = str(getattr(self._record, "prompt", "") or "")
        if prompt:
            self.prompt_text.insert("1.0", prompt)
            lines = min(4, max(1, len(prompt) // 40 + 1))
            self.prompt_text.configure(height=lines)
            self.prompt_text.grid(row=1, column=0, sticky="we", pady=(0, 8))
        self.prompt_text.configure(state="disabled")
        ttk.Label(master, text="How good is this result?").grid(row=2, column=0, sticky="w")
        self.stars = StarBar(master, size=DIALOG_STAR_SIZE)
        self.stars.grid(row=3, column=0, sticky="w", pady=(4, 10))
        self.stars.bind("<<RatingChanged>>", self._update_submit, add="+")
        ttk.Label(master, text="Comment (optional)").grid(row=4, column=0, sticky="w")
        # tk.Text has no ttk twin: give it the entry fields' colours and font (TkTextFont,
        # not the monospace Text default) and a one-pixel edge like a ttk entry.
        self.comment = tk.Text(
            master, width=40, height=3, wrap="word", undo=True, font="TkTextFont",
            relief="flat", borderwidth=0, padx=4, pady=3, highlightthickness=1,
            background=p.field_background, foreground=p.field_foreground,
            insertbackground=p.field_foreground,
            highlightbackground=p.star_empty_edge, highlightcolor=p.focus)
        self.comment.grid(row=5, column=0, sticky="we", pady=(2, 8))
        self.comment.bind("<Return>", self._on_return, add="+")
        self.comment.bind("<Shift-Return>", self._newline, add="+")
        self.comment.bind("<Tab>", self._focus_next, add="+")
        self.tag_toggles = TagToggles(master, tags)
        self.tag_toggles.grid(row=6, column=0, sticky="w")

    def create_buttonbox(self, master: ttk.Frame) -> None:
        """Skip and Save buttons, right-aligned."""
        box = ttk.Frame(master)
        box.grid(row=7, column=0, sticky="e", pady=(12, 0))
        self.skip_button = ttk.Button(box, text="Skip", command=self.skip)
        self.skip_button.pack(side="right")
        self.submit_button = ttk.Button(box, text="Save rating", command=self.submit)
        self.submit_button.pack(side="right", padx=(0, 6))
        self._update_submit()

    # -- public API ------------------------------------------------------------------

    def show(self) -> RatingResult | None:
        """Show the dialog modally; return `.result` once it closes (None if skipped)."""
        if self._closed:
            return self.result
        owner = self._parent.winfo_toplevel()
        if owner.winfo_viewable():
            # Transient over a withdrawn window would never be mapped.
            self.transient(owner)
        self._centre_on(owner)
        previous_focus = self._focused_widget()
        self.deiconify()
        self.wait_visibility()
        try:
            self.grab_set()
        except tk.TclError:  # another application holds a global grab
            log.warning("rating dialog could not grab input; it is not modal")
        # focus_force, not focus_set: a new toplevel is not the active window yet, and
        # focus_set alone leaves the keys with the host until the user clicks the dialog.
        self.focus_force()
        self.stars.focus_force()
        self.wait_window(self)
        if previous_focus is not None:
            try:
                previous_focus.focus_set()
            except tk.TclError:
                pass  # that widget is gone
        return self.result

    def submit(self) -> None:
        """Save the rating (when a record is set) and close with the answer."""
        rating = self.stars.value
        if self._closed or rating == 0:
            return
        feedback = self.comment.get("1.0", "end-1c").strip() or None
        tags = self.tag_toggles.selected()
        self.result = (rating, feedback, tags)
        if self._record_id is not None:
            try:
                resolve_tracker(self._tracker).rate_prompt(
                    self._record_id, rating, feedback=feedback, tags=tags)
            except Exception:  # the host must never see our storage errors
                log.exception("could not save the rating for record %s", self._record_id)
        self.close()

    def skip(self, _event: tk.Event | None = None) -> None:
        """Close without rating: `.result` stays None."""
        self.close()

    def close(self) -> None:
        """Release the grab and destroy the dialog; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        try:
            self.grab_release()
        except tk.TclError:
            pass
        self.destroy()

    def destroy(self) -> None:
        self._closed = True
        super().destroy()

    # -- helpers ---------------------------------------------------------------------

    def _load_record(self) -> Any:
        if self._record_id is None:
            return None
        try:
            return resolve_tracker(self._tracker).get_record(self._record_id)
        except Exception:
            log.exception("could not load record %s", self._record_id)
            return None

    def _prefill(self) -> None:
        """Show the record's saved rating, comment and tags when it has one."""
        record = self._record
        if record is None:
            return
        self.stars.value = int(record.quality_rating or 0)
        if record.feedback:
            self.comment.insert("1.0", record.feedback)
        self.tag_toggles.select(record.tags or ())
        self._update_submit()

    def _update_submit(self, _event: tk.Event | None = None) -> None:
        self.submit_button.state(["!disabled"] if self.stars.value else ["disabled"])

    def _on_return(self, _event: tk.Event | None = None) -> str:
        if self.stars.value:
            self.submit()
        else:
            self.skip()
        return "break"

    def _newline(self, _event: tk.Event) -> str:
        self.comment.insert("insert", "\n")
        return "break"

    def _focus_next(self, _event: tk.Event) -> str:
        following = self.comment.tk_focusNext()
        if following is not None:
            following.focus_set()
        return "break"

    def _focused_widget(self) -> tk.Misc | None:
        try:
            return self._parent.focus_get()
        except (KeyError, tk.TclError):  # focus in a widget tkinter did not create
            return None

    def _centre_on(self, owner: tk.Misc) -> None:
        self.update_idletasks()
        width, height = self.winfo_reqwidth(), self.winfo_reqheight()
        if owner.winfo_viewable():
            x = owner.winfo_rootx() + (owner.winfo_width() - width) // 2
            y = owner.winfo_rooty() + (owner.winfo_height() - height) // 2
        else:
            x = (self.winfo_screenwidth() - width) // 2
            y = (self.winfo_screenheight() - height) // 2
        x = max(0, min(x, self.winfo_screenwidth() - width))
        y = max(0, min(y, self.winfo_screenheight() - height))
        self.geometry(f"+{x}+{y}")


def ask_rating(parent: tk.Misc, tracker: RatingTracker | None = None, record_id: str | None = None,
               **kw: Any) -> RatingResult | None:
    """Show a `RatingDialog` and return `(rating, feedback, tags)`, or None if skipped.

    Args:
        parent: the window to centre on.
        tracker: the tracker to save to; None means the default `enhanced_prompt_tracker`.
        record_id: the record being rated.
        **kw: further `RatingDialog` keywords (`preview`, `tags`, `title`).
    """
    return RatingDialog(parent, tracker, record_id, **kw).show()
