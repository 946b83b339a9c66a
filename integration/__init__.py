"""Integration with host apps: `quick_integrate_tracking()` (one line per layout), the
`TrackingMixin` for the explicit style, the thread hand-off glue and the demo app.

Importing this package loads tkinter only; the tracker core and the widgets are
imported when first used.
"""
from __future__ import annotations

from .mixin import TrackingMixin
from .quick import IntegrationHandle, quick_integrate_tracking

__all__ = ["IntegrationHandle", "TrackingMixin", "quick_integrate_tracking"]
