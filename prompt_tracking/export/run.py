"""Training-data export: curated, private, de-duplicated datasets written atomically.

`export_training_data(tracker, out_dir, ...)` reads the history, masks personal data,
builds the six task tables (`export_tasks`), removes near-duplicates, splits by
near-duplicate group (`dedupe`) and writes JSON Lines / CSV files with a manifest and a
dataset card into a folder that appears all at once (`export_files`). It needs the
user's opt-in (`settings`), and raises `ConsentRequiredError` before touching anything
without it. `register_cli` adds the `prompt-tracker export` command.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from prompt_tracking import settings
from prompt_tracking.export.dedupe import GroupSplitter
from prompt_tracking.export.dedupe import __doc__ as _dedupe_doc
from prompt_tracking.errors import ConsentRequiredError
from prompt_tracking.gcpause import cycle_collector_paused
from prompt_tracking.export.card import dataset_card
from prompt_tracking.export.files import CARD_NAME, FORMATS, GENERATOR, MANIFEST_NAME, WRITERS, \
    atomic_directory, is_replaceable, open_private, private_dir, write_manifest
from prompt_tracking.export.media import MediaStore
from prompt_tracking.export.tasks import BUILDERS, GOOD_RATING, TASK_COLUMNS, TASKS, \
    THRESHOLD_TASKS, Prepared, prepare
from prompt_tracking.export.curation import get_prompts_for_ai_training
from prompt_tracking.privacy.pii import PiiRedactor
from prompt_tracking.query import to_epoch

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
        images: The manifest's "images" section (files, bytes, linked, copied, remote,
            missing, unreadable, ...), or None when images were not exported.
    """

    out_dir: Path
    manifest_path: Path
    counts: dict[str, dict[str, int]]
    redactions: dict[str, int]
    duplicates_removed: dict[str, int]
    records_read: int
    formats: tuple[str, ...]
    created_at: str
    images: dict[str, Any] | None = None

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


def _build_tables(prepared: Sequence[Prepared], tasks: Sequence[str], splitter: GroupSplitter,
                  good: int = GOOD_RATING) -> tuple[dict[str, dict[str, list]], dict[str, int]]:
    """Rows per task and split, near-duplicates dropped (the newest of each is kept)."""
    tables: dict[str, dict[str, list]] = {}
    removed: dict[str, int] = {}
    for task in tasks:
        seen: set[tuple] = set()
        by_split: dict[str, list] = {name: [] for name in splitter.names}
        duplicates = 0
        built = BUILDERS[task](prepared, good) if task in THRESHOLD_TASKS else BUILDERS[task](prepared)
        for identity, group, row in built:
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
                         consent_via: str = "api", images: bool = False,
                         link_images: bool = True,
                         min_quality_rating: int = GOOD_RATING) -> ExportReport:
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
        images: Put every local result file a row refers to into the export
            (`images/<sha256>.<ext>`, see `export.media`) and refer to it by a path relative
            to the export; records whose file is missing are left out of `quality` and
            `preference_pairs`. No path outside the export is written.
        link_images: Hard-link the files when on the same file system (else copy).
        min_quality_rating: Lowest rating (3-5) of a good result: a chosen result in
            `preference_pairs`, the `after` of a repair.

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
    if isinstance(min_quality_rating, bool) or min_quality_rating not in (3, 4, 5):
        raise ValueError(f"min_quality_rating must be 3, 4 or 5, got {min_quality_rating!r}")
    if models is not None:
        models = (models,) if isinstance(models, str) else tuple(models)
    to_epoch(since, name="since")  # a bad date fails here, before consent is stored
    require_consent(tracker, consent, via=consent_via)
    target = Path(out_dir).expanduser().absolute()
    if not is_replaceable(target):
        raise FileExistsError(f"{target} exists and is not an earlier prompt-tracking export; "
                              "choose an empty or new folder")
    report = progress or (lambda fraction, message: None)
    options = {"models": models, "since": since, "redact_pii": redact_pii,
               "min_quality_rating": min_quality_rating}

    with cycle_collector_paused(), atomic_directory(target) as folder:
        media = MediaStore(folder, link=link_images) if images else None
        tables, removed, redactions, records_read = _collect(
            tracker, options, task_names, GroupSplitter(split_names, ratios, seed), media, report)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        manifest = _manifest(tables, removed, redactions, records_read, format_names, split_names,
                             ratios, seed, created, options,
                             media.summary() if media is not None else None)
        _write(folder, tables, format_names, manifest, report)
    report(1.0, f"exported to {target}")
    return ExportReport(out_dir=target, manifest_path=target / MANIFEST_NAME,
                        counts={t: {s: len(rows) for s, rows in by.items()} for t, by in tables.items()},
                        redactions=redactions, duplicates_removed=removed,
                        records_read=records_read, formats=format_names, created_at=created,
                        images=manifest["images"])


def _collect(tracker: Any, options: dict[str, Any], tasks: Sequence[str],
             splitter: GroupSplitter, media: MediaStore | None,
             report: Progress) -> tuple[dict, dict, dict, int]:
    """Read, mask and group the records, then build the task tables (collecting images)."""
    report(0.0, "reading records")
    records = _read(tracker, options["models"], options["since"], report)
    report(0.4, "masking personal data and grouping near-duplicates")
    redactor = PiiRedactor() if options["redact_pii"] else None
    if media is not None:
        expected = sum(1 for r in records if r.success and r.result_url) or 1

        def copied(done: int, message: str) -> None:
            report(0.5 + 0.35 * min(1.0, done / expected), message)
        media._progress = copied
    prepared = prepare(records, redactor, media)
    report(0.5, "building task tables" + (" and collecting images" if media else ""))
    tables, removed = _build_tables(prepared, tasks, splitter, options["min_quality_rating"])
    # Counted after the tables: the pair tasks mask result references while they are built.
    redactions = dict(redactor.counts) if redactor else {}
    return tables, removed, redactions, len(records)


def _write(folder: Path, tables: dict[str, dict[str, list]], formats: Sequence[str],
           manifest: dict[str, Any], report: Progress) -> None:
    """Every table file, the manifest and the card, into the export's temporary folder."""
    report(0.88, "writing files")
    steps = sum(len(by_split) for by_split in tables.values()) * len(formats)
    done = 0
    for task, by_split in tables.items():
        private_dir(folder / task)
        for split_name, rows in by_split.items():
            for fmt in formats:
                WRITERS[fmt](folder / task / f"{split_name}.{fmt}", TASK_COLUMNS[task], rows)
                done += 1
                report(0.88 + 0.1 * done / steps, f"wrote {task}/{split_name}.{fmt}")
    write_manifest(folder, manifest)
    with open_private(folder / CARD_NAME) as handle:
        handle.write(dataset_card(manifest))


def _manifest(tables: dict[str, dict[str, list]], removed: dict[str, int],
              redactions: dict[str, int], records_read: int, formats: Sequence[str],
              split_names: Sequence[str], ratios: Sequence[float], seed: int, created: str,
              options: dict[str, Any], images: dict[str, Any] | None) -> dict[str, Any]:
    from prompt_tracking._version import __version__

    tasks = {}
    for task, by_split in tables.items():
        counts: dict[str, Any] = {s: len(rows) for s, rows in by_split.items()}
        counts.update(total=sum(counts.values()), duplicates_removed=removed[task],
                      columns=list(TASK_COLUMNS[task]))
        tasks[task] = counts
    models, since = options["models"], options["since"]
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
        "redact_pii": options["redact_pii"],
        "min_quality_rating": options["min_quality_rating"],
        "images": images,
        "redactions": redactions,
        "duplicates_removed": sum(removed.values()),
        "dedupe_rule": DEDUPE_RULE,
    }


__all__ = ["ExportReport", "export_training_data", "get_prompts_for_ai_training"]
