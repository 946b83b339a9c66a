"""`QualityRatingWidget`: the inline rating panel shown next to a generated result.

Stars first; after the first rating, a one-line comment and quick tags, whose space is
kept free from the start so nothing moves under the pointer when they appear. A "Keep" button
marks the result as saved by the user. Every change goes to the tracker at once, and a
tracker error becomes a status line and a log entry, never an exception in the host.
Also home to the pieces the dialog shares: `TagToggles` and `resolve_tracker`.
"""
from __future__ import annotations

import functools
import logging
import tkinter as tk
from collections.abc import Callable, Iterable, Sequence
from tkinter import ttk
from typing import Any

from ._protocols import RatingTracker
from ._tk import bootstrap_module, cancel_after
from .star_bar import StarBar
from .theme import palette_for

log = logging.getLogger(__name__)

DEFAULT_TAGS = ("great composition", "artifacts", "wrong subject", "off style")
COMMENT_SAVE_DELAY_MS = 800  # save a comment this long after the last keystroke
STATUS_CLEAR_MS = 3000
_FAILED = object()  # what _tracker_call returns when the tracker raised
HINT_NO_RECORD = "Rate after a result appears"
HINT_FAILED = "Failed results are not rated"


def rating_allowed(record: Any) -> bool:
    """The one rule of every rating UI: a failed result is not rated (nor its rating cleared).

    Args:
        record: a `PromptRecord` (or anything with `success`); None means no record yet.
    """
    return record is not None and getattr(record, "success", None) is not False


def resolve_tracker(tracker: RatingTracker | None) -> RatingTracker:
    """`tracker`, or the default `enhanced_prompt_tracker` when it is None.

    The core is imported here, on first use, so `import widgets` stays light.
    """
    if tracker is not None:
        return tracker
    from prompt_tracking import enhanced_prompt_tracker
    return enhanced_prompt_tracker


class TagToggles(ttk.Frame):
    """A row of toggle buttons, one per quick tag.

    Args:
        parent: the containing widget.
        tags: the tag labels, in display order.
        command: called with no arguments after the user toggles a tag.
    """

    def __init__(self, parent: tk.Misc, tags: Sequence[str], *,
                 command: Callable[[], None] | None = None, **kw: Any) -> None:
        super().__init__(parent, **kw)
        # Plain Tcl variables, not tk.BooleanVar: a Python Variable's __del__ calls Tcl
        # and can run on any thread the garbage collector happens to run on.
        self._variables: dict[str, str] = {}
        self.buttons: dict[str, ttk.Checkbutton] = {}
        self.rings: dict[str, tk.Frame] = {}
        make_button = _toggle_button_factory(self)
        palette = palette_for(parent)
        for column, tag in enumerate(tags):
            variable = f"{self}.tag{column}"
            self.setvar(variable, "0")
            # A one-pixel ring around each toggle, lit while it has the keyboard focus:
            # several themes (ttkbootstrap's toolbuttons among them) draw no focus of their own.
            ring = tk.Frame(self, highlightthickness=1, borderwidth=0,
                            background=palette.background,
                            highlightbackground=palette.background,
                            highlightcolor=palette.background)
            ring.grid(row=0, column=column, padx=(0, 3), sticky="w")
            button = make_button(ring, text=tag, variable=variable, command=command, takefocus=1)
            button.pack()
            button.bind("<FocusIn>", functools.partial(self._ring, ring, True), add="+")
            button.bind("<FocusOut>", functools.partial(self._ring, ring, False), add="+")
            self._variables[tag] = variable
            self.buttons[tag] = button
            self.rings[tag] = ring
        self._focus_colour, self._ring_off = palette.focus, palette.background

    def _ring(self, ring: tk.Frame, focused: bool, _event: tk.Event | None = None) -> None:
        colour = self._focus_colour if focused else self._ring_off
        try:
            ring.configure(highlightbackground=colour, highlightcolor=colour)
        except tk.TclError:
            pass  # torn down while the focus moved

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags offered, in display order."""
        return tuple(self._variables)

    def selected(self) -> list[str]:
        """The tags switched on, in display order."""
        return [tag for tag, name in self._variables.items() if self.getboolean(self.getvar(name))]

    def select(self, tags: Iterable[str]) -> None:
        """Switch on exactly `tags` (ones not offered are ignored)."""
        chosen = set(tags)
        for tag, name in self._variables.items():
            self.setvar(name, "1" if tag in chosen else "0")

    def destroy(self) -> None:
        for name in self._variables.values():
            self.tk.call("unset", "-nocomplain", name)
        super().destroy()

    def set_state(self, state: str) -> None:
        for button in self.buttons.values():
            button.state(["!disabled"] if state == "normal" else ["disabled"])


def _toggle_button_factory(widget: tk.Misc) -> Callable[..., ttk.Checkbutton]:
    """How to make a tag toggle that shows its state clearly in the host's theme.

    In a ttkbootstrap app: its outline toolbutton, a real toggle button in every one of
    its themes. Elsewhere: a plain ttk.Checkbutton, because the stock "Toolbutton"
    style shows the selected state faintly or not at all in several themes.
    """
    bootstrap = bootstrap_module(widget)
    if bootstrap is None:
        return ttk.Checkbutton

    # On a dark theme the primary outline (dark blue on near-black) reads as disabled; the
    # light outline keeps an enabled toggle clearly enabled there.
    style = "light-outline-toolbutton" if palette_for(widget).is_dark else "primary-outline-toolbutton"

    def bootstrap_toggle(parent: tk.Misc, **kw: Any) -> ttk.Checkbutton:
        try:
            return bootstrap.Checkbutton(parent, bootstyle=style, **kw)
        except Exception:  # an older or newer ttkbootstrap without that bootstyle
            log.warning("ttkbootstrap toggle unavailable; using a plain checkbutton", exc_info=True)
            return ttk.Checkbutton(parent, **kw)
    return bootstrap_toggle


class QualityRatingWidget(ttk.Frame):
    """Inline 1-5 star rating with an optional comment, quick tags and a Keep button.

    Reuse one widget across generations: call `set_record` with each new result's id.
    After a rating is saved the widget emits `<<PromptRated>>` and calls `on_rated`.

    Args:
        parent: the containing widget.
        tracker: the tracker to save to; None means the default `enhanced_prompt_tracker`.
        record_id: the record being rated; None leaves the widget disabled until
            `set_record` is called.
        show_feedback: offer the comment box and tags after the first rating.
        tags: the quick tags offered as toggle buttons.
        on_rated: called as `on_rated(record_id, rating)` after a rating (0 when
            cleared) was saved; its errors are logged, not raised.
        **kw: further `ttk.Frame` options.
    """

    def __init__(self, parent: tk.Misc, tracker: RatingTracker | None = None, record_id: str | None = None,
                 *, show_feedback: bool = True, tags: Sequence[str] = DEFAULT_TAGS,
                 on_rated: Callable[[str, int], Any] | None = None, **kw: Any) -> None:
        super().__init__(parent, **kw)
        self._tracker = tracker
        self._record_id: str | None = None
        self._show_feedback = show_feedback
        self._on_rated = on_rated
        self._extra_tags: list[str] = []  # tags on the record that we offer no button for
        self._saved_comment = ""
        self._comment_after: str | None = None
        self._status_after: str | None = None
        self._measure_after: str | None = None
        self._hint = ""  # shown, dimmed, whenever there is no other status
        self._muted = palette_for(self).muted_foreground
        self._build(tags)
        self.set_record(record_id)
        self.bind("<<ThemeChanged>>", self._on_theme_changed, add="+")
        self._schedule_measure()

    # -- layout ----------------------------------------------------------------------

    def _build(self, tags: Sequence[str]) -> None:
        top = ttk.Frame(self)
        top.grid(row=0, column=0, sticky="w")
        self.stars = StarBar(top)
        self.stars.grid(row=0, column=0, padx=(0, 8))
        self.stars.bind("<<RatingChanged>>", self._on_stars_changed, add="+")
        self.keep_button = ttk.Button(top, text="Keep", command=self.keep)
        self.keep_button.grid(row=0, column=1, padx=(0, 8))
        self.status = ttk.Label(top, text="")
        self.status.grid(row=0, column=2, sticky="w")

        self.details = ttk.Frame(self)
        comment_row = ttk.Frame(self.details)
        comment_row.grid(row=0, column=0, sticky="we", pady=(4, 4))
        comment_row.columnconfigure(1, weight=1)
        ttk.Label(comment_row, text="Comment").grid(row=0, column=0, padx=(0, 6))
        self.comment = ttk.Entry(comment_row, width=36)
        self.comment.grid(row=0, column=1, sticky="we")
        for sequence in ("<KeyRelease>", "<<Paste>>", "<<Cut>>"):
            self.comment.bind(sequence, self._schedule_comment_save, add="+")
        self.comment.bind("<Return>", self._save_comment_now, add="+")
        self.comment.bind("<FocusOut>", self._save_comment_now, add="+")
        self.tag_toggles = TagToggles(self.details, tags, command=self._save_details)
        self.tag_toggles.grid(row=1, column=0, sticky="w")
        self.details.columnconfigure(0, weight=1)

    def _schedule_measure(self) -> None:
        if self._show_feedback and self._measure_after is None:
            # At idle, not now: measuring needs `update_idletasks`, which must not run
            # the host's idle callbacks in the middle of the host building its window.
            self._measure_after = self.after_idle(self._reserve_details_space)

    def _reserve_details_space(self) -> None:
        """Keep room for the comment and tags even while they are hidden.

        Otherwise they would grow the widget on the first rating, and a widget packed at
        the bottom of its parent (or centred) would shift its stars away from the pointer:
        a second click meant to undo the rating would land on a tag.
        """
        self._measure_after = None
        try:
            self.update_idletasks()  # the unmapped details frame computes its size at idle
            self.rowconfigure(1, minsize=self.details.winfo_reqheight())
            self.columnconfigure(0, minsize=self.details.winfo_reqwidth())
        except tk.TclError:  # destroyed while the measurement was pending
            pass

    def _on_theme_changed(self, _event: tk.Event) -> None:
        """Fonts and paddings may change with the theme: re-measure, re-colour the hint."""
        self._muted = palette_for(self).muted_foreground
        if self._hint and str(self.status.cget("text")) == self._hint:
            self.status.configure(foreground=self._muted)
        self._schedule_measure()

    # -- public API ------------------------------------------------------------------

    @property
    def record_id(self) -> str | None:
        """The id of the record the widget rates, or None."""
        return self._record_id

    def set_record(self, record_id: str | None) -> None:
        """Point the widget at another result, showing that record's saved rating.

        A comment still being typed for the previous record is saved first.
        """
        self._flush_comment()
        self._record_id = record_id
        record = self._tracker_call("load", lambda t: t.get_record(record_id)) if record_id else None
        if record is _FAILED:
            record = None
        failed_result = record is not None and not rating_allowed(record)
        rating = int(getattr(record, "quality_rating", None) or 0)
        tags = list(getattr(record, "tags", None) or ())
        self._saved_comment = str(getattr(record, "feedback", None) or "")
        self.stars.value = rating
        self.comment.state(["!disabled"])
        self.comment.delete(0, "end")
        self.comment.insert(0, self._saved_comment)
        self.tag_toggles.select(tags)
        self._extra_tags = [t for t in tags if t not in self.tag_toggles.tags]
        kept = getattr(record, "save_method", None) == "user_save"
        self.keep_button.configure(text="Kept" if kept else "Keep")
        nothing_to_keep = kept or record_id is None or failed_result
        self.keep_button.state(["disabled"] if nothing_to_keep else ["!disabled"])
        self.stars.configure(state="normal" if record_id and not failed_result else "disabled")
        self._hint = HINT_NO_RECORD if record_id is None else HINT_FAILED if failed_result else ""
        self._set_status("")
        self.details.grid_remove()  # a fresh result shows only the stars until rated
        self._update_details()

    def keep(self) -> None:
        """Mark the result as saved by the user (the Keep button)."""
        record_id = self._record_id
        if record_id is None:
            return
        if self._tracker_call("keep", lambda t: t.mark_saved(record_id, "user_save")) is not _FAILED:
            self.keep_button.configure(text="Kept")
            self.keep_button.state(["disabled"])
            self._set_status("Kept")

    def destroy(self) -> None:
        self._flush_comment()
        for after_id in (self._comment_after, self._status_after, self._measure_after):
            cancel_after(self, after_id)
        self._comment_after = self._status_after = self._measure_after = None
        super().destroy()

    # -- saving ----------------------------------------------------------------------

    def _on_stars_changed(self, _event: tk.Event | None = None) -> None:
        rating, record_id = self.stars.value, self._record_id
        if record_id is None:  # a disabled bar sends no changes; a host may still set it
            return
        if rating == 0:
            call = self._tracker_call("clear the rating", lambda t: t.clear_rating(record_id))
            saved, status = call is not _FAILED, "Rating cleared"
        else:
            saved, status = self._save_rating(rating), "Saved"
        if saved:
            self._set_status(status)
            self._notify_rated(rating)
        self._update_details()

    def _save_rating(self, rating: int) -> bool:
        record_id = self._record_id
        if record_id is None:
            return False
        comment = self.comment.get().strip()
        tags = self.tag_toggles.selected() + self._extra_tags
        call = self._tracker_call(
            "save the rating",
            lambda t: t.rate_prompt(record_id, rating, feedback=comment, tags=tags))
        if call is _FAILED:
            return False
        self._saved_comment = comment
        return True

    def _save_details(self) -> None:
        """Save the comment and tags (they ride on `rate_prompt` with the current rating)."""
        if self._record_id is None or self.stars.value == 0:
            return
        if self._save_rating(self.stars.value):
            self._set_status("Saved")

    def _schedule_comment_save(self, _event: tk.Event | None = None) -> None:
        cancel_after(self, self._comment_after)
        self._comment_after = self.after(COMMENT_SAVE_DELAY_MS, self._flush_comment)

    def _save_comment_now(self, _event: tk.Event | None = None) -> None:
        self._flush_comment()

    def _flush_comment(self) -> None:
        cancel_after(self, self._comment_after)
        self._comment_after = None
        if self.comment.get().strip() != self._saved_comment:
            self._save_details()

    def _tracker_call(self, what: str, call: Callable[[RatingTracker], Any]) -> Any:
        """Run `call(tracker)` and return its result; on any error log it, show it as the
        status, and return `_FAILED`."""
        try:
            result = call(resolve_tracker(self._tracker))
        except Exception:  # the host must never see our storage errors
            log.exception("could not %s for record %s", what, self._record_id)
            self._set_status(f"Could not {what}")
            return _FAILED
        return result

    def _notify_rated(self, rating: int) -> None:
        self.event_generate("<<PromptRated>>")
        if self._on_rated is None or self._record_id is None:
            return
        try:
            self._on_rated(self._record_id, rating)
        except Exception:
            log.exception("on_rated callback failed for record %s", self._record_id)

    # -- display ---------------------------------------------------------------------

    def _update_details(self) -> None:
        rated = self.stars.value > 0
        if self._show_feedback and rated:
            self.details.grid(row=1, column=0, sticky="we")
        # Kept visible but disabled after the rating is cleared: the text stays readable.
        state = "normal" if rated else "disabled"
        self.comment.state(["!disabled"] if rated else ["disabled"])
        self.tag_toggles.set_state(state)

    def _set_status(self, text: str) -> None:
        """Show `text`; an empty text shows the dimmed hint for the current record, if any."""
        if text:
            self.status.configure(text=text, foreground="")  # "": the style's colour
        else:
            self.status.configure(text=self._hint, foreground=self._muted)
        cancel_after(self, self._status_after)
        self._status_after = None
        if text and not text.startswith("Could not"):
            self._status_after = self.after(STATUS_CLEAR_MS, self._clear_status)

    def _clear_status(self) -> None:
        self._status_after = None
        self._set_status("")
