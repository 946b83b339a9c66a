"""The demo host app: five example generation layouts, each tracked with one
`quick_integrate_tracking(...)` line, on a simulated local backend and its own store."""
from __future__ import annotations

from .app import DemoApp, open_demo

__all__ = ["DemoApp", "open_demo"]
