"""The analytics window: a multi-tab matplotlib dashboard that opens inside the host app.

    from prompt_tracking.analytics_window import open_analytics_window, add_analytics_menu
    open_analytics_window(root, tracker)          # a second call raises the open window
    open_review_window(root, tracker, models="sdxl")  # rate unrated results one key each
    add_analytics_menu(help_menu, tracker)        # "Prompt Analytics..." in a host menu

Importing this package is cheap: matplotlib and the analytics engine load on a worker
thread when the window first opens.
"""
from __future__ import annotations

from .review import REVIEWED_EVENT, ReviewWindow, open_review_window
from .window import (
    LOADED_EVENT,
    AnalyticsWindow,
    add_analytics_menu,
    open_analytics_window,
)

__all__ = ["AnalyticsWindow", "LOADED_EVENT", "REVIEWED_EVENT", "ReviewWindow", "add_analytics_menu",
           "open_analytics_window", "open_review_window"]
