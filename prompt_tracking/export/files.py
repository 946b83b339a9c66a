"""Writing an export folder: JSON Lines and CSV files, the dataset card, and the atomic swap.

An export is built in a hidden sibling folder and renamed into place only when every file
is written, so a reader (or a scheduler) sees either the previous export or the new one,
never half of one. Only an earlier export (our manifest and nothing but the files an
export writes) is ever replaced; any other folder is refused. CSV cells that a spreadsheet
would run as a formula are neutralized.
"""
from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from prompt_tracking._storage import paths
from prompt_tracking.export.media import MEDIA_DIRS

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
CARD_NAME = "README.md"
# A spreadsheet treats a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def open_private(path: Path, encoding: str = "utf-8", newline: str | None = None) -> Any:
    """A new text file readable by the owner only (0600), like the store it came from."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "w", encoding=encoding, newline=newline)


def private_dir(path: Path) -> None:
    """A new folder of the export, owner only (0700)."""
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)  # mkdir's mode is cut by the umask; the export must not be


def write_jsonl(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """One JSON object per line, UTF-8. The rows must hold exactly `columns`, in order
    (the task builders make them so; rebuilding each dict here would cost a second)."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    with open_private(path, "utf-8", "\n") as handle:
        handle.writelines(encode(row) + "\n" for row in rows)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """A header row, then one row per record; None is an empty cell; formulas neutralized.

    Like `write_jsonl`, the rows must hold exactly `columns`, in order."""
    # utf-8-sig: Excel otherwise reads UTF-8 as the local code page and garbles non-ASCII prompts.
    starts = frozenset(_FORMULA_STARTS)
    with open_private(path, "utf-8-sig", "") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        # escape_formula inlined (a call per cell doubles the time); csv writes None as "".
        writer.writerows([("'" + v) if v.__class__ is str and v[:1] in starts else v
                          for v in row.values()] for row in rows)


WRITERS: dict[str, Callable[[Path, Sequence[str], Iterable[dict[str, Any]]], None]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
}
FORMATS = tuple(WRITERS)


GENERATOR = "prompt-tracking"
SPLIT_NAMES = ("train", "validation", "test")
# Manifests written before the "generator" key existed are recognised by all of these keys.
_MEDIA_NAME = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")  # what MediaStore names its files
_LEGACY_MANIFEST_KEYS = frozenset({"schema_version", "generator_version", "tasks", "split",
                                   "dedupe_rule", "records_read"})


def _read_own_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest in `folder` when it is one of ours, else None."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("schema_version"), int) \
            or not isinstance(manifest.get("tasks"), dict):
        return None
    if manifest.get("generator") == GENERATOR or (
            "generator" not in manifest and _LEGACY_MANIFEST_KEYS <= manifest.keys()):
        return manifest
    return None


def _holds_only_export_files(folder: Path, tasks: Iterable[str]) -> bool:
    """Only manifest.json, README.md, `<task>/<split>.<format>` files and the content-named
    files under images/ and videos/; no links."""
    split_files = {f"{split}.{fmt}" for split in SPLIT_NAMES for fmt in WRITERS}
    task_names = set(tasks)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_symlink():
                return False
            if entry.name in (MANIFEST_NAME, CARD_NAME):
                if not entry.is_file(follow_symlinks=False):
                    return False
            elif not entry.is_dir(follow_symlinks=False):
                return False
            elif entry.name in MEDIA_DIRS:
                with os.scandir(entry.path) as files:
                    if any(not _MEDIA_NAME.match(f.name) or not f.is_file(follow_symlinks=False)
                           for f in files):
                        return False
            elif entry.name not in task_names:
                return False
            else:
                with os.scandir(entry.path) as files:
                    if any(f.name not in split_files or not f.is_file(follow_symlinks=False)
                           for f in files):
                        return False
    return True


def is_earlier_export(folder: Path) -> bool:
    """True when `folder` is an export we wrote: our manifest, and nothing we do not write.

    A manifest.json alone proves nothing (web apps and browser extensions have one), so
    the manifest must name this generator and every other entry must be a file an export
    writes; anything else makes the folder someone else's.
    """
    if folder.is_symlink() or not folder.is_dir():
        return False
    manifest = _read_own_manifest(folder)
    return manifest is not None and _holds_only_export_files(folder, manifest["tasks"])


def is_replaceable(target: Path) -> bool:
    """True when `target` is absent, an empty folder, or an earlier export (see
    `is_earlier_export`)."""
    if not os.path.lexists(target):
        return True
    if target.is_symlink() or not target.is_dir():
        return False
    return not any(target.iterdir()) or is_earlier_export(target)


def _refuse(target: Path) -> FileExistsError:
    return FileExistsError(f"{target} exists and is not an earlier prompt-tracking export; "
                           "choose an empty or new folder")


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a private temporary folder next to `target`; on success it becomes `target`.

    On any exception (or KeyboardInterrupt) the temporary folder is removed and `target` is
    left as it was. An earlier export at `target` is replaced only after the new one is
    complete; if the swap fails half-way, the earlier export is put back.

    Raises:
        FileExistsError: `target` holds something that is not an earlier export.
    """
    if not is_replaceable(target):
        raise _refuse(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    temporary = target.with_name(f".{target.name}.tmp-{token}")
    paths.ensure_private_dir(temporary)
    try:
        yield temporary
        # Checked again: writing takes seconds, and someone may have used the folder meanwhile.
        if not is_replaceable(target):
            raise _refuse(target)
        if os.path.lexists(target):
            _swap(temporary, target, target.with_name(f".{target.name}.old-{token}"))
        else:
            os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _swap(new: Path, target: Path, retired: Path) -> None:
    """Two renames, so the old export stays whole until the new one has taken its place."""
    os.replace(target, retired)
    try:
        os.replace(new, target)
    except BaseException as exc:
        try:
            os.replace(retired, target)
        except OSError as restore_error:
            # Never delete it: the earlier export is still whole, under another name.
            log.error("could not put the earlier export back at %s; it is at %s (%s)",
                      target, retired, restore_error)
            exc.add_note(f"The earlier export is kept at {retired}.")
        raise
    shutil.rmtree(retired, ignore_errors=True)


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    path = folder / MANIFEST_NAME
    with open_private(path) as handle:
        handle.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return path
