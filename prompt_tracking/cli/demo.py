"""`prompt-tracker demo`: the demo app on its own store (Tk is loaded only when it runs)."""
from __future__ import annotations

import argparse
import logging
from typing import Any

from prompt_tracking.cli.gui import gui_command

DEFAULT_THEME = "bootstrap-light"


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `demo` subcommand to `prompt-tracker`'s subparsers."""
    parser = subparsers.add_parser("demo", help="open the demo app (simulated models, own store)",
                                   description="The prompt-tracking demo app.")
    _add_arguments(parser)
    parser.set_defaults(func=gui_command(run))
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="store for the demo (default: <data dir>/demo)")
    parser.add_argument("--seed-history", type=int, default=0, metavar="N",
                        help="pre-fill N synthetic records")
    parser.add_argument("--delay", type=float, default=None,
                        help="seconds per simulated job (default: realistic per model)")
    parser.add_argument("--theme", default=DEFAULT_THEME, help="ttkbootstrap theme")
    parser.add_argument("--exit-after", type=int, default=None, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Open the demo and run it until the window closes."""
    from prompt_tracking.integration.demo.app import open_demo

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    window, app = open_demo(args)
    if args.exit_after:
        window.after(args.exit_after, window.destroy)
    try:
        window.mainloop()
    finally:
        app.tracker.close()
    return 0
