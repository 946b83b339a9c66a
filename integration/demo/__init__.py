"""The demo host app: five example generation layouts, each tracked with one
`quick_integrate_tracking(...)` line, on a simulated local backend and its own store."""
from __future__ import annotations

from .app import DemoApp, register_cli, run_demo

__all__ = ["DemoApp", "register_cli", "run_demo"]
