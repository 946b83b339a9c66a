"""Training-data export: curated, private, de-duplicated datasets written atomically.

`export_training_data(tracker, out_dir, ...)` reads the history, masks personal data,
builds the six task tables (`export_tasks`), removes near-duplicates, splits by
near-duplicate group (`dedupe`) and writes JSON Lines / CSV files with a manifest and a
dataset card into a folder that appears all at once (`export_files`). It needs the
user's opt-in (`settings`), and raises `ConsentRequiredError` before touching anything
without it. `register_cli` adds the `prompt-tracker export` command.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import settings
from .dedupe import GroupSplitter
from .dedupe import __doc__ as _dedupe_doc
from .errors import ConsentRequiredError
from .gcpause import cycle_collector_paused
from .export_files import CARD_NAME, FORMATS, GENERATOR, MANIFEST_NAME, WRITERS, \
    atomic_directory, dataset_card, is_replaceable, write_manifest
from .export_tasks import BUILDERS, TASK_COLUMNS, TASKS, Prepared, prepare
from .curation import get_prompts_for_ai_training
from .pii import PiiRedactor
from .query import to_epoch

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SPLIT_NAMES = {2: ("train", "test"), 3: ("train", "validation", "test")}
DEDUPE_RULE = " ".join(_dedupe_doc.split("\n\n")[1].split()) if _dedupe_doc else ""
SPLIT_RULE = ("each near-duplicate group goes to one split, chosen by a hash of (seed, group key), "
              "so a group never spans train and test in any task.")
CONSENT_HELP = ("Training export is opt-in and the user has not opted in. Tick the consent box "
                "in the Export tab, run `prompt-tracker export --i-consent`, or pass consent=True. "
                "Nothing was written.")

Progress = Callable[[float, str], None]


@dataclasses.dataclass
class ExportReport:
    """What an export wrote.

    Attributes:
        out_dir: The export folder.
        manifest_path: Its manifest.json.
        counts: Rows per task and split, e.g. {"quality": {"train": 80, "validation": 9, ...}}.
        redactions: Personal data masked, per kind (email, phone, ip_address, ...).
        duplicates_removed: Near-duplicate rows dropped, per task.
        records_read: Records that matched the filters.
        formats: File formats written.
        created_at: ISO 8601 UTC time of the export.
    """

    out_dir: Path
    manifest_path: Path
    counts: dict[str, dict[str, int]]
    redactions: dict[str, int]
    duplicates_removed: dict[str, int]
    records_read: int
    formats: tuple[str, ...]
    created_at: str

    @property
    def total_rows(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.update(out_dir=str(self.out_dir), manifest_path=str(self.manifest_path),
                    formats=list(self.formats), total_rows=self.total_rows)
        return data


def _check_choices(values: Iterable[str] | str | None, allowed: Sequence[str], name: str,
                   default: Sequence[str]) -> tuple[str, ...]:
    if values is None:
        return tuple(default)
    chosen = (values,) if isinstance(values, str) else tuple(values)
    unknown = [v for v in chosen if v not in allowed]
    if unknown or not chosen:
        raise ValueError(f"{name} must be a non-empty selection of {list(allowed)}, got {values!r}")
    return tuple(dict.fromkeys(chosen))


def _check_split(split: Sequence[float]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    ratios = tuple(split)
    if len(ratios) not in SPLIT_NAMES or any(
            isinstance(r, bool) or not isinstance(r, (int, float)) or not r >= 0 for r in ratios) \
            or not math.isclose(sum(ratios), 1.0, abs_tol=1e-6):
        raise ValueError(f"split must be 2 or 3 non-negative shares summing to 1, got {split!r}")
    return SPLIT_NAMES[len(ratios)], tuple(float(r) for r in ratios)


def require_consent(tracker: Any, consent: bool | None, *, via: str = "api") -> None:
    """Store a `consent=True`, or check the stored opt-in.

    Raises:
        ConsentRequiredError: `consent` is False, or None with no stored opt-in.
    """
    if consent is True:
        if not settings.has_export_consent(tracker.data_dir):
            settings.grant_export_consent(tracker.data_dir, via=via)
        return
    if consent is False or not settings.has_export_consent(tracker.data_dir):
        raise ConsentRequiredError(CONSENT_HELP)


def _read(tracker: Any, models: Any, since: Any, progress: Progress) -> list[Any]:
    total = tracker.stats(models=models, since=since)["total"] or 1
    records = []
    for record in tracker.records(models=models, since=since, newest_first=True):
        records.append(record)
        if len(records) % 5000 == 0:
            progress(0.4 * len(records) / total, f"read {len(records)} of {total} records")
    return records


def _build_tables(prepared: Sequence[Prepared], tasks: Sequence[str],
                  splitter: GroupSplitter) -> tuple[dict[str, dict[str, list]], dict[str, int]]:
    """Rows per task and split, near-duplicates dropped (the newest of each is kept)."""
    tables: dict[str, dict[str, list]] = {}
    removed: dict[str, int] = {}
    for task in tasks:
        seen: set[tuple] = set()
        by_split: dict[str, list] = {name: [] for name in splitter.names}
        duplicates = 0
        for identity, group, row in BUILDERS[task](prepared):
            if identity in seen:
                duplicates += 1
                continue
            seen.add(identity)
            by_split[splitter(group)].append(row)
        tables[task], removed[task] = by_split, duplicates
    return tables, removed


def export_training_data(tracker: Any, out_dir: str | Path, *, tasks: Iterable[str] | None = None,
                         formats: Iterable[str] | str = ("jsonl",), consent: bool | None = None,
                         redact_pii: bool = True, split: Sequence[float] = (0.8, 0.1, 0.1),
                         seed: int = 0, models: str | Iterable[str] | None = None,
                         since: Any = None, progress: Progress | None = None,
                         consent_via: str = "api") -> ExportReport:
    """Write the training tasks to `out_dir` as `<task>/<split>.<format>`, atomically.

    Args:
        tracker: The `EnhancedPromptTracker` to read.
        out_dir: The export folder. It must be new, empty, or an earlier export (replaced):
            one whose manifest.json was written by prompt-tracking and that holds only the
            files an export writes.
        tasks: Task names (default: all six, see `export_tasks.TASKS`).
        formats: "jsonl" and/or "csv".
        consent: True records the user's opt-in; None uses the stored one; False refuses.
        redact_pii: Mask e-mails, phones, IPs, credential URLs and home paths.
        split: Shares of (train, validation, test), or of (train, test).
        seed: Decides which near-duplicate groups land in which split.
        models: Only these models. since: Only records from this time on.
        progress: Called as progress(fraction 0..1, message) from this thread.
        consent_via: Where a consent=True came from ("api", "cli", "gui"), stored with it.

    Returns:
        An `ExportReport`.

    Raises:
        ConsentRequiredError: no opt-in; nothing is read or written.
        ValueError: an argument is unusable (the message names it).
        FileExistsError: `out_dir` holds anything but an earlier export (a folder with our
            manifest and only the files an export writes); it is left untouched.
        OSError: writing failed; nothing is left behind at `out_dir`.
    """
    task_names = _check_choices(tasks, TASKS, "tasks", TASKS)
    format_names = _check_choices(formats, FORMATS, "formats", ("jsonl",))
    split_names, ratios = _check_split(split)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an int, got {seed!r}")
    if models is not None:
        models = (models,) if isinstance(models, str) else tuple(models)
    to_epoch(since, name="since")  # a bad date fails here, before consent is stored
    require_consent(tracker, consent, via=consent_via)
    target = Path(out_dir).expanduser().absolute()
    if not is_replaceable(target):
        raise FileExistsError(f"{target} exists and is not an earlier prompt-tracking export; "
                              "choose an empty or new folder")
    report = progress or (lambda fraction, message: None)

    with cycle_collector_paused():
        tables, removed, redactions, records_read = _collect(
            tracker, models, since, redact_pii, task_names, GroupSplitter(split_names, ratios, seed),
            report)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        manifest = _manifest(tables, removed, redactions, records_read, format_names, split_names,
                             ratios, seed, created, models, since, redact_pii)
        _write(target, tables, format_names, manifest, report)
    report(1.0, f"exported to {target}")
    return ExportReport(out_dir=target, manifest_path=target / MANIFEST_NAME,
                        counts={t: {s: len(rows) for s, rows in by.items()} for t, by in tables.items()},
                        redactions=redactions, duplicates_removed=removed,
                        records_read=records_read, formats=format_names, created_at=created)


def _collect(tracker: Any, models: Any, since: Any, redact_pii: bool, tasks: Sequence[str],
             splitter: GroupSplitter, report: Progress) -> tuple[dict, dict, dict, int]:
    """Read, mask and group the records, then build the task tables."""
    report(0.0, "reading records")
    records = _read(tracker, models, since, report)
    report(0.4, "masking personal data and grouping near-duplicates")
    redactor = PiiRedactor() if redact_pii else None
    prepared = prepare(records, redactor)
    report(0.6, "building task tables")
    tables, removed = _build_tables(prepared, tasks, splitter)
    # Counted after the tables: the pair tasks mask result references while they are built.
    redactions = dict(redactor.counts) if redactor else {}
    return tables, removed, redactions, len(records)


def _write(target: Path, tables: dict[str, dict[str, list]], formats: Sequence[str],
           manifest: dict[str, Any], report: Progress) -> None:
    """Every file of the export, in a temporary folder that then becomes `target`."""
    report(0.7, "writing files")
    with atomic_directory(target) as folder:
        steps = sum(len(by_split) for by_split in tables.values()) * len(formats)
        done = 0
        for task, by_split in tables.items():
            (folder / task).mkdir()
            for split_name, rows in by_split.items():
                for fmt in formats:
                    WRITERS[fmt](folder / task / f"{split_name}.{fmt}", TASK_COLUMNS[task], rows)
                    done += 1
                    report(0.7 + 0.28 * done / steps, f"wrote {task}/{split_name}.{fmt}")
        write_manifest(folder, manifest)
        (folder / CARD_NAME).write_text(dataset_card(manifest), encoding="utf-8")


def _manifest(tables: dict[str, dict[str, list]], removed: dict[str, int],
              redactions: dict[str, int], records_read: int, formats: Sequence[str],
              split_names: Sequence[str], ratios: Sequence[float], seed: int, created: str,
              models: Any, since: Any, redact_pii: bool) -> dict[str, Any]:
    from . import __version__

    tasks = {}
    for task, by_split in tables.items():
        counts: dict[str, Any] = {s: len(rows) for s, rows in by_split.items()}
        counts.update(total=sum(counts.values()), duplicates_removed=removed[task],
                      columns=list(TASK_COLUMNS[task]))
        tasks[task] = counts
    since_epoch = to_epoch(since, name="since")
    return {
        "generator": GENERATOR,  # with schema_version, how a later export recognises this one
        "schema_version": SCHEMA_VERSION,
        "generator_version": __version__,
        "created_at": created,
        "records_read": records_read,
        "formats": list(formats),
        "tasks": tasks,
        "filters": {
            "models": list(models) if models is not None else None,
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since_epoch))
            if since_epoch is not None else None,
            "tasks": list(tables)},
        "split": {"names": list(split_names), "ratios": list(ratios), "seed": seed,
                  "rule": SPLIT_RULE},
        "redact_pii": redact_pii,
        "redactions": redactions,
        "duplicates_removed": sum(removed.values()),
        "dedupe_rule": DEDUPE_RULE,
    }


# -- command line ---------------------------------------------------------------------------
class _StderrProgress:
    """Progress lines on stderr, at most two a second, so a scheduler's log stays short."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if self.quiet or (now - self._last < 0.5 and fraction < 1.0):
            return
        self._last = now
        print(f"export: {fraction:4.0%} {message}", file=sys.stderr, flush=True)


def cmd_export(args: argparse.Namespace) -> int:
    """`prompt-tracker export`: 0 on success, 3 without the opt-in, 2 for bad arguments."""
    from .tracker import EnhancedPromptTracker

    with EnhancedPromptTracker(getattr(args, "data_dir", None)) as tracker:
        try:
            report = export_training_data(
                tracker, args.out, tasks=args.tasks, formats=args.format,
                consent=True if args.i_consent else None, redact_pii=not args.keep_pii,
                seed=args.seed, models=args.models, since=args.since,
                progress=_StderrProgress(args.quiet), consent_via="cli")
        except ConsentRequiredError as exc:
            print(f"prompt-tracker: {exc}", file=sys.stderr)
            return 3
    print(f"exported {report.total_rows} rows from {report.records_read} records to "
          f"{report.out_dir}")
    for task, counts in report.counts.items():
        print(f"  {task:<24}" + "  ".join(f"{s} {n}" for s, n in counts.items()))
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
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=cmd_export)
    return parser


def configure_auto_export(tracker: Any, out_dir: str | Path, *,
                          every_new_ratings: int | None = None, on_exit: bool = False,
                          interval_days: float | None = None) -> Any:
    """Export automatically into dated folders; see `auto_export.configure_auto_export`."""
    from .auto_export import configure_auto_export as configure  # it imports this module

    return configure(tracker, out_dir, every_new_ratings=every_new_ratings, on_exit=on_exit,
                     interval_days=interval_days)


__all__ = ["ExportReport", "configure_auto_export", "export_training_data",
           "get_prompts_for_ai_training", "register_cli"]
