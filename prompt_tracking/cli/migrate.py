"""`prompt-tracker migrate [PATH ...] [--dry-run]`: the migration from the command line.

A dry run comes first; when the import would push records over the retention cap, the
command offers to raise the cap (`--raise-cap N` or `--yes` answer without asking).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from prompt_tracking.errors import StoreUnavailableError
from prompt_tracking.migration.run import MigrationReport, find_legacy_files, migrate, raise_cap

EXIT_OK, EXIT_SOURCE_ERRORS, EXIT_STORE, EXIT_ABORTED = 0, 1, 2, 3


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `migrate` subcommand to `prompt-tracker`'s subparsers."""
    parser = subparsers.add_parser(
        "migrate", help="import older tracking data, prompt histories and image folders",
        description="Import legacy prompt data. Sources are never modified; running twice "
                    "imports nothing new. Without PATHs, looks for the earlier tracker's "
                    "JSON files in the data dir, the working dir and the home dir.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="JSON / JSON Lines files, PNG images or folders of images")
    parser.add_argument("--dry-run", action="store_true", help="report what would happen; "
                                                               "write nothing")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="do not ask; records over the cap go to the archive")
    parser.add_argument("--raise-cap", type=int, metavar="N",
                        help="raise the successful and failed caps to N for this import")
    parser.add_argument("--no-backup", action="store_true", help="skip the store backup")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=cmd_migrate)
    return parser


def cmd_migrate(args: argparse.Namespace, *, ask: Callable[[str], str] = input) -> int:
    """Run the `migrate` command; returns the exit code."""
    from prompt_tracking.tracker import EnhancedPromptTracker

    data_dir = getattr(args, "data_dir", None)
    # Absolute before anything opens the store: a relative dir is not a valid file URI,
    # and a later chdir (a host app) must not move the store.
    data_dir = Path(data_dir).expanduser().resolve() if data_dir else None
    # The tracker's writer is never started by a dry run (migrate(dry_run=True) only
    # reads), so a dry run creates no file in the data dir, not even the store's WAL.
    with EnhancedPromptTracker(data_dir) as tracker:
        sources = args.paths or find_legacy_files(tracker.data_dir)
        if not sources:
            print("No legacy data found (give the files or folders to import as PATHs).")
            return EXIT_OK
        if args.raise_cap is not None:
            # Saved only when importing for real; a dry run just shows the effect.
            raise_cap(tracker, successful=args.raise_cap, failed=args.raise_cap,
                      persist=not args.dry_run)
        try:
            report = migrate(sources, tracker=tracker, dry_run=True)
            if not args.dry_run:
                if not _settle_cap(tracker, report, args, ask):
                    print("Nothing imported.")
                    return EXIT_ABORTED
                report = migrate(sources, tracker=tracker, backup=not args.no_backup,
                                 progress=None if args.json else _print_progress)
        except StoreUnavailableError as exc:
            print(f"prompt-tracker: error: {exc}", file=sys.stderr)
            return EXIT_STORE
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.summary())
    return EXIT_SOURCE_ERRORS if report.errors else EXIT_OK


def _settle_cap(tracker: Any, report: MigrationReport, args: argparse.Namespace,
                ask: Callable[[str], str]) -> bool:
    """Offer to raise the cap when the import would archive records; False: abort."""
    if not report.would_archive or args.yes or args.raise_cap is not None:
        return True
    needed = report.caps_to_raise()
    print(report.summary())
    caps = " and ".join(f"the {name} cap to {value}" for name, value in needed.items())
    question = (f"{report.would_archive} record(s) would go to the archive (they stay in "
                f"archive.jsonl.gz). Raise {caps} for this import? "
                "[y]es / [n]o, archive them / [q]uit: ")
    try:
        answer = ask(question).strip().lower()
    except EOFError:
        answer = "n"
    if answer.startswith("q"):
        return False
    if answer.startswith("y"):
        raise_cap(tracker, successful=needed.get("successful"), failed=needed.get("failed"))
        print("Caps raised and saved in the data dir's settings; trackers opened with the "
              "default caps use them from now on.")
    return True


def _print_progress(fraction: float, message: str) -> None:
    print(f"\r{fraction:6.1%}  {message[:60]:<60}", end="" if fraction < 1 else "\n",
          file=sys.stderr, flush=True)
