"""Thumbnails of result images: made off the Tk thread with Pillow, cached on disk.

`ThumbnailCache` (no Tk) turns a record's `result_url` into a small RGB(A) Pillow image,
reading it from `<data dir>/thumbnails/` when it was made before. The folder is bounded
by total bytes: the least recently used files go first (a hit refreshes the file's mtime).
`ThumbnailLoader` (Tk) runs the cache on one daemon thread and hands each image back
through the GUI's worker-to-Tk queue; only the Tk thread makes the `PhotoImage`, and keeps
the last few hundred of them in memory so scrolling back costs nothing.

A result that is not a local image gets a reason instead of an image: a remote URL (never
downloaded), a missing or unreadable file, or a video whose first frame Pillow cannot read.
"""
from __future__ import annotations

import collections
import hashlib
import logging
import os
import queue
import tempfile
import threading
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prompt_tracking.records import local_result_path
from prompt_tracking.widgets._tk import TkQueue

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
TRIM_TO = 0.8  # a trim frees down to this share of the bound, so it does not run every write
MEMORY_IMAGES = 400
VIDEO_SUFFIXES = {".mp4", ".webm", ".mov", ".mkv", ".avi", ".m4v"}

NO_RESULT = "No result file"
REMOTE = "Remote result (not downloaded)"
MISSING = "File not found"
UNREADABLE = "Cannot read this image"
VIDEO = "Video: no preview frame"


local_path = local_result_path  # the record's result file, if it is a local one


def placeholder_reason(result_url: str | None) -> str | None:
    """Why `result_url` can have no image, without opening it; None when it may."""
    if not result_url:
        return NO_RESULT
    path = local_path(result_url)
    if path is None:
        return REMOTE
    return None


def default_directory(tracker: Any = None) -> Path:
    """`<data dir>/thumbnails` for the tracker's store (its `data_dir`), else the default one."""
    base = getattr(tracker, "data_dir", None)
    if base is None:
        home = os.environ.get("PROMPT_TRACKING_HOME")
        if home:
            base = Path(home)
        else:
            try:
                import platformdirs

                base = Path(platformdirs.user_data_dir("prompt-tracking", appauthor=False))
            except ImportError:
                base = Path(tempfile.gettempdir()) / "prompt-tracking"
    return Path(base) / "thumbnails"


class ThumbnailCache:
    """Thumbnails on disk, bounded by total size (least recently used evicted). Thread-safe.

    Args:
        directory: where the thumbnail files go (created on first write, mode 0700).
        max_bytes: the bound on the folder's total size.
    """

    def __init__(self, directory: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None  # bytes on disk, counted on first use

    def get(self, result_url: str | None, size: int) -> Any:
        """A Pillow image at most `size` px on its longest side, or a reason string."""
        reason = placeholder_reason(result_url)
        if reason is not None:
            return reason
        path = local_path(result_url)
        assert path is not None
        try:
            stat = path.stat()
        except OSError:
            return MISSING
        name = hashlib.sha1(f"{path.resolve()}|{stat.st_mtime_ns}|{stat.st_size}|{size}"
                            .encode("utf-8", "replace")).hexdigest() + ".png"
        cached = self.directory / name
        image = self._read_cached(cached)
        if image is not None:
            return image
        image = self._make(path, size)
        if isinstance(image, str):
            return image
        self._write(cached, image)
        return image

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return self._count()

    def _read_cached(self, cached: Path) -> Any:
        from PIL import Image

        try:
            with Image.open(cached) as image:
                image.load()
                loaded = image.copy()
            os.utime(cached)  # most recently used: the last to be evicted
            return loaded
        except (OSError, ValueError):
            return None

    @staticmethod
    def _make(path: Path, size: int) -> Any:
        from PIL import Image

        try:
            with Image.open(path) as image:
                image.seek(0)  # the first frame of an animation (or a video Pillow reads)
                image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale
                frame = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            frame.thumbnail((size, size))
            return frame
        except (OSError, ValueError, EOFError, Image.DecompressionBombError):
            log.debug("no thumbnail for %s", path, exc_info=True)
            return VIDEO if path.suffix.lower() in VIDEO_SUFFIXES else UNREADABLE

    def _write(self, cached: Path, image: Any) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(handle, "wb") as out:
                image.save(out, format="PNG", optimize=False, compress_level=3)
            os.replace(temporary, cached)
            written = cached.stat().st_size
        except OSError:
            log.warning("could not cache a thumbnail in %s", self.directory, exc_info=True)
            return
        with self._lock:
            self._total = self._count() + written
            if self._total > self.max_bytes:
                self._trim()

    def _count(self) -> int:
        if self._total is None:
            self._total = sum(size for _path, _mtime, size in self._files())
        return self._total

    def _files(self) -> list[tuple[Path, float, int]]:
        found = []
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return []
        for entry in entries:
            try:
                stat = entry.stat()
            except OSError:
                continue
            found.append((Path(entry.path), stat.st_mtime, stat.st_size))
        return found

    def _trim(self) -> None:
        """Delete the least recently used files until the folder is under `TRIM_TO` of the bound."""
        files = sorted(self._files(), key=lambda f: f[1])
        total = sum(size for _p, _m, size in files)
        target = self.max_bytes * TRIM_TO
        for path, _mtime, size in files:
            if total <= target:
                break
            try:
                path.unlink()
                total -= size
            except OSError:
                continue
        self._total = total


Callback = Callable[[Any, str | None], None]  # (photo or None, reason or None)


class ThumbnailLoader:
    """Thumbnails for a Tk window: Pillow on a worker thread, `PhotoImage`s on the Tk thread.

    Args:
        widget: a widget of the window (its interpreter owns the images).
        cache: the disk cache the worker reads and fills.
    """

    def __init__(self, widget: tk.Misc, cache: ThumbnailCache) -> None:
        self.widget = widget
        self.cache = cache
        self._photos: collections.OrderedDict[tuple[str, int], Any] = collections.OrderedDict()
        self._reasons: dict[tuple[str, int], str] = {}
        self._waiting: dict[tuple[str, int], list[Callback]] = {}
        self._requests: queue.LifoQueue[tuple[str, int] | None] = queue.LifoQueue()
        self._results: TkQueue[tuple[tuple[str, int], Any]] = TkQueue(
            widget, self._deliver, poll_ms=15, per_tick=4,
            keep_polling=lambda: bool(self._waiting), what="showing a thumbnail")
        self._closed = False
        # The worker gets the queues and the cache only, never `self`: it must not be what
        # keeps a widget (or a PhotoImage) alive, or they would be freed off the Tk thread.
        self._worker = threading.Thread(
            target=_work, args=(self._requests, cache, self._results.inbox),
            name="prompt-tracking-thumbnails", daemon=True)
        self._worker.start()

    def request(self, result_url: str | None, size: int, callback: Callback) -> bool:
        """Ask for a thumbnail; `callback(photo, reason)` runs on the Tk thread.

        Returns True when the answer was known and `callback` already ran, else False (it
        runs once the worker is done). The newest request is served first.
        """
        key = (result_url or "", size)
        if self._closed:
            return False
        if key in self._photos:
            self._photos.move_to_end(key)
            callback(self._photos[key], None)
            return True
        reason = self._reasons.get(key) or placeholder_reason(result_url)
        if reason is not None:
            callback(None, reason)
            return True
        first = key not in self._waiting
        self._waiting.setdefault(key, []).append(callback)
        if first:
            self._requests.put(key)
        self._results.start()
        return False

    def forget_waiting(self) -> None:
        """Drop the callbacks not yet answered (the rows they were for are gone)."""
        self._waiting.clear()
        while True:
            try:
                self._requests.get_nowait()
            except queue.Empty:
                return

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    def close(self) -> None:
        """Stop the worker and drop every image (Tk thread)."""
        self._closed = True
        self.forget_waiting()
        self._requests.put(None)
        self._results.close()
        self._photos.clear()

    def _deliver(self, item: tuple[tuple[str, int], Any]) -> None:
        key, image = item
        callbacks = self._waiting.pop(key, [])
        if isinstance(image, str):
            self._reasons[key] = image
            photo, reason = None, image
        else:
            from PIL import ImageTk

            photo, reason = ImageTk.PhotoImage(image, master=self.widget), None
            self._photos[key] = photo
            while len(self._photos) > MEMORY_IMAGES:
                self._photos.popitem(last=False)
        for callback in callbacks:
            try:
                callback(photo, reason)
            except Exception:
                log.exception("prompt-tracking: a thumbnail callback failed")
        if self._waiting:
            self._results.start()


def _work(requests: queue.LifoQueue[tuple[str, int] | None], cache: ThumbnailCache,
          inbox: Any) -> None:
    """The worker thread: make the requested thumbnails (never touches Tk)."""
    while True:
        key = requests.get()
        if key is None or inbox.closed:
            return
        try:
            image = cache.get(key[0], key[1])
        except Exception:
            log.exception("prompt-tracking: making a thumbnail failed")
            image = UNREADABLE
        inbox.put((key, image))
