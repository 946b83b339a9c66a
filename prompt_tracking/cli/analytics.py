"""`prompt-tracker analytics`: open the analytics window on the user's store, or on a demo one.

It imports Tk only when run.
"""
from __future__ import annotations

import argparse
import tempfile
from typing import Any

from prompt_tracking.cli.gui import gui_command

DEMO_RECORDS = 5000


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `analytics` subcommand (func(args) -> exit code) to an argparse subparsers."""
    parser = subparsers.add_parser("analytics", help="open the analytics window")
    parser.add_argument("--demo-data", action="store_true",
                        help=f"show {DEMO_RECORDS:,} synthetic records in a temporary store "
                             "instead of yours")
    parser.set_defaults(func=gui_command(run_analytics))
    return parser


def run_analytics(args: argparse.Namespace) -> int:
    """Open the window in its own Tk root and run until it is closed."""
    import tkinter as tk

    from prompt_tracking import EnhancedPromptTracker

    from prompt_tracking.analytics_window.window import AnalyticsWindow

    with tempfile.TemporaryDirectory(prefix="prompt-tracking-demo-") as demo_dir:
        if args.demo_data:
            from prompt_tracking.synthetic.history import fill_store

            tracker = EnhancedPromptTracker(demo_dir, max_successful=None, max_failed=None)
            fill_store(tracker, DEMO_RECORDS)
        else:
            tracker = EnhancedPromptTracker(getattr(args, "data_dir", None))
        with tracker:
            root = tk.Tk()
            root.withdraw()  # the window is the app here; closing it ends the command
            window = AnalyticsWindow(root, tracker)
            window.bind("<Destroy>", lambda e: root.quit() if e.widget is window else None,
                        add="+")
            root.mainloop()
            root.destroy()
    return 0
