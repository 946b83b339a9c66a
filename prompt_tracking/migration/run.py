"""Bringing older data in: the earlier tracker's JSON files, prompt histories, exports and images.

`migrate(sources)` reads every source (see `legacy_sources`), turns each entry into a
record with a deterministic id (see `legacy_records`), and imports the new ones in chunks
after backing the store up. It is idempotent, never modifies a source, and reports every
skipped entry with its file and position. `run_migration()` does this once for the legacy
files in the usual places, for a host to call at start-up; The command line
is in `prompt_tracking.cli.migrate`.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from prompt_tracking._storage import paths
from prompt_tracking.errors import StoreUnavailableError
from prompt_tracking.migration.legacy_records import InvalidEntryError, to_record
from prompt_tracking.migration.legacy_sources import Entry, Issue, expand_sources, read_source
from prompt_tracking.migration.report import MigrationReport, SourceReport
from prompt_tracking.migration.store import (KnownIds, SharedKnownIds, backup_store,
                                             checkpoint_store)
from prompt_tracking.records import PromptRecord

log = logging.getLogger(__name__)

CHUNK_SIZE = 2000
MAX_ISSUES = 1000                 # kept in the report; the counts stay exact beyond it
LEGACY_FILE_NAMES = ("prompt_tracking.json", "enhanced_prompt_tracking.json",
                     "prompt_history.json", "prompt_tracker.json", "prompt_tracking_data.json")
MARKER_NAME = "migration.json"
IMPORT_RETRIES = 5

Progress = Callable[[float, str], None]


def migrate(sources: str | os.PathLike | Iterable[str | os.PathLike], *, tracker: Any = None,
            dry_run: bool = False, backup: bool = True,
            progress: Progress | None = None) -> MigrationReport:
    """Import legacy records from files and folders into the store.

    Args:
        sources: Paths of legacy JSON files, prompt histories (JSON or JSON Lines), this
            project's JSONL export, PNG images, or folders of PNG images.
        tracker: The `EnhancedPromptTracker` to import into; None: a tracker on the default
            data dir, closed afterwards.
        dry_run: Read and check everything, write nothing (not even a backup).
        backup: Copy the store to `backups/` in the data dir before the first write.
        progress: Called as `progress(fraction, message)` from this thread now and then.

    Returns:
        The report; bad entries and unreadable files are in `report.issues`, never raised.

    Raises:
        StoreUnavailableError: the store cannot be read or written (nothing half-done is
            lost: what was imported stays, and running again continues).
    """
    from prompt_tracking.tracker import EnhancedPromptTracker

    own = tracker is None
    tracker = tracker if tracker is not None else EnhancedPromptTracker()
    try:
        return _Migration(tracker, dry_run=dry_run, backup=backup, progress=progress).run(sources)
    finally:
        if own:
            tracker.close()


class _Migration:
    """One run of `migrate`: streams entries, dedupes, imports in chunks, keeps the counts."""

    def __init__(self, tracker: Any, *, dry_run: bool, backup: bool,
                 progress: Progress | None) -> None:
        self.tracker = tracker
        self.backup = backup
        self.progress = progress
        self.report = MigrationReport(dry_run=dry_run, caps=effective_caps(tracker))
        self.seen: set[str] = set()
        # Resolved: a relative data dir ("data") cannot be opened as a read-only URI.
        self.known: KnownIds | SharedKnownIds = (
            SharedKnownIds(tracker) if getattr(tracker, "database_url", None) else
            KnownIds(Path(tracker.db_path).resolve(), Path(tracker.archive_path).resolve()))
        self.chunk: list[tuple[PromptRecord, SourceReport]] = []
        self.new_by_outcome = {True: 0, False: 0}
        self._last_progress = 0.0
        self._backed_up = False
        self._wrote = False

    def run(self, sources: Any) -> MigrationReport:
        started = time.perf_counter()
        try:
            plan = self._plan(sources)
            total_bytes = sum(size for _, files in plan for _, size in files) or 1
            done_bytes = 0
            for source_report, files in plan:
                self.report.sources.append(source_report)
                for path, size in files:
                    self._read(path, source_report, done_bytes, total_bytes)
                    done_bytes += size
            self._flush_chunk()
            self._finish()
        finally:
            self.known.close()
        if self._wrote:
            # Imported records must not live only in the WAL, which backup and sync tools
            # may drop after a crash (see docs/migration.md).
            checkpoint_store(Path(self.tracker.db_path).resolve())
        self.report.seconds = round(time.perf_counter() - started, 3)
        self._tell(1.0, self.report.summary().split("\n", 1)[0], force=True)
        return self.report

    def _plan(self, sources: Any) -> list[tuple[SourceReport, list[tuple[Path, int]]]]:
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        plan = []
        for source in sources:
            files = []
            for item in expand_sources(source):
                if isinstance(item, Issue):
                    self._issue(item)
                else:
                    files.append((item, _size(item)))
            plan.append((SourceReport(str(source)), files))
        return plan

    def _read(self, path: Path, source: SourceReport, done: int, total: int) -> None:
        self._tell(done / total, f"Reading {path.name}")
        size = _size(path)                 # once: the file may vanish while it is read
        try:
            self._read_entries(path, source, done, total, size)
        except StoreUnavailableError:
            raise
        except Exception as exc:
            # A reader bug or an input nobody foresaw: this file stops, the run goes on.
            log.warning("prompt-tracking: migration stopped reading %s", path, exc_info=True)
            self._issue(Issue(str(path), None, f"reading stopped ({type(exc).__name__}: "
                                               f"{_short(exc)}); entries before it were kept",
                              "error"))

    def _read_entries(self, path: Path, source: SourceReport, done: int, total: int,
                      size: int) -> None:
        occurrences: dict[str, int] = {}   # per file: identical timeless entries stay apart
        for count, item in enumerate(read_source(path), 1):
            if isinstance(item, Issue):
                self._issue(item)
                if item.severity == "invalid":
                    source.found += 1
                    source.invalid += 1
                continue
            self._convert(item, source, occurrences)
            if count % CHUNK_SIZE == 0:
                self._tell((done + min(item.offset, size)) / total,
                           f"Reading {path.name}: {source.found} entries")

    def _convert(self, entry: Entry, source: SourceReport, occurrences: dict[str, int]) -> None:
        source.found += 1
        if entry.kind not in source.kinds:
            source.kinds.append(entry.kind)
        try:
            record, notes = to_record(entry, occurrences)
        except (InvalidEntryError, OSError) as exc:
            source.invalid += 1
            self._issue(Issue(str(entry.source), entry.position, str(exc)))
            return
        except Exception as exc:   # one odd value is one bad entry
            source.invalid += 1
            self._issue(Issue(str(entry.source), entry.position,
                              f"cannot convert ({type(exc).__name__}: {_short(exc)})"))
            return
        for note in notes:
            self._issue(Issue(str(entry.source), entry.position, note, "note"))
        if record.id in self.seen:
            source.duplicates += 1
            return
        self.seen.add(record.id)
        self.chunk.append((record, source))
        if len(self.chunk) >= CHUNK_SIZE:
            self._flush_chunk()

    def _flush_chunk(self) -> None:
        chunk, self.chunk = self.chunk, []
        if not chunk:
            return
        present = self.known.present([record.id for record, _ in chunk])
        new: list[PromptRecord] = []
        for record, source in chunk:
            if record.id in present:
                source.duplicates += 1
            else:
                source.imported += 1
                new.append(record)
                self.new_by_outcome[record.success] += 1
        if new and not self.report.dry_run:
            self._write(new)
            self._wrote = True

    def _write(self, records: list[PromptRecord]) -> None:
        if self.backup and not self._backed_up:
            target = backup_store(self.tracker)
            self.report.backup_path = str(target) if target else None
            self._backed_up = True
        for attempt in range(IMPORT_RETRIES):
            try:
                self.tracker.import_records(records)
                return
            except StoreUnavailableError:
                # Retention in the writer thread may hold the write lock for a moment.
                if attempt == IMPORT_RETRIES - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _finish(self) -> None:
        report = self.report
        for source in report.sources:
            for name in ("found", "imported", "duplicates", "invalid"):
                setattr(report, name, getattr(report, name) + getattr(source, name))
        before = self.known.counts_before
        report.totals_after = {"successful": before[True] + self.new_by_outcome[True],
                               "failed": before[False] + self.new_by_outcome[False]}
        report.would_archive = sum(max(0, report.totals_after[name] - cap)
                                   for name, cap in report.caps.items() if cap is not None)

    def _issue(self, issue: Issue) -> None:
        if len(self.report.issues) < MAX_ISSUES:
            self.report.issues.append(issue)
        else:
            self.report.issues_omitted += 1

    def _tell(self, fraction: float, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or (not force and now - self._last_progress < 0.05):
            return
        self._last_progress = now
        try:
            self.progress(min(1.0, fraction), message)
        except Exception:  # a broken progress display must not stop the import
            log.exception("prompt-tracking: migration progress callback failed")


def _short(exc: BaseException) -> str:
    try:
        return str(exc)[:200]
    except Exception:
        return "?"


def effective_caps(tracker: Any) -> dict[str, int | None]:
    """The caps the tracker applies once started: saved caps replace the built-in default.

    A tracker reads the caps saved in its data dir only when its writer starts; a dry run
    never starts it, and must still report the caps a real import will use.
    """
    from prompt_tracking._storage.shared import open_shared_store
    from prompt_tracking.settings import load_settings
    from prompt_tracking.tracker import DEFAULT_CAP

    shared = open_shared_store(tracker)
    if shared is not None:  # a shared store's caps are its own, for every workstation
        return {"successful": shared.caps()["max_successful"],
                "failed": shared.caps()["max_failed"]}
    caps: dict[str, int | None] = {"successful": tracker.max_successful,
                                   "failed": tracker.max_failed}
    try:
        saved = load_settings(tracker.data_dir).get("retention_caps") or {}
    except Exception:
        return caps
    for name, attribute in (("successful", "max_successful"), ("failed", "max_failed")):
        value = saved.get(attribute, ...)
        if caps[name] == DEFAULT_CAP and (value is None or (isinstance(value, int)
                                                            and not isinstance(value, bool)
                                                            and value >= 0)):
            caps[name] = value
    return caps


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def raise_cap(tracker: Any, *, successful: int | None, failed: int | None,
              persist: bool = True) -> None:
    """Raise the tracker's retention caps (never lowers them) and remember them for next time.

    Compared with the caps in effect (saved ones included), so a smaller number never
    replaces a larger cap saved earlier. `persist=False` (a dry run) changes only this
    tracker, in memory.
    """
    from prompt_tracking._storage.shared import open_shared_store

    current = effective_caps(tracker)
    wanted: dict[str, int | None] = {}
    for name, value in (("successful", successful), ("failed", failed)):
        cap = current[name]
        if value is not None and cap is not None and value > cap:
            wanted[f"max_{name}"] = value
    if wanted:
        # Both caps, the untouched one as in effect: `set_caps(persist=True)` saves both, and
        # a tracker not started yet still holds the built-in default for the other one,
        # which would overwrite a cap saved earlier.
        for name in ("successful", "failed"):
            wanted.setdefault(f"max_{name}", current[name])
        shared = open_shared_store(tracker)
        if shared is not None:
            if persist:  # a dry run never changes the team's store
                shared.set_caps(**wanted)
            return
        tracker.set_caps(**wanted, persist=persist)


# -- start-up migration --------------------------------------------------------------------
def find_legacy_files(data_dir: Path, search_dirs: Iterable[Path] | None = None) -> list[Path]:
    """Legacy JSON files of the earlier design in the data dir, the working dir and home."""
    if search_dirs is None:
        search_dirs = [data_dir, Path.cwd(), Path.home()]
    found: dict[Path, None] = {}
    for directory in search_dirs:
        for name in LEGACY_FILE_NAMES:
            path = Path(directory) / name
            try:
                if path.is_file():
                    found.setdefault(path.resolve(), None)
            except OSError:
                continue
    return list(found)


def _fingerprint(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def run_migration(*, tracker: Any = None, search_dirs: Iterable[Path] | None = None) -> bool:
    """Import the legacy files found in the usual places, once; for a host's start-up.

    A marker in the data dir remembers each file's size and modification time, so later
    starts only stat a few paths; a file that changed is imported again (idempotently).
    Never raises: problems are logged as warnings.

    Args:
        tracker: The tracker to import into; None: the default `enhanced_prompt_tracker`.
        search_dirs: Where to look; None: the data dir, the working dir and the home dir.

    Returns:
        True if new records were imported.
    """
    try:
        if tracker is None:
            from prompt_tracking.tracker import enhanced_prompt_tracker as tracker
        marker_path = Path(tracker.data_dir) / MARKER_NAME
        marker = _read_marker(marker_path)
        todo = [p for p in find_legacy_files(Path(tracker.data_dir), search_dirs)
                if marker.get(str(p)) != _fingerprint(p)]
        if not todo:
            return False
        report = migrate(todo, tracker=tracker)
        for issue in report.errors:
            log.warning("prompt-tracking: migration: %s: %s", issue.file, issue.why)
        if report.invalid:
            log.warning("prompt-tracking: migration skipped %d invalid entries", report.invalid)
        log.info("prompt-tracking: %s", report.summary().split("\n", 1)[0])
        marker.update({str(p): _fingerprint(p) for p in todo})
        paths.ensure_private_dir(marker_path.parent)
        marker_path.write_text(json.dumps(marker, indent=1))
        return report.imported > 0
    except Exception:
        log.warning("prompt-tracking: migration of legacy data failed; will retry next start",
                    exc_info=True)
        return False


def _read_marker(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
