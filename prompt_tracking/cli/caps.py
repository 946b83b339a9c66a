"""`prompt-tracker caps [--successful N|none] [--failed N|none]`: show or set retention caps.

On the local store the caps are saved in the data dir (later trackers opened with the
default caps use them); on a shared store they belong to the store, for every workstation.
Records beyond a cap are archived (local store) or deleted (shared store) right away.
"""
from __future__ import annotations

import argparse
from typing import Any

from prompt_tracking._storage.shared import open_shared_store
from prompt_tracking.errors import StoreUnavailableError
from prompt_tracking.migration.run import effective_caps
from prompt_tracking.tracker import EnhancedPromptTracker

EXIT_OK, EXIT_STORE = 0, 2
_NAMES = {"max_successful": "successful", "max_failed": "failed"}


def _cap(text: str) -> int | None:
    if text.strip().lower() in ("none", "off", "unlimited"):
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"a cap is a whole number >= 0 or 'none', not {text!r}")
    return value


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `caps` subcommand to `prompt-tracker`'s subparsers."""
    parser = subparsers.add_parser(
        "caps", help="show or set how many successful and failed records are kept",
        description="Without options, print the retention caps. With --successful or "
                    "--failed, set them ('none' keeps everything): saved in the data dir for "
                    "the local store, or stored in a shared store for every workstation.")
    for label in _NAMES.values():  # absent when not given ('none' gives None)
        parser.add_argument(f"--{label}", type=_cap, metavar="N|none", default=argparse.SUPPRESS,
                            help=f"{label} records kept")
    parser.set_defaults(func=cmd_caps)
    return parser


def _show(caps: dict[str, int | None]) -> str:
    return ", ".join(f"{label} {'no cap' if caps[name] is None else f'{caps[name]:,}'}"
                     for name, label in _NAMES.items())


def cmd_caps(args: argparse.Namespace) -> int:
    changes = {name: getattr(args, label) for name, label in _NAMES.items() if hasattr(args, label)}
    with EnhancedPromptTracker(getattr(args, "data_dir", None)) as tracker:
        if tracker.database_url:
            store = open_shared_store(tracker)
            if store is None:
                print(f"prompt-tracker: cannot reach the shared store {tracker.database_url}")
                return EXIT_STORE
            caps, where = store.caps(), f"shared store {tracker.database_url}"
        else:  # the caps a start would apply (saved ones replace the default); opens nothing
            caps = {name: effective_caps(tracker)[label] for name, label in _NAMES.items()}
            where = f"local store {tracker.db_path}"
        new = {**caps, **changes}
        if not changes:
            print(f"Retention caps of the {where}: {_show(caps)}.")
            return EXIT_OK
        try:
            if tracker.database_url:
                store.set_caps(**new)
            else:
                tracker.set_caps(**new, persist=True)
            tracker.enforce_retention()
        except (StoreUnavailableError, OSError, ValueError) as exc:
            print(f"prompt-tracker: cannot set the caps of the {where}: {exc}")
            return EXIT_STORE
        print(f"Retention caps of the {where} set: {_show(new)}.")
    return EXIT_OK
