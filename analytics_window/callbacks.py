"""`safe`, the wrapper every Tk callback of the window goes through, and `cancel_after`."""
from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__package__)


def cancel_after(widget: tk.Misc, after_id: str | None) -> None:
    """Cancel an `after` job if there is one; a widget already torn down has none left."""
    if after_id is not None:
        try:
            widget.after_cancel(after_id)
        except tk.TclError:
            pass


def safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Tk callback so its errors are logged, never raised into the host."""
    def wrapper(*args: Any) -> Any:
        try:
            return fn(*args)
        except Exception:
            log.exception("analytics window: %s failed", getattr(fn, "__name__", "callback"))
            return None
    return wrapper
