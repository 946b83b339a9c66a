"""`prompt-tracker export`: write the training datasets from the command line (opt-in)."""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from prompt_tracking.errors import ConsentRequiredError
from prompt_tracking.export import FORMATS, TASKS, export_training_data
from prompt_tracking.tracker import EnhancedPromptTracker


BAR_WIDTH = 30


def progress_bar(fraction: float, message: str) -> str:
    """`export:  45% [#############.................] collected 4200 result files`."""
    filled = int(round(BAR_WIDTH * max(0.0, min(1.0, fraction))))
    return f"export: {fraction:4.0%} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {message}"


class _StderrProgress:
    """A progress bar on stderr: redrawn in place on a terminal, else at most two lines a
    second, so a scheduler's log stays short."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._last = 0.0
        self._tty = sys.stderr.isatty()

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if self.quiet or (now - self._last < (0.1 if self._tty else 0.5) and fraction < 1.0):
            return
        self._last = now
        line = progress_bar(fraction, message)
        if self._tty:
            end = "\n" if fraction >= 1.0 else ""
            print(f"\r{line[:200]:<80}", end=end, file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def cmd_export(args: argparse.Namespace) -> int:
    """`prompt-tracker export`: 0 on success, 3 without the opt-in, 2 for bad arguments."""
    with EnhancedPromptTracker(getattr(args, "data_dir", None)) as tracker:
        try:
            report = export_training_data(
                tracker, args.out, tasks=args.tasks, formats=args.format,
                consent=True if args.i_consent else None, redact_pii=not args.keep_pii,
                seed=args.seed, models=args.models, since=args.since,
                progress=_StderrProgress(args.quiet), consent_via="cli", images=args.images,
                link_images=not args.copy_images, min_quality_rating=args.min_rating)
        except ConsentRequiredError:
            # The library's message speaks to Python callers (consent=True); say it the CLI's way.
            print("prompt-tracker: training export is opt-in, and this store has no opt-in yet. "
                  "Run the command again with --i-consent (or tick the consent box in the "
                  "analytics window's Export tab). Nothing was written.", file=sys.stderr)
            return 3
    print(f"exported {report.total_rows} rows from {report.records_read} records to "
          f"{report.out_dir}")
    for task, counts in report.counts.items():
        print(f"  {task:<24}" + "  ".join(f"{s} {n}" for s, n in counts.items()))
    if report.images is not None:
        i = report.images
        print(f"  images: {i['files']} files, {i['bytes'] / 1e6:.1f} MB ({i['linked']} linked, "
              f"{i['copied']} copied); {i['remote']} remote, {i['missing']} missing, "
              f"{i['unreadable']} unreadable")
    return 0


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `export` subcommand to the `prompt-tracker` parser's subparsers."""
    parser = subparsers.add_parser(
        "export", help="write training datasets (opt-in)",
        description="Write curated training datasets to a folder, atomically. Needs the user's "
                    "opt-in once: --i-consent records it.")
    parser.add_argument("--out", required=True, help="export folder (new, empty, or an earlier "
                                                     "export, which is replaced)")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, help="default: all")
    parser.add_argument("--format", nargs="+", choices=FORMATS, default=["jsonl"],
                        help="file formats (default: jsonl)")
    parser.add_argument("--since", help="only records from this date/time on (ISO 8601)")
    parser.add_argument("--models", nargs="+", help="only these models")
    parser.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    parser.add_argument("--i-consent", action="store_true",
                        help="record the opt-in to training export (asked once)")
    parser.add_argument("--keep-pii", action="store_true",
                        help="do not mask e-mails, phones, IPs, credential URLs, home paths")
    parser.add_argument("--images", action="store_true",
                        help="put the result images into the export (images/<sha256>.<ext>)")
    parser.add_argument("--copy-images", action="store_true",
                        help="copy the images even where a hard link is possible")
    parser.add_argument("--min-rating", type=int, choices=(3, 4, 5), default=4,
                        help="lowest rating of a good result (chosen, repair after); default 4")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=cmd_export)
    return parser
