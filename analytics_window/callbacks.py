"""`safe`: the wrapper every Tk callback of the window goes through."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("analytics_window")


def safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Tk callback so its errors are logged, never raised into the host."""
    def wrapper(*args: Any) -> Any:
        try:
            return fn(*args)
        except Exception:
            log.exception("analytics window: %s failed", getattr(fn, "__name__", "callback"))
            return None
    return wrapper
