"""What the GUI subcommands share: a clear message, not a traceback, when Tk cannot run."""
from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable

EXIT_NO_GUI = 4

Command = Callable[[argparse.Namespace], int]


def gui_command(run: Command) -> Command:
    """Wrap a GUI command: it imports Tk when run, and says what is missing when it cannot."""
    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            import tkinter
        except ImportError:
            print(f"prompt-tracker: error: `{args.command}` needs Tk, which this Python lacks "
                  "(on Debian/Ubuntu: apt-get install python3-tk). The headless commands "
                  "(where, stats, assess, export, migrate) work without it.", file=sys.stderr)
            return EXIT_NO_GUI
        try:
            return run(args)
        except tkinter.TclError as exc:
            if "display" not in str(exc).lower():
                raise
            print(f"prompt-tracker: error: `{args.command}` opens a window, but there is no "
                  f"display to open it on ({exc}). Run it from a desktop session, or set "
                  "DISPLAY (e.g. under Xvfb).", file=sys.stderr)
            return EXIT_NO_GUI
    return wrapper
