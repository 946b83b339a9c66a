"""PNG text chunks, read with bounded work: the prompt-bearing keywords only, inflated to a cap.

A PNG downloaded from anywhere can hold zip bombs, truncated or oversized chunks; this
module reads only what a migration needs and says what was wrong with the rest.
"""
from __future__ import annotations

import dataclasses
import os
import struct
import zlib
from pathlib import Path
from typing import Any

MAX_TEXT_CHUNK = 16 * 1024 * 1024      # a PNG text chunk larger than this is not a prompt
# Inflated text kept per PNG, over all its chunks: 100 small zTXt bombs must not add up.
MAX_PNG_TEXT_TOTAL = 2 * MAX_TEXT_CHUNK
# The only PNG text keywords a prompt is read from; other chunks are never inflated.
PNG_PROMPT_KEYWORDS = frozenset({"parameters", "prompt", "workflow"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclasses.dataclass
class PngText:
    """The prompt-bearing text chunks of a PNG, what was wrong with the rest, and its mtime."""

    chunks: dict[str, str]
    problems: list[str]
    mtime: float


def read_png_text(path: Path) -> PngText:
    """The `parameters`, `prompt` and `workflow` text of a PNG; the first of a keyword wins.

    Work per file is bounded: only those keywords are inflated, each chunk to at most
    `MAX_TEXT_CHUNK` and the file to `MAX_PNG_TEXT_TOTAL`; other chunks are skipped
    without being read. Oversized, truncated, corrupt and over-budget chunks are listed
    in `problems`.

    Raises:
        OSError: the file cannot be read.
        ValueError: it is not a PNG.
    """
    found: dict[str, str] = {}
    problems: list[str] = []
    budget = [MAX_PNG_TEXT_TOTAL]
    with open(path, "rb") as handle:
        mtime = os.fstat(handle.fileno()).st_mtime
        if handle.read(8) != PNG_SIGNATURE:
            raise ValueError("not a PNG file")
        while True:
            header = handle.read(8)
            if len(header) < 8:
                problems.append("file ends without an IEND chunk (truncated)")
                break
            length, kind = struct.unpack(">I4s", header)
            if kind == b"IEND":
                break
            if kind not in (b"tEXt", b"zTXt", b"iTXt"):
                handle.seek(length + 4, os.SEEK_CUR)    # skip image data without reading it
                continue
            name = _chunk_keyword(handle, kind, length, problems)
            if name is None:
                continue
            if name not in PNG_PROMPT_KEYWORDS or name in found:
                handle.seek(length - len(name) - 1 + 4, os.SEEK_CUR)   # never inflated
                continue
            if length > MAX_TEXT_CHUNK:
                problems.append(f"{kind.decode()} chunk '{name}' of {length:,} bytes is over the "
                                f"{MAX_TEXT_CHUNK:,}-byte limit: skipped")
                handle.seek(length - len(name) - 1 + 4, os.SEEK_CUR)
                continue
            data = handle.read(length - len(name) - 1)
            handle.seek(4, os.SEEK_CUR)                 # the CRC
            if len(data) < length - len(name) - 1:
                problems.append(f"{kind.decode()} chunk '{name}' is cut off (truncated file)")
                break
            try:
                found[name] = _text_chunk(kind, data, budget)
            except (ValueError, zlib.error) as exc:
                problems.append(f"{kind.decode()} chunk '{name}' is corrupt: {exc}")
    return PngText(found, problems, mtime)


def _chunk_keyword(handle: Any, kind: bytes, length: int, problems: list[str]) -> str | None:
    """Read a text chunk's keyword (at most 79 bytes + NUL); None when it has none.

    On None the rest of the chunk has been skipped.
    """
    head = handle.read(min(length, 80))
    keyword, sep, _ = head.partition(b"\0")
    if not sep:
        problems.append(f"{kind.decode()} chunk without a keyword: skipped")
        handle.seek(length - len(head) + 4, os.SEEK_CUR)
        return None
    # Put back what was read past the keyword, so the caller reads the chunk's data.
    handle.seek(len(keyword) + 1 - len(head), os.SEEK_CUR)
    return keyword.decode("latin-1")


def _text_chunk(kind: bytes, rest: bytes, budget: list[int]) -> str:
    """The text of a chunk's data after its keyword; `budget[0]` is what may still be inflated."""
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        return _inflate(rest[1:], budget).decode("latin-1")
    compressed, rest = rest[0], rest[2:]            # iTXt: flag, method, language, translated
    _, _, rest = rest.partition(b"\0")
    _, _, text = rest.partition(b"\0")
    if compressed:
        text = _inflate(text, budget)
    return text.decode("utf-8", "replace")


def _inflate(data: bytes, budget: list[int]) -> bytes:
    limit = min(MAX_TEXT_CHUNK, budget[0])
    if limit <= 0:
        raise ValueError("the file's text budget is used up")
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, limit)           # bounded: a zip bomb stops here
    budget[0] -= len(out)
    if inflater.unconsumed_tail:
        raise ValueError(f"inflates to more than {limit:,} bytes")
    return out
