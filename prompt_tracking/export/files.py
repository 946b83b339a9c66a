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
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from prompt_tracking._storage import paths

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


def write_jsonl(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """One JSON object per line, UTF-8. The rows must hold exactly `columns`, in order
    (the task builders make them so; rebuilding each dict here would cost a second)."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(encode(row) + "\n" for row in rows)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """A header row, then one row per record; None is an empty cell; formulas neutralized.

    Like `write_jsonl`, the rows must hold exactly `columns`, in order."""
    # utf-8-sig: Excel otherwise reads UTF-8 as the local code page and garbles non-ASCII prompts.
    starts = frozenset(_FORMULA_STARTS)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
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
    """Only manifest.json, README.md and `<task>/<split>.<format>` files; no links."""
    split_files = {f"{split}.{fmt}" for split in SPLIT_NAMES for fmt in WRITERS}
    task_names = set(tasks)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_symlink():
                return False
            if entry.name in (MANIFEST_NAME, CARD_NAME):
                if not entry.is_file(follow_symlinks=False):
                    return False
            elif entry.name not in task_names or not entry.is_dir(follow_symlinks=False):
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
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


_TASK_DESCRIPTIONS = {
    "content_safety": "prompt text -> `label` (`safe`: generated, `blocked`: refused by a "
                      "content filter). Other failures are left out: they say nothing about safety.",
    "quality": "prompt text, model and parameters -> the user's 1-5 `rating` (rated results only).",
    "error_prevention": "prompt text, model and parameters -> `outcome` (`success`/`failure`) "
                        "and the failure `reason`.",
    "parameter_optimization": "model and parameters -> `outcome` and `rating` (null when unrated).",
    "preference_pairs": "same model and prompt group: a `chosen` result rated 4-5 and a "
                        "`rejected` result rated 1-2 (result references), with `prompt`.",
    "repair_pairs": "`before`: a failed or 1-2 rated prompt; `after`: the user's edit of it, on "
                    "the same model in the same session within an hour, that succeeded with a "
                    "4-5 rating.",
}


def dataset_card(manifest: dict[str, Any]) -> str:
    """The README.md of an export: what each task holds, counts, and how it was made.

    The YAML header lists every task as a config, so `datasets.load_dataset(folder, task)`
    finds its splits.
    """
    formats = manifest["formats"]
    extension = "jsonl" if "jsonl" in formats else formats[0]
    lines = ["---", "configs:"]
    for task in manifest["tasks"]:
        lines += [f"- config_name: {task}", "  data_files:"]
        lines += [f"  - split: {split}\n    path: {task}/{split}.{extension}"
                  for split in manifest["split"]["names"]]
    lines += ["---", "", "# Prompt-tracking training export", "",
              f"Exported {manifest['created_at']} by prompt-tracking {manifest['generator_version']}"
              f" from {manifest['records_read']} records, with the user's opt-in.", "",
              "## Tasks", "", "| task | " + " | ".join(manifest["split"]["names"]) +
              " | duplicates removed |", "|---|" + "---|" * (len(manifest["split"]["names"]) + 1)]
    for task, counts in manifest["tasks"].items():
        cells = " | ".join(str(counts[s]) for s in manifest["split"]["names"])
        lines.append(f"| {task} | {cells} | {counts['duplicates_removed']} |")
    lines += [""]
    for task, counts in manifest["tasks"].items():
        lines += [f"- **{task}**: {_TASK_DESCRIPTIONS[task]} Columns: "
                  + ", ".join(f"`{c}`" for c in counts["columns"]) + "."]
    lines += ["", "## Files", "",
              f"`<task>/<split>.<format>` for formats {', '.join(formats)}. Every JSON line has the "
              "same keys; `parameters` columns hold a JSON object as text "
              "(`json.loads(row['parameters'])`). CSV files are UTF-8 with a BOM; text cells "
              "starting with = + - @ tab or CR are prefixed with an apostrophe.", "",
              "## How it was made", "",
              f"- Filters: `{json.dumps(manifest['filters'], ensure_ascii=False)}`.",
              f"- Near-duplicates: {manifest['dedupe_rule']}",
              f"- Splits: {manifest['split']['rule']}",
              "- Privacy: " + ("personal data masked: " + ", ".join(
                  f"{k} {v}" for k, v in manifest["redactions"].items()) + "."
                  if manifest["redact_pii"] else "personal data was NOT masked (redact_pii=False)."),
              "  API keys and tokens were already masked when the prompts were logged.", ""]
    return "\n".join(lines)
