"""Process-wide observers: message boxes shown, and work a start method hands off.

Many host apps report an outcome only through `tkinter.messagebox` and start their work
on a thread, a thread pool or an `after()` poll. We wrap `tkinter.messagebox`'s show
functions (the public ones and the `_show` they share, so `from tkinter.messagebox
import showinfo` done before us is seen too), `threading.Thread.start`,
`ThreadPoolExecutor.submit` and `Misc.after`/`after_idle`. The
wrappers only take notes and call the original with the same arguments, so the user
sees exactly the same boxes. They are installed while at least one integration uses
them and put back on the last `release()` (unless someone replaced them since).
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import sys
import threading
import tkinter
import tkinter.messagebox as messagebox
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

BoxListener = Callable[[str, str, str], None]  # (kind: info|warning|error, title, message)
_BOX_KINDS = {"showinfo": "info", "showwarning": "warning", "showerror": "error"}
_ICON_KINDS = {messagebox.INFO: "info", messagebox.WARNING: "warning", messagebox.ERROR: "error"}

_lock = threading.Lock()
_local = threading.local()
_users = 0
_installed: list[tuple[Any, str, Any, Any]] = []  # (owner, name, original, wrapper)
_box_listeners: list[BoxListener] = []


def acquire() -> None:
    """An integration starts using the observers (installs them on first use)."""
    global _users
    with _lock:
        _users += 1
        if _users == 1:
            _install()


def release() -> None:
    """An integration is done with them (the last one puts the originals back)."""
    global _users
    with _lock:
        _users = max(0, _users - 1)
        if _users == 0:
            _uninstall()


def add_box_listener(listener: BoxListener) -> None:
    with _lock:
        _box_listeners.append(listener)


def remove_box_listener(listener: BoxListener) -> None:
    with _lock:
        if listener in _box_listeners:
            _box_listeners.remove(listener)


@contextlib.contextmanager
def counting_handoffs() -> Iterator[list[int]]:
    """Count the threads started, pool jobs submitted and `after()` callbacks scheduled
    on this thread inside the block, by the block itself: not by Tk callbacks that run
    nested in it (a start calling `update()` runs the host's pollers, which re-arm)."""
    counter = [0, _callback_depth()]
    stack = _counters()
    stack.append(counter)
    try:
        yield counter
    finally:
        stack.remove(counter)


# -- internals -------------------------------------------------------------------------

def _counters() -> list[list[int]]:
    stack = getattr(_local, "counters", None)
    if stack is None:
        stack = _local.counters = []
    return stack


_CALLBACK_CODE = tkinter.CallWrapper.__call__.__code__


def _callback_depth() -> int:
    """How many Tk callbacks are running, nested, on this thread's stack."""
    depth = 0
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _CALLBACK_CODE:
            depth += 1
        frame = frame.f_back
    return depth


def _note_handoff() -> None:
    counters = getattr(_local, "counters", None)
    if not counters:
        return
    depth = _callback_depth()
    for counter in counters:
        if depth <= counter[1]:
            counter[0] += 1


def _notify_box(kind: str, title: Any, message: Any) -> None:
    with _lock:
        listeners = list(_box_listeners)
    for listener in listeners:
        try:
            listener(kind, "" if title is None else str(title), "" if message is None else str(message))
        except Exception:
            log.exception("prompt-tracking: could not record a message box")


def _wrap_public_box(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    @functools.wraps(original)
    def show(title: Any = None, message: Any = None, **options: Any) -> Any:
        _notify_box(kind, title, message)
        _local.in_public_box = getattr(_local, "in_public_box", 0) + 1
        try:
            return original(title, message, **options)
        finally:
            _local.in_public_box -= 1
    return show


def _wrap_private_show(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _show(title: Any = None, message: Any = None, _icon: Any = None, _type: Any = None,
              **options: Any) -> Any:
        if not getattr(_local, "in_public_box", 0) and (_type in (None, messagebox.OK)):
            kind = _ICON_KINDS.get(options.get("icon", _icon))
            if kind is not None:
                _notify_box(kind, title, message)
        return original(title, message, _icon, _type, **options)
    return _show


def _wrap_handoff(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def handoff(self: Any, *args: Any, **kwargs: Any) -> Any:
        _note_handoff()
        return original(self, *args, **kwargs)
    return handoff


def _install() -> None:
    targets: list[tuple[Any, str, Any]] = [
        (threading.Thread, "start", _wrap_handoff),
        (concurrent.futures.ThreadPoolExecutor, "submit", _wrap_handoff),
        (tkinter.Misc, "after", _wrap_handoff),
        (tkinter.Misc, "after_idle", _wrap_handoff),
        (messagebox, "_show", _wrap_private_show)]
    targets += [(messagebox, name, functools.partial(_wrap_public_box, kind=kind))
                for name, kind in _BOX_KINDS.items()]
    for owner, name, make in targets:
        original = getattr(owner, name, None)
        if original is None:
            continue
        wrapper = make(original)
        setattr(owner, name, wrapper)
        _installed.append((owner, name, original, wrapper))


def _uninstall() -> None:
    while _installed:
        owner, name, original, wrapper = _installed.pop()
        if getattr(owner, name, None) is wrapper:
            setattr(owner, name, original)
        else:
            log.info("prompt-tracking: %s.%s was replaced since; leaving it", owner, name)
