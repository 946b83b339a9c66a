"""Which layouts are integrated: one handle per layout, so integrating twice is a no-op."""
from __future__ import annotations

import weakref
from typing import Any

# layout -> its IntegrationHandle; weak, so a destroyed layout does not stay alive here
_handles: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def handle_for(layout: Any) -> Any | None:
    """The handle integrating `layout`, or None."""
    try:
        return _handles.get(layout)
    except TypeError:  # a layout that cannot be weakly referenced is never stored
        return None


def remember(layout: Any, handle: Any) -> None:
    try:
        _handles[layout] = handle
    except TypeError:
        pass


def forget(handle: Any) -> None:
    """Called by `handle.remove()`: the layout may be integrated again."""
    layout = handle.layout  # read before `is handle` narrows `handle` to `Any | None`
    if handle_for(layout) is handle:
        del _handles[layout]
