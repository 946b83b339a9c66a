"""`prompt-tracker review`: rate the unrated results one at a time, in the review window.

It imports Tk only when run.
"""
from __future__ import annotations

import argparse
from typing import Any

from prompt_tracking.cli.gui import gui_command


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `review` subcommand (func(args) -> exit code) to an argparse subparsers."""
    parser = subparsers.add_parser(
        "review", help="rate unrated results one at a time (keys 1-5, arrows, Esc)",
        description="Open the review window on your store: one unrated successful result at "
                    "a time, newest first. Keys: 1-5 rate and go on, 0 clears, Left/Right "
                    "move, k keeps, c comments, Escape closes.")
    parser.add_argument("--model", "--models", nargs="+", action="extend", metavar="MODEL",
                        help="only these models (several names, or the option repeated)")
    parser.add_argument("--since", help="ISO date or time, inclusive")
    parser.add_argument("--until", help="ISO date or time, exclusive")
    parser.add_argument("--exit-after", type=int, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(func=gui_command(run_review))
    return parser


def run_review(args: argparse.Namespace) -> int:
    """Open the review window in its own Tk root and run until it is closed."""
    import tkinter as tk

    from prompt_tracking import EnhancedPromptTracker

    from prompt_tracking.analytics_window.review import ReviewWindow
    from prompt_tracking.analytics_window.review_queue import review_filters

    filters = review_filters(models=args.model, since=args.since, until=args.until)
    with EnhancedPromptTracker(getattr(args, "data_dir", None)) as tracker:
        root = tk.Tk()
        root.withdraw()  # the window is the app here; closing it ends the command
        from prompt_tracking.analytics_window.window import AnalyticsWindow

        def back() -> None:  # the review closes; the analytics window is the app from then on
            analytics = AnalyticsWindow(root, tracker)
            analytics.bind("<Destroy>", lambda e: root.quit() if e.widget is analytics else None,
                           add="+")
        window = ReviewWindow(root, tracker, filters=filters, on_back=back)
        done = {"back": False}
        window.bind("<Destroy>", lambda e: root.quit() if e.widget is window and not done["back"]
                    else None, add="+")

        def go_back() -> None:
            done["back"] = True
            back()
        window.on_back = go_back
        if getattr(args, "exit_after", None):
            window.after(args.exit_after, window.destroy)
        root.mainloop()
        root.destroy()
    return 0
