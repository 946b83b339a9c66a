"""Choosing the store: SQLite in the data dir by default, PostgreSQL when a URL is given.

Also keeps this installation's rater id: a random token in the data dir (never a user or
host name), stored with every edit on a shared store so that agreement between raters can
be computed later without knowing who they are.
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from prompt_tracking._storage.pgurl import DatabaseURL, DatabaseURLError, mask_url

log = logging.getLogger(__name__)

RATER_ID_FILE = "rater_id"


def rater_id(data_dir: Path) -> str:
    """This installation's random rater id, created on first use (0600 in the data dir)."""
    path = Path(data_dir) / RATER_ID_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    except (OSError, UnicodeDecodeError):
        pass
    value = secrets.token_hex(8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
    except FileExistsError:  # another process of this installation was first: use its id
        return path.read_text(encoding="ascii").strip() or value
    except OSError:
        log.warning("prompt-tracking: cannot save the rater id in %s; using a temporary one",
                    data_dir)
    return value


class UnusableStore:
    """Stands in for a shared store whose URL cannot be used: every open fails with one clear
    message, so the writer warns once and keeps the records in the local journal."""

    def __init__(self, reason: str, shown: str) -> None:
        self.reason = reason
        self.path = shown

    def open(self) -> None:
        raise OSError(self.reason)

    def close_writer(self) -> None:
        pass

    def close(self) -> None:
        pass


def shared_store(url: str, data_dir: Path) -> Any:
    """A `PostgresStore` for `url`, or an `UnusableStore` when the URL is malformed."""
    from prompt_tracking._storage.postgres import PostgresStore

    try:
        parsed = DatabaseURL.parse(url)
    except DatabaseURLError as exc:
        return UnusableStore(f"{exc}; records are kept in the local journal", mask_url(url))
    return PostgresStore(parsed, rater_id=rater_id(data_dir))


def open_shared_store(tracker: Any) -> Any:
    """The open shared store behind a tracker with a URL, or None (no URL, server unreachable).

    For the few commands that act on the store itself (its retention caps).
    """
    if not getattr(tracker, "database_url", None):
        return None
    writer = tracker._started()
    return writer.read(lambda store: store if callable(getattr(store, "caps", None)) else None,
                       None)
