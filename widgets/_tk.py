"""The one Tk support layer of the GUI packages (private: not API).

Everything that crosses threads or reads the host's theme goes through here, so the rating
widgets, the analytics window, the migration dialog and the integration glue follow the same
rules (Thonny has one poller, not one per dialog):

- `TkQueue`: the worker-to-Tk hand-off. Any thread may `put`; only the Tk thread drains, from
  an `after()` timer, a few items per tick. Worker threads never call Tk, not even `after()`.
- `cancel_after`: cancel a timer that may already have fired or whose widget is gone.
- `safe`: wrap a Tk callback so its errors are logged (to the logger of the module that
  wrapped it) and never raised into the host.
- The host-theme reader: `style_lookup`, `background_of`, `host_background`, `luminance`,
  `mix`, `bootstrap_module`, `bootstrap_colors`, `widget_classes`. It only *reads*: nothing
  here changes a theme, a style or the option database.
"""
from __future__ import annotations

import functools
import itertools
import logging
import queue
import sys
import threading
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from types import ModuleType
from typing import Any, Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

_FALLBACK_BACKGROUND = "#d9d9d9"
_QUEUE_IDS = itertools.count(1)


def _caller_logger(depth: int = 2) -> logging.Logger:
    """The logger of the module `depth` frames up (the module that called our caller)."""
    try:
        name = sys._getframe(depth).f_globals.get("__name__") or __name__
    except (AttributeError, ValueError):  # no frame introspection on this Python
        name = __name__
    return logging.getLogger(name)


# -- callbacks and timers ----------------------------------------------------------------

def safe(fn: Callable[..., Any], *, what: str | None = None,
         logger: logging.Logger | None = None) -> Callable[..., Any]:
    """Wrap a Tk callback so its errors are logged, never raised into the host.

    Args:
        fn: the callback.
        what: how the log names it (default: the function's name).
        logger: where errors go (default: the logger of the module calling `safe`).

    Returns:
        A callable with `fn`'s signature that returns `fn`'s result, or None after an error.
    """
    target = logger or _caller_logger()
    label = what or getattr(fn, "__name__", "callback")

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:
            target.exception("prompt-tracking: %s failed", label)
            return None
    return wrapper


def cancel_after(widget: tk.Misc, after_id: str | None) -> None:
    """Cancel an `after` job if there is one; a widget already torn down has none left."""
    if after_id is None:
        return
    try:
        widget.after_cancel(after_id)
    except (tk.TclError, RuntimeError):
        pass  # already fired, or the interpreter is gone


def _alive(widget: tk.Misc) -> bool:
    try:
        return bool(widget.winfo_exists())
    except (tk.TclError, RuntimeError):
        return False


class Inbox(Generic[T]):
    """The worker's end of a `TkQueue`: `put` from any thread, and nothing else.

    It holds no reference to Tk or to the handler, so a worker given only the inbox can
    never be what keeps a widget alive (a widget's Tk variables freed on a worker thread
    would raise or abort in Tcl).
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[T] = queue.SimpleQueue()
        self.closed = False

    def put(self, item: T) -> bool:
        """Queue `item` (never touches Tk). False, and dropped, once the queue is closed."""
        if self.closed:
            return False
        self._queue.put(item)
        return True

    def get(self) -> T:
        """The oldest item; raises `queue.Empty` when there is none."""
        return self._queue.get_nowait()

    def empty(self) -> bool:
        return self._queue.empty()


class TkQueue(Generic[T]):
    """Items put from any thread, handled on the Tk thread by `handle(item)`.

    Create it on the Tk thread. The Tk thread polls with its own Tcl command rather than
    `Misc.after()`, whose command dies with its widget: a timer already queued would then
    fail with "invalid command name". An error of `handle` or `on_tick` is logged (to the
    creating module's logger) and the queue goes on.

    Args:
        widget: any widget of the app; its interpreter runs the timer. The queue closes
            itself once the widget no longer exists.
        handle: called on the Tk thread with each item, in order.
        poll_ms: how often the Tk thread looks at the queue while polling.
        per_tick: items handled per tick, so a burst cannot freeze the host's UI.
        on_tick: also called once per tick, after the items (housekeeping).
        keep_polling: polling goes on while this returns True or items are queued; when it
            returns False polling stops until the next `start()`. None: poll until `close()`.
        what: how errors name the work in the log.
    """

    def __init__(self, widget: tk.Misc, handle: Callable[[T], Any], *, poll_ms: int = 50,
                 per_tick: int = 20, on_tick: Callable[[], Any] | None = None,
                 keep_polling: Callable[[], bool] | None = None,
                 what: str = "work handed to the Tk thread") -> None:
        self.widget = widget
        self.poll_ms = poll_ms
        self.per_tick = per_tick
        self.thread_id = threading.get_ident()
        self._handle = handle
        self._on_tick = on_tick
        self._keep_polling = keep_polling
        self._what = what
        self._log = _caller_logger()
        self.inbox: Inbox[T] = Inbox()
        self._after_id: str | None = None
        # Our own Tcl command (public `createcommand`), deleted by `close`, never with a widget.
        self._command: str | None = f"prompt_tracking_queue{next(_QUEUE_IDS)}"
        widget.tk.createcommand(self._command, self._tick)

    @property
    def closed(self) -> bool:
        return self.inbox.closed

    def on_tk_thread(self) -> bool:
        """True when called from the thread that created the queue (the Tk thread)."""
        return threading.get_ident() == self.thread_id

    def empty(self) -> bool:
        return self.inbox.empty()

    def put(self, item: T) -> bool:
        """Queue `item` (any thread; never touches Tk). False, and dropped, once closed."""
        return self.inbox.put(item)

    def start(self) -> None:
        """Make sure a poll is scheduled (Tk thread only)."""
        if self._after_id is None and not self.closed and self._command is not None:
            try:
                self._after_id = self.widget.tk.call("after", self.poll_ms, self._command)
            except (tk.TclError, RuntimeError):
                self._after_id = None  # the interpreter is gone: nothing left to do
                self.close()

    def drain(self) -> int:
        """Handle what is queued, at most `per_tick` items (Tk thread only); returns the count."""
        done = 0
        while done < self.per_tick and not self.closed:
            try:
                item = self.inbox.get()
            except queue.Empty:
                break
            self._call(self._handle, item)
            done += 1
        return done

    def handle_now(self, item: T) -> None:
        """Handle `item` at once, errors logged like a queued one (Tk thread only)."""
        self._call(self._handle, item)

    def close(self) -> list[T]:
        """Stop polling and drop the timer's command (Tk thread only); returns what was queued."""
        self.inbox.closed = True
        if self._after_id is not None:
            try:
                self.widget.tk.call("after", "cancel", self._after_id)
            except (tk.TclError, RuntimeError):
                pass  # the app is already gone
            self._after_id = None
        if self._command is not None:
            try:
                self.widget.tk.deletecommand(self._command)
            except (tk.TclError, RuntimeError):
                pass
            self._command = None
        left: list[T] = []
        while True:
            try:
                left.append(self.inbox.get())
            except queue.Empty:
                return left

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception:
            self._log.exception("prompt-tracking: %s failed", self._what)
            return None

    def _tick(self) -> None:
        # Called by Tcl directly (no tkinter wrapper): it must never raise.
        try:
            self._tick_once()
        except Exception:
            self._log.exception("prompt-tracking: %s failed", self._what)

    def _tick_once(self) -> None:
        self._after_id = None
        if self.closed:
            return
        self.drain()
        if self._on_tick is not None and not self.closed:
            self._call(self._on_tick)
        if self.closed:
            return
        if not _alive(self.widget):
            self.close()
            return
        keep = self._keep_polling is None or not self.inbox.empty() or \
            bool(self._call(self._keep_polling))
        if keep:
            self.start()


# -- the host's theme ---------------------------------------------------------------------

def to_rgb(widget: tk.Misc, color: str) -> tuple[float, float, float]:
    """A Tk colour (name or hex) as 0..1 floats."""
    r, g, b = widget.winfo_rgb(color)
    return r / 65535, g / 65535, b / 65535


def to_hex(rgb: tuple[float, ...]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def mix(widget: tk.Misc, color: str, other: str, amount: float) -> str:
    """`color` moved `amount` (0..1) of the way towards `other`."""
    a, b = to_rgb(widget, color), to_rgb(widget, other)
    return to_hex(tuple(x + (y - x) * amount for x, y in zip(a, b)))


def luminance(widget: tk.Misc, color: str) -> float:
    """WCAG relative luminance of a Tk colour, 0 (black) to 1 (white).

    Raises:
        tk.TclError: `color` is not a colour Tk knows.
    """
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in to_rgb(widget, color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def style_lookup(widget: tk.Misc, style: str, option: str, default: str = "") -> str:
    """The active ttk theme's `option` for `style`, or `default` when it has none."""
    try:
        return str(ttk.Style(widget).lookup(style, option) or default)
    except tk.TclError:
        return default


def background_of(widget: tk.Misc) -> str:
    """The colour a child drawn inside `widget` should use as its background."""
    try:
        if isinstance(widget, ttk.Widget):
            style = str(widget.cget("style")) or widget.winfo_class()
            return style_lookup(widget, style, "background") or \
                style_lookup(widget, ".", "background", _FALLBACK_BACKGROUND)
        return str(widget.cget("background"))
    except tk.TclError:
        return _FALLBACK_BACKGROUND


def host_background(widget: tk.Misc) -> str:
    """The background colour the host's windows show: its ttk theme's, else the toplevel's."""
    colour = style_lookup(widget, "TFrame", "background") or style_lookup(widget, ".", "background")
    try:
        if colour:
            widget.winfo_rgb(colour)
            return colour
    except tk.TclError:
        log.debug("no usable ttk background for this host", exc_info=True)
    try:
        return str(widget.winfo_toplevel().cget("bg"))
    except tk.TclError:
        return "#ffffff"


def bootstrap_module(widget: tk.Misc) -> ModuleType | None:
    """The ttkbootstrap module when `widget`'s app runs a ttkbootstrap theme, else None.

    It is never imported here, only found in `sys.modules`: instantiating ttkbootstrap's
    `Style` would switch a plain app to a bootstrap theme. None in a plain Tk app, when its
    `Style` belongs to another interpreter, or when the active ttk theme is not one of its
    own. Only then may ttkbootstrap widgets be created.
    """
    module = sys.modules.get("ttkbootstrap")
    instance = getattr(getattr(module, "Style", None), "instance", None)
    if module is None or instance is None or getattr(instance, "tk", None) is not widget.tk:
        return None
    try:
        if ttk.Style(widget).theme_use() not in instance.theme_names():
            return None
    except (tk.TclError, AttributeError):
        log.debug("ttkbootstrap style not usable here", exc_info=True)
        return None
    return module


def bootstrap_colors(widget: tk.Misc) -> Any | None:
    """ttkbootstrap's colour set for the theme `widget`'s app runs, or None."""
    module = bootstrap_module(widget)
    if module is None:
        return None
    try:
        return module.Style.instance.colors or None
    except (tk.TclError, AttributeError, KeyError):
        return None


def widget_classes(widget: tk.Misc) -> ModuleType:
    """Where to take Notebook, Checkbutton, Treeview... from for widgets in `widget`'s app.

    ttkbootstrap 2.x builds a widget's style lazily, only for its own widget classes: a
    stock `ttk.Notebook` in a bootstrap app keeps the unpadded default tabs. So in a
    ttkbootstrap host we use its classes (same constructor arguments), elsewhere `tkinter.ttk`.
    """
    return bootstrap_module(widget) or ttk
