"""The spool: an append-only journal that makes a log call durable before SQLite is reached.

A log call appends one JSON line to this process's spool file (one `write` syscall, a few
microseconds) and returns; the background writer commits to SQLite later and truncates
the spool once it has caught up. The written bytes sit in the OS page cache, so they
survive a `kill -9` of the process at any moment. Each spool file is held with an
exclusive lock while its process lives; a file whose lock can be taken belongs to a dead
process, and the next tracker to open the store replays it. Lines that cannot be read or
applied go to `quarantine.txt` in the same folder, which is kept for a human to look at.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

log = logging.getLogger(__name__)

QUARANTINE_NAME = "quarantine.txt"
_READ_CHUNK = 1 << 20


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # the first byte's range lock; released when the process ends, like flock
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_op(op: dict[str, Any]) -> bytes:
    """One op as a journal line."""
    return (_encode(op) + "\n").encode("utf-8", "surrogatepass")


def decode_lines(data: bytes) -> tuple[list[dict[str, Any]], list[bytes]]:
    """(ops, unreadable lines) of journal bytes; a torn last line counts as unreadable."""
    ops: list[dict[str, Any]] = []
    bad: list[bytes] = []
    for line in data.splitlines(keepends=True):
        try:
            op = json.loads(line)
            if not isinstance(op, dict) or "op" not in op:
                raise ValueError("not an op")
            ops.append(op)
        except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            if line.strip():
                bad.append(line if line.endswith(b"\n") else line + b"\n")
    return ops, bad


class Spool:
    """This process's journal file inside `directory`."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.path = directory / f"{name}.jsonl"
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self._size = 0

    def open(self) -> None:
        """Create and lock the spool file.

        Raises:
            OSError: the directory is not writable.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        # Between our open and our lock, a replaying process may have taken the file for an
        # orphan and unlinked it: only a locked file that is still linked is ours.
        status = os.fstat(fd)
        if not _try_lock(fd) or status.st_nlink == 0:
            os.close(fd)
            raise OSError(f"spool {self.path} is held by another process")
        self._fd, self._identity, self._size = fd, (status.st_dev, status.st_ino), status.st_size

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    @property
    def size(self) -> int:
        """Bytes journaled since the last truncate."""
        return self._size

    def is_linked(self) -> bool:
        """False when the file (or its folder) was deleted or replaced under us."""
        try:
            status = os.stat(self.path)
        except OSError:
            return False
        return (status.st_dev, status.st_ino) == self._identity

    def append(self, op: dict[str, Any]) -> None:
        """Write one op as a JSON line. Raises OSError (e.g. disk full) for the caller to handle."""
        self.append_bytes(encode_op(op))

    def append_bytes(self, data: bytes) -> None:
        """Write whole lines; a partial write is cut back so no torn line stays mid-file."""
        if self._fd is None:
            raise OSError("spool is not open")
        try:
            written = os.write(self._fd, data)
        except OSError:
            written = -1
            raise
        finally:
            if written != len(data):
                try:
                    os.ftruncate(self._fd, self._size)
                except OSError:
                    pass
        if written != len(data):
            raise OSError(f"short write to {self.path}")
        self._size += written

    def read(self, limit: int | None = None) -> bytes:
        """The journal's bytes (the first `limit` of them)."""
        if self._fd is None:
            return b""
        end = self._size if limit is None else min(limit, self._size)
        # O_APPEND writes go to the end whatever the position, so seeking to read is safe.
        os.lseek(self._fd, 0, os.SEEK_SET)
        chunks, offset = [], 0
        while offset < end:
            chunk = os.read(self._fd, min(_READ_CHUNK, end - offset))
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def recreate(self) -> None:
        """Re-journal into a new file after ours was deleted (the data dir was removed).

        Raises:
            OSError: the file cannot be created; the spool is then closed.
        """
        data = self.read()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
        self.open()
        if data:
            self.append_bytes(data)

    def truncate(self) -> None:
        """Forget everything written so far (called once all of it is in SQLite)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            self._size = 0

    def close(self, *, remove: bool) -> None:
        """Release the file; remove it when everything in it was committed."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if remove and self.is_linked():
            try:
                os.unlink(self.path)
            except OSError:
                pass
        os.close(fd)  # closing releases the lock, after the unlink so no one replays it twice


def orphaned_spools(directory: Path, own: Path | None) -> Iterator[tuple[Path, bytes, int]]:
    """Spool files left by dead processes: (path, contents, fd holding its lock).

    The caller applies the ops, then calls `release_orphan(path, fd)`.
    """
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.jsonl")):
        if own is not None and path == own:
            continue
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        if not _try_lock(fd):
            os.close(fd)
            continue
        if os.fstat(fd).st_nlink == 0:  # another process replayed and unlinked it first
            os.close(fd)
            continue
        yield path, _read_all(fd), fd


def _read_all(fd: int) -> bytes:
    """A locked spool's bytes, read through the locked descriptor (not by path)."""
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "rb") as handle:
        return handle.read()


def quarantine(directory: Path, lines: list[bytes]) -> Path:
    """Append journal lines that could not be used to the quarantine file; returns its path."""
    path = directory / QUARANTINE_NAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, b"".join(lines))
    finally:
        os.close(fd)
    return path


def release_orphan(path: Path, fd: int) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # already gone, or (Windows) still open elsewhere: replaying it again is harmless
    finally:
        os.close(fd)
