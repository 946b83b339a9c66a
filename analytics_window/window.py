"""`AnalyticsWindow`: the Toplevel with the filter row, a status line and one notebook page per tab.

The window paints at once with a progress bar; a worker thread reads the records and computes
the analytics (see `loader`), and the Tk thread then draws one tab per `after()` tick, the
visible one first and the others when they are first shown. Every `after` id is kept and
cancelled in `destroy()`, and every callback we install catches and logs its own errors.
"""
from __future__ import annotations

import importlib
import logging
import tkinter as tk
import weakref
from collections.abc import Callable, Generator
from tkinter import ttk
from typing import Any

from prompt_tracking.widgets import dialogs as widget_dialogs
from prompt_tracking.widgets._protocols import AnalyticsTracker
from prompt_tracking.widgets._tk import cancel_after, safe

from . import tabs
from .draw_queue import DrawQueue
from .filter_bar import FilterBar
from .loader import (
    BackgroundRunner,
    Filters,
    RecordCache,
    Snapshot,
    discard_snapshot,
    load_snapshot,
)
from .record_freeing import free_later
from .scroll_page import ScrollPage
from .slots import (
    Build,
    Slot,
    Update,
    custom_renderer,
    render_export,
    show_error,
    then_render,
)
from .status import shared_store_caption
from .tabs import BUILTIN_TABS
from .tabs.base import TabContext
from .theme import WINDOW_CLASS, apply_to_window, pick_palette, widget_classes

log = logging.getLogger(__name__)
LOADED_EVENT = "<<AnalyticsLoaded>>"


class AnalyticsWindow(tk.Toplevel):
    """The analytics dashboard for one tracker, as a Toplevel of the host app.

    Args:
        master: Any widget of the host.
        tracker: The tracker to analyse (default: `prompt_tracking.enhanced_prompt_tracker`).
        poll_ms: How often the tracker's `revision` is checked for new records.
        debounce_ms: Quiet time after the last change before the window reloads.
    """

    def __init__(self, master: tk.Misc, tracker: AnalyticsTracker | None = None, *, poll_ms: int = 1000,
                 debounce_ms: int = 1500) -> None:
        super().__init__(master, class_=WINDOW_CLASS)
        from prompt_tracking import enhanced_prompt_tracker
        self.tracker: AnalyticsTracker = tracker if tracker is not None else enhanced_prompt_tracker
        self.palette = pick_palette(master)
        apply_to_window(self, self.palette)
        self.snapshot: Snapshot | None = None
        self.loaded = False
        self._serial = 0
        self._after: dict[str, str] = {}
        self._closing = False
        self._poll_ms, self._debounce_ms = poll_ms, debounce_ms
        self._seen_revision = getattr(self.tracker, "revision", 0)
        self._cache = RecordCache()
        self.runner = BackgroundRunner(self)
        self.draw_queue = DrawQueue(self, on_empty=self._mark_loaded)
        self.context = TabContext(self.palette, self.tracker, self.runner, self.schedule, self.refresh,
                                  self.draw_queue)
        self.title("Prompt Analytics")
        self.geometry("1180x820")
        self.minsize(560, 380)  # small screens: the filter bar wraps, each tab scrolls
        self.configure(bg=self.palette.surface)
        self._slots: list[Slot] = []
        self._steps: tuple[Slot, Generator[None, None, None]] | None = None
        self._build_chrome()
        for title, module in BUILTIN_TABS:
            self._add_slot(title, self._builtin_renderer(module))
        self._add_slot("Export", render_export)
        self.protocol("WM_DELETE_WINDOW", safe(self.destroy))
        self.bind("<F5>", safe(lambda _e: self.refresh()), add="+")
        self.bind("<Escape>", safe(self._on_escape), add="+")
        self.refresh()
        self.schedule("poll", self._poll_ms, self._poll_revision)

    # -- layout ----------------------------------------------------------------------------
    def _build_chrome(self) -> None:
        top = ttk.Frame(self, padding=(6, 6, 6, 0))
        top.pack(side=tk.TOP, fill=tk.X)
        self.filter_bar = FilterBar(top, self.refresh, self.show_status)
        self.filter_bar.pack(side=tk.LEFT, fill=tk.X, expand=True)
        status = ttk.Frame(self, padding=(6, 4))
        status.pack(side=tk.TOP, fill=tk.X)
        ttk.Button(status, text="Import history...", command=safe(self.open_import)).pack(
            side=tk.RIGHT, padx=2)
        self.review_button = ttk.Button(status, text="Review unrated...",
                                        command=safe(self.open_review))
        self.review_button.pack(side=tk.RIGHT, padx=2)
        ttk.Button(status, text="Refresh (F5)", command=safe(self.refresh)).pack(
            side=tk.RIGHT, padx=2)
        self.progress = ttk.Progressbar(status, mode="indeterminate", length=160)
        self.status = tk.StringVar(self, "Loading the analytics...")
        self.status_label = ttk.Label(status, textvariable=self.status)  # wraps, never cut off:
        self.status_label.pack(side=tk.LEFT, padx=8, fill=tk.X, expand=True)
        self.status_label.bind("<Configure>", lambda e: e.widget.configure(
            wraplength=max(120, e.width - 4)), add="+")
        self.notebook = widget_classes(self).Notebook(self)
        self.notebook.pack(side=tk.TOP, fill=tk.BOTH, expand=True, padx=6, pady=(0, 6))
        self.notebook.bind("<<NotebookTabChanged>>", safe(lambda _e: self._render_soon()), add="+")

    def _on_escape(self, event: tk.Event) -> None:
        # The Toplevel's binding also fires for keys in its children; a Combobox whose list
        # is open gets Escape in its own popdown toplevel, so closing it never closes us.
        if event.widget.winfo_toplevel() is self:
            self.destroy()

    def _add_slot(self, title: str, render: Callable[[Slot, Snapshot | None], None]) -> Slot:
        page = ScrollPage(self.notebook, background=self.palette.surface)
        self.notebook.add(page, text=title)
        slot = Slot(title, page.inner, render, tab=page)
        self._slots.append(slot)
        return slot

    def _builtin_renderer(self, module_name: str) -> Callable[[Slot, Snapshot | None], Any]:
        def render(slot: Slot, snapshot: Snapshot | None) -> Any:
            if snapshot is None:
                return None
            if slot.widget is None:
                module = importlib.import_module(f"{tabs.__name__}.{module_name}")
                slot.widget = module.TAB(slot.page, self.context)
                slot.widget.pack(fill=tk.BOTH, expand=True)
                return then_render(slot.widget, snapshot)  # building is a step of its own
            return slot.widget.render(snapshot)
        return render

    # -- public API ------------------------------------------------------------------------
    def add_tab(self, title: str, build: Build, *, update: Update | None = None) -> None:
        """Add a host tab, drawn from the analytics like the built-in ones.

        `build(parent, analytics) -> widget` is called the first time the tab is shown with
        data. On each later refresh, `update(widget, analytics)` is called when given, else
        the widget's `update_analytics(analytics)` method if it has one, else the widget is
        destroyed and `build` is called again. `analytics.extra` holds the results of the
        analyses registered with `prompt_tracking.analytics.analysis.register_analysis`. An exception
        in `build` or `update` is logged and shown in the tab; it never reaches the host.
        """
        self._add_slot(title, custom_renderer(build, update))
        self._render_soon()

    def tab_titles(self) -> list[str]:
        return [slot.title for slot in self._slots]

    def select_tab(self, title: str) -> tk.Widget:
        """Show the tab called `title` and return its page frame."""
        slot = next(s for s in self._slots if s.title == title)
        self.notebook.select(slot.tab)
        return slot.page

    def tab_widget(self, title: str) -> Any:
        """The content of a tab (None until it was first shown with data)."""
        return next(s.widget for s in self._slots if s.title == title)

    def refresh(self) -> None:
        """Reload the records and recompute the analytics with the current filters."""
        if self._closing:
            return
        try:
            filters = self.filter_bar.filters()
        except ValueError as exc:
            self.show_status(str(exc))
            return
        self._load(filters)

    def show_status(self, text: str) -> None:
        self.status.set(text)

    def open_import(self) -> None:
        """Open the migration dialog ("Import history..."), if that feature is installed."""
        try:
            module = importlib.import_module(_MIGRATION_DIALOG)
        except ImportError:
            self.show_status("Import history is not installed")
            return
        opener = getattr(module, "open_migration_dialog", None) or getattr(module, "MigrationDialog")
        opener(self, self.tracker)

    def open_review(self) -> Any:
        """Open the review window on this window's tracker and model/date filters."""
        from .review import open_review_window

        try:
            filters = self.filter_bar.filters()
        except ValueError as exc:
            self.show_status(str(exc))
            return None
        def back() -> None:
            if not self._closing:
                self.deiconify()
                self.lift()
                self.focus_set()
        return open_review_window(self, self.tracker, on_back=safe(back), models=filters.models,
                                  since=filters.since, until=filters.until)

    # -- scheduling ------------------------------------------------------------------------
    def schedule(self, name: str, ms: int, fn: Callable[[], None]) -> None:
        """Run `fn` after `ms` on the Tk thread; replaces a pending job of the same name."""
        if self._closing:
            return
        self.cancel(name)

        def run() -> None:
            self._after.pop(name, None)
            safe(fn)()
        self._after[name] = self.after(ms, run)

    def cancel(self, name: str) -> None:
        cancel_after(self, self._after.pop(name, None))

    # -- loading ---------------------------------------------------------------------------
    def _load(self, filters: Filters) -> None:
        self.loaded = False
        if not self.progress.winfo_manager():
            self.progress.pack(side=tk.LEFT, before=self.status_label)
        self.progress.start(20)
        self.show_status("Loading the analytics...")
        tracker, cache = self.tracker, self._cache
        self.runner.run("load", lambda: load_snapshot(tracker, filters, cache),
                        safe(self._on_loaded), safe(self._on_load_failed),
                        on_discard=discard_snapshot)

    def _on_loaded(self, snapshot: Snapshot) -> None:
        old_lists = self._record_lists()  # what the old snapshot's tabs hold: freed in chunks
        self.snapshot = snapshot
        free_later(old_lists)
        self._serial += 1
        self.progress.stop()
        self.progress.pack_forget()
        self.filter_bar.set_models(snapshot.all_models)
        shown = len(snapshot.records)
        scope = f"{shown:,} of {snapshot.total_records:,} records" \
            if shown != snapshot.total_records else f"{shown:,} records"
        self.show_status(f"{scope} · analysed in {snapshot.seconds:.1f} s"
                         + shared_store_caption(self.tracker))
        self._render_soon()

    def _on_load_failed(self, exc: BaseException) -> None:
        log.error("analytics window: loading failed", exc_info=exc)
        self.progress.stop()
        self.progress.pack_forget()
        self.show_status(f"Could not load the analytics: {exc}")

    def _render_soon(self) -> None:
        self.schedule("render", 1, self._render_visible)

    @property
    def drawing(self) -> bool:
        """True while a tab is being drawn step by step or its charts repainted."""
        return self._steps is not None or self.draw_queue.busy

    def _render_visible(self) -> None:
        """Start drawing the visible tab if it shows an older snapshot.

        A tab's `render` may return a generator: each step runs in its own `after()` tick,
        so no single tick holds the Tk thread for long.
        """
        try:
            index = self.notebook.index(self.notebook.select())
        except tk.TclError:
            return
        slot = self._slots[index]
        if slot.serial != self._serial:
            if self._steps is not None:  # a half-drawn tab is redrawn when shown again
                self._steps[0].serial = -1
                self._steps[1].close()
                self._steps = None
            slot.serial = self._serial
            try:
                steps = slot.render(slot, self.snapshot)
            except Exception as exc:
                log.exception("analytics window: drawing the %s tab failed", slot.title)
                show_error(slot, exc)
                steps = None
            safe(slot.tab.refit)()
            if isinstance(steps, Generator):
                self._steps = (slot, steps)
                self.schedule("render-step", 1, self._render_step)
                return
        self._mark_loaded()

    def _render_step(self) -> None:
        if self.draw_queue.busy:
            # Tk runs every due timer in one pass: a step and a repaint back to back would
            # hold the host for both. Let the repaints finish first.
            self.schedule("render-step", 5, self._render_step)
            return
        if self._steps is None:
            return
        slot, steps = self._steps
        try:
            next(steps)
            safe(slot.tab.refit)()  # a step may have built widgets or grown a chart
        except StopIteration:
            safe(slot.tab.refit)()
            self._steps = None
            self._mark_loaded()
            return
        except Exception as exc:
            self._steps = None
            log.exception("analytics window: drawing the %s tab failed", slot.title)
            show_error(slot, exc)
            return
        self.schedule("render-step", 1, self._render_step)

    def _record_lists(self) -> list[list]:
        """Every list of the shown snapshot's records (the snapshot's, the tabs' own), emptied
        on a daemon thread when replaced (`free_later`): 100,000 records freed in one go would
        hold the GIL, and so stall the host, for up to 300 ms. Only this window uses them."""
        lists = [self.snapshot.records] if self.snapshot is not None else []
        for slot in self._slots:
            held = getattr(slot.widget, "record_lists", None)
            if callable(held):
                try:
                    lists.extend(held())
                except Exception:
                    log.exception("analytics window: listing the records of %s failed", slot.title)
        return lists

    def _mark_loaded(self) -> None:
        if self.snapshot is not None and not self.loaded and not self.drawing:
            self.loaded = True
            self.event_generate(LOADED_EVENT, when="tail")

    def _poll_revision(self) -> None:
        """Reload (debounced) when the tracker changed since the last look."""
        revision = getattr(self.tracker, "revision", 0)
        if revision != self._seen_revision:
            self._seen_revision = revision
            self.schedule("auto_refresh", self._debounce_ms, self._auto_refresh)
        self.schedule("poll", self._poll_ms, self._poll_revision)

    def _auto_refresh(self) -> None:
        if self.runner.busy("load"):
            self.schedule("auto_refresh", self._debounce_ms, self._auto_refresh)
        else:
            self.refresh()

    def destroy(self) -> None:
        """Close: drop pending results and cancel every scheduled job first."""
        self._closing = True
        self.runner.close()
        free_later(self._record_lists() + self._cache.close(), then=self._cache.release_frozen)
        self.draw_queue.close()
        for name in list(self._after):
            self.cancel(name)
        for slot in self._slots:
            closer = getattr(slot.widget, "close", None)
            if callable(closer):
                safe(closer)()
        widgets = _descendants(self)
        super().destroy()
        self._slots = []
        _release(widgets)
        for name in set(vars(self)) - _KEEP_AFTER_CLOSE:
            setattr(self, name, None)  # status StringVar, runner, snapshot: see _release


_KEEP_AFTER_CLOSE = {"tk", "_w", "_name", "master", "children", "_tclCommands", "widgetName",
                     "_closing", "loaded", "tracker", "_slots", "_after"}


_OURS = (tk.__name__, "matplotlib", __package__)  # widgets whose state we may drop
_NOT_OURS = {f"{__package__}.export_tab"}
# Derived from the widgets package itself, so the name follows the installed namespace.
_MIGRATION_DIALOG = f"{widget_dialogs.__name__}.migration_dialog"


def _descendants(widget: tk.Misc) -> list[tk.Misc]:
    found: list[tk.Misc] = []
    stack: list[tk.Misc] = list(widget.children.values())
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(child.children.values())
    return found


def _release(widgets: list[tk.Misc]) -> None:
    """Drop what the destroyed widgets hold, so it is freed now, on the Tk thread: left to
    the garbage collector, their reference cycles may be freed on any thread, and the
    `__del__` of a Tk variable, image or font off the Tk thread raises or blocks."""
    for widget in widgets:
        module = type(widget).__module__
        if not module.startswith(_OURS) or module in _NOT_OURS:
            continue  # a widget of another feature (export tab, migration dialog) keeps its state
        try:
            widget.__dict__.clear()
        except Exception:
            log.debug("could not release %r", widget, exc_info=True)


# root -> weak reference to its window: a closed window must not be kept alive by this registry
_open_windows: weakref.WeakKeyDictionary[tk.Misc, weakref.ref] = weakref.WeakKeyDictionary()


def open_analytics_window(master: tk.Misc, tracker: AnalyticsTracker | None = None) -> AnalyticsWindow:
    """Open the analytics window, or raise the one already open for this app.

    Args:
        master: Any widget of the host app.
        tracker: The tracker to analyse (default: the default tracker).

    Returns:
        The window (a Toplevel).
    """
    root = master.nametowidget(".")
    ref = _open_windows.get(root)
    window = ref() if ref is not None else None
    if window is not None and not window._closing:
        window.deiconify()
        window.lift()
        window.focus_set()
        return window
    window = AnalyticsWindow(master, tracker)
    _open_windows[root] = weakref.ref(window)
    return window


def add_analytics_menu(menu: tk.Menu, tracker: AnalyticsTracker | None = None, *,
                       label: str = "Prompt Analytics...") -> None:
    """Add an entry that opens the analytics window to one of the host's menus."""
    owner: tk.Misc = menu
    while isinstance(owner, tk.Menu) and owner.master is not None:
        owner = owner.master

    def open_window() -> None:
        open_analytics_window(owner, tracker)
    menu.add_command(label=label, command=safe(open_window))
