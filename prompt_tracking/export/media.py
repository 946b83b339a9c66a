"""Result files that travel with an export: images (and videos) under `images/<sha256>.<ext>`.

A `MediaStore` belongs to one export being written. Each local result file a row refers to
is hard-linked into the export when it lives on the same file system (no extra space, and
the user's original keeps its own mode), else copied (mode 0600); either way once per
content, named by its SHA-256. Rows then name it by a path relative to the export, so a
shared export never holds a path of this machine. A video goes under `videos/` and, when
Pillow can read a first frame (GIF, animated WebP, APNG), that frame becomes its image.
Remote results (http/https) are kept as URLs and never downloaded; a missing or unreadable
local file is counted and its record left out of the image tasks.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import logging
import os
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prompt_tracking.records import local_result_path

log = logging.getLogger(__name__)

IMAGES_DIR = "images"
VIDEOS_DIR = "videos"
MEDIA_DIRS = (IMAGES_DIR, VIDEOS_DIR)
VIDEO_EXTENSIONS = frozenset({".mp4", ".webm", ".mov", ".mkv", ".avi", ".m4v", ".mpg", ".mpeg"})
REMOTE_SCHEMES = ("http://", "https://")
_CHUNK = 1 << 20


@dataclasses.dataclass(frozen=True)
class Media:
    """Where a result is in the export.

    Attributes:
        ref: The result file's path relative to the export, or its URL when remote.
        image: The still image's path relative to the export (None for a remote result or
            a video without a readable first frame).
        size: (width, height) of the image, when there is one.
    """

    ref: str
    image: str | None
    size: tuple[int, int] | None = None


def is_remote(reference: str) -> bool:
    return reference.lower().startswith(REMOTE_SCHEMES)


def local_path(reference: str) -> Path | None:
    """The local file a result reference names (a plain path or a file:// URL), or None."""
    return None if is_remote(reference) else local_result_path(reference)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) when Pillow can read the file's header, else None."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None


class MediaStore:
    """Collects the result files of one export into `folder` (see the module docstring).

    Args:
        folder: The export's (temporary) folder.
        link: Try a hard link before copying.
        progress: Called as progress(files_done, message) every few files.
    """

    def __init__(self, folder: Path, *, link: bool = True,
                 progress: Callable[[int, str], None] | None = None) -> None:
        self.folder = folder
        self.link = link
        self._progress = progress
        self._by_source: dict[str, Media | None] = {}
        self._by_digest: dict[str, Media] = {}
        self.counts: Counter[str] = Counter()
        self.bytes = 0  # bytes of the distinct files in the export (linked or copied)
        self.bytes_copied = 0

    def resolve(self, reference: str | None) -> Media | None:
        """The `Media` for a result reference; None when it has none or cannot be used.

        Use `unusable(reference)` to tell "no file" (missing, unreadable) from "no result".
        """
        if not reference:
            return None
        cached = self._by_source.get(reference, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        media = self._resolve(reference)
        self._by_source[reference] = media
        return media

    def unusable(self, reference: str | None) -> bool:
        """True when `reference` names a local file that is missing or unreadable."""
        return bool(reference) and self.resolve(reference) is None

    def _resolve(self, reference: str) -> Media | None:
        if is_remote(reference):
            self.counts["remote"] += 1
            return Media(ref=reference, image=None)
        path = local_path(reference)
        if path is None:
            self.counts["unsupported"] += 1
            return None
        try:
            if not path.is_file():
                self.counts["missing"] += 1
                return None
            digest = _sha256(path)
        except OSError:
            self.counts["unreadable"] += 1
            return None
        known = self._by_digest.get(digest)
        if known is not None:
            self.counts["duplicate_content"] += 1
            return known
        media = self._add(path, digest)
        if media is not None:
            self._by_digest[digest] = media
            done = self.counts["files"]
            if self._progress is not None and (done == 1 or done % 100 == 0):
                self._progress(done, f"collected {done} result files")
        return media

    def _add(self, path: Path, digest: str) -> Media | None:
        suffix = path.suffix.lower() or ".bin"
        if suffix in VIDEO_EXTENSIONS:
            relative = f"{VIDEOS_DIR}/{digest}{suffix}"
            self._place(path, relative)
            self.counts["videos"] += 1
            still = self._first_frame(path, digest)
            return Media(ref=relative, image=still[0] if still else None,
                         size=still[1] if still else None)
        size = _image_size(path)
        if size is None:
            self.counts["unreadable"] += 1
            return None
        relative = f"{IMAGES_DIR}/{digest}{suffix}"
        self._place(path, relative)
        self.counts["images"] += 1
        return Media(ref=relative, image=relative, size=size)

    def _place(self, source: Path, relative: str) -> None:
        """Hard link `source` at `relative` inside the export, else copy it (mode 0600)."""
        target = self.folder / relative
        if not target.parent.exists():
            target.parent.mkdir(mode=0o700)
        size = source.stat().st_size
        if self.link:
            try:
                # Never chmod a link: it would change the user's original file.
                os.link(source, target)
                self.counts["linked"] += 1
                self.counts["files"] += 1
                self.bytes += size
                return
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP,
                                     errno.EACCES, errno.EOPNOTSUPP):
                    raise
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        self.counts["copied"] += 1
        self.counts["files"] += 1
        self.bytes += size
        self.bytes_copied += size

    def _first_frame(self, path: Path, digest: str) -> tuple[str, tuple[int, int]] | None:
        from PIL import Image

        try:
            with Image.open(path) as video:
                video.seek(0)
                frame = video.convert("RGB")
        except Exception:  # Pillow reads no mp4/webm; any failure just means "no still"
            return None
        relative = f"{IMAGES_DIR}/{digest}.png"
        target = self.folder / relative
        if not target.parent.exists():
            target.parent.mkdir(mode=0o700)
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            frame.save(handle, format="PNG")
        self.counts["frames"] += 1
        return relative, frame.size

    def summary(self) -> dict[str, Any]:
        """The manifest's "images" section."""
        keys = ("files", "images", "videos", "frames", "linked", "copied", "duplicate_content",
                "remote", "missing", "unreadable", "unsupported")
        data: dict[str, Any] = {k: self.counts.get(k, 0) for k in keys}
        data.update(bytes=self.bytes, bytes_copied=self.bytes_copied)
        return data


def estimate(references: Any) -> dict[str, int]:
    """Files and bytes an export with images would take, before it starts (no hashing).

    Args:
        references: Result references (paths or URLs); duplicates are counted once.

    Returns:
        {"files", "bytes", "remote", "missing"}: distinct local files found and their size
        (an upper bound: identical contents are stored once), remote URLs, and local
        references with no file.
    """
    seen: set[str] = set()
    result = {"files": 0, "bytes": 0, "remote": 0, "missing": 0}
    for reference in references:
        if not reference or reference in seen:
            continue
        seen.add(reference)
        if is_remote(reference):
            result["remote"] += 1
            continue
        path = local_path(reference)
        try:
            size = path.stat().st_size if path is not None and path.is_file() else None
        except OSError:
            size = None
        if size is None:
            result["missing"] += 1
        else:
            result["files"] += 1
            result["bytes"] += size
    return result
