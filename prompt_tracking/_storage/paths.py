"""Where the store lives: PROMPT_TRACKING_HOME, else the platform's user data dir."""
from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "PROMPT_TRACKING_HOME"
APP_NAME = "prompt-tracking"
DB_NAME = "prompts.sqlite3"
ARCHIVE_NAME = "archive.jsonl.gz"
SPOOL_DIR = "spool"


def default_data_dir() -> Path:
    """The data dir used when none is given: `$PROMPT_TRACKING_HOME` or platformdirs' user data dir."""
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override).expanduser()
    import platformdirs  # imported here: only needed when no dir is given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass  # not ours to chmod (e.g. a shared mount); the files themselves are still 0600


def touch_private_file(path: Path) -> None:
    """Create `path` with mode 0600 if missing, so SQLite's WAL and SHM files inherit it."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of a file, or None when it is gone: tells a file deleted or replaced
    under an open handle from the one that was opened."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino
