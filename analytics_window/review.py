"""The review window: rate a backlog of results one at a time, at keyboard speed.

    from prompt_tracking.analytics_window import open_review_window
    open_review_window(root, tracker, models="sdxl", since="2025-01-01")

It shows one unrated successful result at a time, newest first: the image large, the full
prompt, model, parameters and time. Keys (each also a button): 1-5 rate and move to the next
unrated result, 0 or BackSpace clear, Left/Right move without rating, k keep, c or Tab go to
the comment (Return or Escape come back), Escape closes. The records are read on a worker
thread; images are made by `thumbnails.ThumbnailLoader` off the Tk thread, the next ones
ahead of time, so rating never waits for a file.
"""
from __future__ import annotations

import functools
import datetime as dt
import json
import logging
import tkinter as tk
import weakref
from tkinter import ttk
from collections.abc import Callable
from typing import Any

from prompt_tracking.widgets._protocols import AnalyticsTracker
from prompt_tracking.widgets._tk import safe
from prompt_tracking.widgets.rating_widget import rating_allowed
from prompt_tracking import PromptRecord
from prompt_tracking.widgets.star_bar import StarBar

from .filter_bar import ALL_MODELS, ALL_TIME, PRESETS, day_start, parse_day, preset_since
from .loader import BackgroundRunner, Filters
from .review_queue import ReviewQueue, review_filters
from .theme import WINDOW_CLASS, apply_to_window, pick_palette, widget_classes
from .thumbnails import ThumbnailCache, ThumbnailLoader, default_directory

log = logging.getLogger(__name__)
IMAGE_PX = 520
_TYPING = {"Entry", "TEntry", "TCombobox", "Text", "Spinbox", "TSpinbox"}
REVIEWED_EVENT = "<<ReviewChanged>>"  # after each rating, clear, move or reload


class ReviewWindow(tk.Toplevel):
    """One unrated successful result at a time; rate it with one key.

    Args:
        master: any widget of the host.
        tracker: the tracker to review (default: `prompt_tracking.enhanced_prompt_tracker`).
        filters: the results to review (see `review_queue.review_filters`).
        cache: the thumbnail cache (default: `<data dir>/thumbnails`).
        on_back: what "Back to the analytics window" does (the window that opened us
            passes its own raise); None hides that button.
    """

    def __init__(self, master: tk.Misc, tracker: AnalyticsTracker | None = None, *,
                 filters: Filters | None = None, cache: ThumbnailCache | None = None,
                 on_back: Callable[[], Any] | None = None) -> None:
        super().__init__(master, class_=WINDOW_CLASS)
        if tracker is None:
            from prompt_tracking import enhanced_prompt_tracker as tracker
        self.tracker = tracker
        self.filters = filters or review_filters()
        self.on_back = on_back
        self.queue = ReviewQueue([], 0)
        self._photo: Any = None
        self.loaded = False
        self._closing = False
        self.palette = pick_palette(master)
        apply_to_window(self, self.palette)
        self.configure(bg=self.palette.surface)
        self.kit = widget_classes(self)
        self.title("Review results")
        self.geometry("980x760")
        self.minsize(620, 480)
        self.runner = BackgroundRunner(self)
        self.images = ThumbnailLoader(self, cache or ThumbnailCache(default_directory(tracker)))
        self.status = tk.StringVar(self, "Loading...")
        self.progress = tk.StringVar(self, "")
        self._build()
        for sequence in ("<Key>", "<Tab>", "<BackSpace>", "<Escape>", "<Left>", "<Right>"):
            self.bind(sequence, safe(self._on_key), add="+")
        self.protocol("WM_DELETE_WINDOW", safe(self.destroy))
        self.reload()
        self.after_idle(safe(self.take_focus))

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        kit = self.kit
        bar = ttk.Frame(self, padding=(8, 8, 8, 0))
        bar.pack(side=tk.TOP, fill=tk.X)
        ttk.Label(bar, textvariable=self.progress).pack(side=tk.RIGHT)  # first: never cut off
        ttk.Label(bar, text="Model").pack(side=tk.LEFT)
        self.model = tk.StringVar(self, self._model_text())
        self.model_box = kit.Combobox(bar, textvariable=self.model, state="readonly", width=16,
                                      values=[ALL_MODELS])
        self.model_box.pack(side=tk.LEFT, padx=(4, 8))
        self.model_box.bind("<<ComboboxSelected>>", safe(lambda _e: self.apply_filters()), add="+")
        ttk.Label(bar, text="Dates").pack(side=tk.LEFT)
        self.preset = tk.StringVar(self, ALL_TIME if self.filters.since is None else "")
        self.preset_box = kit.Combobox(bar, textvariable=self.preset, state="readonly", width=12,
                                       values=list(PRESETS))
        self.preset_box.pack(side=tk.LEFT, padx=(4, 8))
        self.preset_box.bind("<<ComboboxSelected>>", safe(lambda _e: self._apply_preset()), add="+")
        self.since, self.until = tk.StringVar(self, self._day(self.filters.since)), tk.StringVar(self)
        if self.filters.until is not None:
            self.until.set(self._day(self.filters.until - 1))
        for label, var in (("From", self.since), ("To", self.until)):
            ttk.Label(bar, text=label).pack(side=tk.LEFT)
            entry = kit.Entry(bar, textvariable=var, width=10)
            entry.pack(side=tk.LEFT, padx=(4, 8))
            entry.bind("<Return>", safe(lambda _e: self.apply_filters()), add="+")
        kit.Button(bar, text="Apply", command=safe(self.apply_filters)).pack(side=tk.LEFT)
        self.body = ttk.Frame(self, padding=8)
        self.empty = ttk.Frame(self, padding=24)
        self._build_body(self.body)
        self._build_empty(self.empty)
        ttk.Label(self, textvariable=self.status, padding=(8, 0, 8, 6)).pack(side=tk.BOTTOM, anchor=tk.W)

    def _build_body(self, body: ttk.Frame) -> None:
        kit, p = self.kit, self.palette
        body.columnconfigure(0, weight=1)
        body.rowconfigure(0, weight=1)
        self.image = ttk.Label(body, anchor=tk.CENTER, justify=tk.CENTER, text="")
        self.image.grid(row=0, column=0, sticky="nsew")
        self.prompt = tk.Text(body, height=4, wrap="word", relief="flat", borderwidth=0,
                              font="TkTextFont", padx=6, pady=4, background=p.background,
                              foreground=p.foreground, highlightthickness=0, takefocus=0)
        self.prompt.grid(row=1, column=0, sticky="we", pady=(8, 2))
        self.details = ttk.Label(body, text="", foreground=p.muted, wraplength=900, justify=tk.LEFT)
        self.details.grid(row=2, column=0, sticky="we")
        rate = ttk.Frame(body)
        rate.grid(row=3, column=0, sticky="w", pady=(8, 4))
        self.stars = StarBar(rate, size=22)
        self.stars.configure(takefocus=0)
        self.stars.pack(side=tk.LEFT, padx=(0, 10))
        self.stars.bind("<<RatingChanged>>", safe(self._on_stars), add="+")
        self.buttons: dict[str, ttk.Button] = {}
        for stars in range(1, 6):
            self._button(rate, str(stars), f"{stars}★", lambda s=stars: self.rate(s), width=4)
        self._button(rate, "0", "Clear (0)", self.clear)
        self._button(rate, "k", "Keep (k)", self.keep)
        comment = ttk.Frame(body)
        comment.grid(row=4, column=0, sticky="we", pady=4)
        self._button(comment, "c", "Comment (c)", self.edit_comment)
        self.comment = kit.Entry(comment)
        self.comment.pack(side=tk.LEFT, fill=tk.X, expand=True, padx=(6, 0))
        self.comment.bind("<Return>", safe(self._leave_comment), add="+")
        nav = ttk.Frame(body)
        nav.grid(row=5, column=0, sticky="we", pady=(4, 0))
        self._button(nav, "Left", "◀ Previous (←)", lambda: self.move(-1))
        self._button(nav, "Right", "Next (→) ▶", lambda: self.move(1))
        self._button(nav, "Escape", "Close (Esc)", self.destroy, side=tk.RIGHT)

    def _button(self, master: tk.Misc, key: str, text: str, command: Any, *,
                side: str = tk.LEFT, **kw: Any) -> ttk.Button:
        button = self.kit.Button(master, text=text, command=safe(command), takefocus=0, **kw)
        button.pack(side=side, padx=2)
        self.buttons[key] = button
        return button

    def _build_empty(self, empty: ttk.Frame) -> None:
        self.empty_label = ttk.Label(empty, text="", font="TkHeadingFont", anchor=tk.CENTER)
        self.empty_label.pack(side=tk.TOP, pady=(80, 16))
        row = ttk.Frame(empty)
        row.pack(side=tk.TOP)
        self.back_button = self.kit.Button(row, text="Back to the analytics window",
                                           command=safe(self.back_to_analytics))
        if self.on_back is not None:
            self.back_button.pack(side=tk.LEFT, padx=4)
        self.kit.Button(row, text="Close (Esc)", command=safe(self.destroy)).pack(side=tk.LEFT, padx=4)

    # -- public API ------------------------------------------------------------------------
    def take_focus(self) -> None:
        """Give the window keyboard focus (done when it opens)."""
        if self._closing:
            return
        self.deiconify()
        self.lift()
        self.focus_force()

    def reload(self, filters: Filters | None = None) -> None:
        """Read the store again (on a worker thread) and start from the newest unrated result."""
        if filters is not None:
            self.filters = filters
        self.loaded = False
        self.status.set("Loading...")
        tracker: Any = self.tracker
        chosen = self.filters

        def load() -> tuple[ReviewQueue, list[str]]:  # on a worker thread
            records = list(tracker.records())
            return ReviewQueue.build(records, chosen), sorted({r.ai_model for r in records})
        self.runner.run("load", load, safe(self._on_loaded), safe(self._on_failed))

    def apply_filters(self) -> None:
        try:
            since, until = parse_day(self.since.get()), parse_day(self.until.get())
        except ValueError:
            self.status.set("Dates are YYYY-MM-DD")
            return
        model = self.model.get()
        self.reload(Filters(models=None if model in ("", ALL_MODELS) else (model,),
                            since=day_start(since) if since else None,
                            until=day_start(until + dt.timedelta(days=1)) if until else None,
                            outcome="success"))

    def _apply_preset(self) -> None:  # From is the preset's first day, To is open
        days = PRESETS.get(self.preset.get())
        self.since.set("" if days is None else preset_since(days).isoformat())
        self.until.set("")
        self.apply_filters()

    def rate(self, stars: int) -> None:
        """Rate the shown result `stars` (1-5), then move to the next unrated one."""
        record = self.queue.current
        if record is None or not rating_allowed(record):
            return
        comment = self.comment.get().strip()
        feedback = comment if comment != (record.feedback or "") else None
        if not self._call("save the rating",
                          lambda t: t.rate_prompt(record.id, stars, feedback=feedback)):
            return
        record.quality_rating = stars
        record.feedback = comment or record.feedback
        self.status.set(f"Rated {stars}★: {_short(record.prompt)}")
        if not self.queue.advance():
            self._show_empty()
        else:
            self.show_current()

    def clear(self) -> None:
        """Clear the shown result's rating (stays on it)."""
        record = self.queue.current
        if record is None or not record.quality_rating:
            return
        if self._call("clear the rating", lambda t: t.clear_rating(record.id)):
            record.quality_rating = None
            self.status.set("Rating cleared")
            self.stars.value = 0
            self.progress.set(self.queue.progress())

    def keep(self) -> None:
        """Mark the shown result as kept by the user."""
        record = self.queue.current
        if record is not None and self._call("keep", lambda t: t.mark_saved(record.id)):
            record.save_method = "user_save"
            self.status.set("Kept")
            self.buttons["k"].configure(text="Kept")

    def move(self, step: int) -> None:
        """Show the result `step` places on (or back), rated or not."""
        if self.queue.move(step):
            self.show_current()
        else:
            self.status.set("That was the newest result" if step < 0 else "No more results")

    def edit_comment(self) -> None:
        if self.queue.current is not None:
            self.comment.focus_set()
            self.comment.icursor(tk.END)

    def back_to_analytics(self) -> None:
        """Close, and hand over to the analytics window (`on_back`)."""
        on_back = self.on_back
        if on_back is not None:
            on_back()
        self.destroy()

    # -- display ---------------------------------------------------------------------------
    def _on_loaded(self, result: tuple[ReviewQueue, list[str]]) -> None:
        self.queue, models = result
        self.model_box.configure(values=[ALL_MODELS, *models])
        self.loaded = True
        self.status.set("1-5 rate · 0 clear · ←/→ move · k keep · c comment · Esc close")
        if self.queue.done:
            self._show_empty()
        else:
            self.show_current()

    def _on_failed(self, exc: BaseException) -> None:
        log.error("review: loading failed", exc_info=exc)
        self.status.set(f"Could not load the results: {exc}")

    def show_current(self) -> None:
        """Show the current result and prepare the images of the next ones."""
        record = self.queue.current
        if record is None:
            self._show_empty()
            return
        self.empty.pack_forget()
        if not self.body.winfo_manager():
            self.body.pack(side=tk.TOP, fill=tk.BOTH, expand=True)
        self.image.configure(image="", text="Loading the image...")
        self.images.request(record.result_url, IMAGE_PX,
                            functools.partial(self._show_image, record.id))
        for upcoming in self.queue.upcoming():
            self.images.request(upcoming.result_url, IMAGE_PX, lambda _p, _r: None)
        self.prompt.configure(state="normal")
        self.prompt.delete("1.0", tk.END)
        self.prompt.insert("1.0", record.prompt)
        self.prompt.configure(state="disabled")
        self.details.configure(text=_details(record))
        self.stars.value = int(record.quality_rating or 0)
        self.comment.delete(0, tk.END)
        self.comment.insert(0, record.feedback or "")
        kept = record.save_method == "user_save"
        self.buttons["k"].configure(text="Kept" if kept else "Keep (k)")
        self.progress.set(self.queue.progress())
        self.event_generate(REVIEWED_EVENT, when="tail")

    def _show_image(self, record_id: str, photo: Any, reason: str | None) -> None:
        current = self.queue.current
        if self._closing or current is None or current.id != record_id:
            return
        self._photo = photo  # the Label does not keep a Python reference
        self.image.configure(image=photo or "", text=reason or "")

    def _show_empty(self) -> None:
        self.body.pack_forget()
        self.empty_label.configure(text=self.queue.empty_text())
        if not self.empty.winfo_manager():
            self.empty.pack(side=tk.TOP, fill=tk.BOTH, expand=True)
        self.progress.set("")
        self.event_generate(REVIEWED_EVENT, when="tail")

    # -- keys ------------------------------------------------------------------------------
    def _on_key(self, event: tk.Event) -> str | None:
        widget = event.widget
        if not isinstance(widget, tk.Misc) or widget.winfo_toplevel() is not self:
            return None  # a combobox's list, or a dialog of ours on top
        key = event.keysym
        if widget.winfo_class() in _TYPING:
            if widget is self.comment and key in ("Escape", "Tab"):
                return self._leave_comment()
            return None  # a key typed into a field stays there
        if key == "Escape":
            self.destroy()
            return "break"
        if self.queue.current is None or not self.body.winfo_manager():
            return None
        digit = key[3:] if key.startswith("KP_") else key
        if digit in ("1", "2", "3", "4", "5"):
            self.rate(int(digit))
        elif digit == "0" or key in ("BackSpace", "Delete"):
            self.clear()
        elif key == "Left":
            self.move(-1)
        elif key == "Right":
            self.move(1)
        elif key in ("k", "K"):
            self.keep()
        elif key in ("c", "C", "Tab"):
            self.edit_comment()
        else:
            return None
        return "break"

    def _leave_comment(self, _event: tk.Event | None = None) -> str:
        """Save a changed comment of a rated result, and give the keys back to the window."""
        record = self.queue.current
        comment = self.comment.get().strip()
        if record is not None and record.quality_rating and comment != (record.feedback or ""):
            if self._call("save the comment",
                          lambda t: t.rate_prompt(record.id, record.quality_rating, feedback=comment)):
                record.feedback = comment
                self.status.set("Comment saved")
        self.focus_set()
        return "break"

    def _on_stars(self, _event: tk.Event) -> None:
        value = self.stars.value
        record = self.queue.current
        if record is None or value == int(record.quality_rating or 0):
            return
        self.rate(value) if value else self.clear()

    def _call(self, what: str, call: Any) -> bool:
        try:
            call(self.tracker)
        except Exception as exc:  # the host must never see our storage errors
            log.exception("review: could not %s", what)
            self.status.set(f"Could not {what}: {exc}")
            return False
        return True

    def _model_text(self) -> str:
        return models[0] if len(models := self.filters.models or ()) == 1 else ALL_MODELS

    @staticmethod
    def _day(epoch: float | None) -> str:
        return dt.date.fromtimestamp(epoch).isoformat() if epoch is not None else ""

    def destroy(self) -> None:
        """Close: drop pending results and images first."""
        if self._closing:
            return
        self._closing = True
        self.runner.close()
        self.images.close()
        self._photo = None
        super().destroy()


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _details(record: PromptRecord) -> str:
    when = dt.datetime.fromtimestamp(record.timestamp).strftime("%Y-%m-%d %H:%M")
    params = json.dumps(record.model_parameters, ensure_ascii=False, default=str) \
        if record.model_parameters else "no parameters"
    return f"{record.ai_model} · {when} · {params}"


_open_windows: weakref.WeakKeyDictionary[tk.Misc, weakref.ref] = weakref.WeakKeyDictionary()


def open_review_window(master: tk.Misc, tracker: AnalyticsTracker | None = None, *,
                       on_back: Callable[[], Any] | None = None, **filters: Any) -> ReviewWindow:
    """Open the review window, or raise the one already open for this app.

    Args:
        master: any widget of the host app.
        tracker: the tracker to review (default: the default tracker).
        on_back: called by the empty state's "Back to the analytics window" (None: no
            such button).
        **filters: `models` (or `model`), `since`, `until`; see `review_queue.review_filters`.
            Given to a window already open, they replace its filters.

    Returns:
        The window (a Toplevel); it has keyboard focus.

    Raises:
        ValueError: an unknown filter or an unusable value.
    """
    chosen = review_filters(**filters)
    root = master.nametowidget(".")
    ref = _open_windows.get(root)
    window = ref() if ref is not None else None
    if window is not None and not window._closing and window.winfo_exists():
        if filters or (tracker is not None and tracker is not window.tracker):
            window.tracker = tracker or window.tracker
            window.reload(chosen)
        window.on_back = on_back or window.on_back
        window.take_focus()
        return window
    window = ReviewWindow(master, tracker, filters=chosen, on_back=on_back)
    _open_windows[root] = weakref.ref(window)
    return window
