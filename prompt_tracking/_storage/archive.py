"""The eviction archive: `archive.jsonl.gz`, one gzip member appended per eviction batch.

A process killed in the middle of an append leaves a torn member at the end of the file,
and gzip readers stop at a tear: everything appended after it would be unreadable. So each
append first checks that the file ends on a complete member (cutting a torn tail; the
records in it are still in the database, because eviction deletes only after archiving)
and writes its member with one `write` call while holding an exclusive lock on the file.
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from prompt_tracking.records import PromptRecord
from prompt_tracking._storage.merge import merge_update

try:
    import fcntl
except ImportError:  # Windows: appends are not locked there
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
# path -> length known to end on a complete member, so a check reads only what is new
_known_good: dict[str, int] = {}


def complete_length(handle: BinaryIO, start: int = 0) -> int:
    """Offset where the last complete gzip member at or after `start` ends."""
    handle.seek(start)
    good = position = start
    decoder = zlib.decompressobj(wbits=31)
    while chunk := handle.read(_CHUNK):
        data = chunk
        while data:
            try:
                decoder.decompress(data, _CHUNK)
                while decoder.unconsumed_tail:  # bounded output: drain in steps
                    decoder.decompress(decoder.unconsumed_tail, _CHUNK)
            except zlib.error:
                return good
            if not decoder.eof:
                position += len(data)
                break
            used = len(data) - len(decoder.unused_data)
            position += used
            good = position
            data = decoder.unused_data
            decoder = zlib.decompressobj(wbits=31)
    return good


def append_archive(path: Path, records: list[PromptRecord]) -> None:
    """Append records as one gzip member, cutting a torn tail left by a killed process first."""
    _append_lines(path, [r.to_dict() for r in records])


def append_archive_edits(path: Path, ops: list[dict[str, Any]]) -> None:
    """Append update ops for archived records; `read_archive` applies them, newest stamp last.

    Lines are `{"id": ..., "op": "update", "ts": ..., "fields": ..., "metadata": ...}`, so
    readers that only collect ids still see the right id first.
    """
    _append_lines(path, [{"id": op["id"], **{k: v for k, v in op.items() if k != "id"}}
                         for op in ops])


def _append_lines(path: Path, entries: list[dict[str, Any]]) -> None:
    lines = b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in entries)
    # Level 6: most of level 9's size at a fraction of its time on large evictions.
    member = gzip.compress(lines, compresslevel=6, mtime=0)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # another process may be appending
        size = os.fstat(handle.fileno()).st_size
        key = str(path)
        known = _known_good.get(key, 0)
        good = size if known == size else complete_length(handle, known if known < size else 0)
        if good < size:
            log.warning("prompt-tracking: cut a torn end (%d bytes) off %s, left by an interrupted "
                        "eviction; its records are archived again", size - good, path)
            handle.truncate(good)
        handle.seek(good)
        handle.write(member)
        handle.flush()
        _known_good[key] = good + len(member)
    os.chmod(path, 0o600)


def read_archive(path: Path) -> list[dict[str, Any]]:
    """Every record dict in the archive (duplicates from an interrupted eviction removed).

    A torn end (a process killed while appending) is skipped with a warning.
    """
    if not path.exists():
        return []
    seen: dict[str, dict[str, Any]] = {}
    edits: list[dict[str, Any]] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        try:
            for line in handle:
                entry = json.loads(line)
                if entry.get("op") == "update":
                    edits.append(entry)
                else:
                    seen[entry["id"]] = entry
        except (EOFError, gzip.BadGzipFile, zlib.error, ValueError) as exc:
            log.warning("prompt-tracking: %s ends in a torn entry (%s); read what precedes it",
                        path, exc)
    # An archived record has no edit stamps: every later edit is newer than its state.
    for edit in sorted(edits, key=lambda e: e.get("ts") or ""):
        if edit["id"] in seen:
            seen[edit["id"]] = merge_update(seen[edit["id"]], edit)
    return list(seen.values())
