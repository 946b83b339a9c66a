"""Reading legacy data: the files a migration accepts, turned into raw entries and issues.

Every reader yields `Entry` objects (one raw record each, with where it came from) and
`Issue` objects (what could not be read, and where); none of them raises for bad content,
so one broken file never stops the others. Sources: the earlier tracker's JSON file,
generation apps' prompt histories (JSON or JSON Lines), this project's JSONL export, and
PNG images carrying AUTOMATIC1111 or ComfyUI metadata. Nothing here writes anything.
"""
from __future__ import annotations

import codecs
import dataclasses
import io
import json
import os
import re
import struct
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from prompt_tracking.migration.png_prompts import parse_a1111, parse_comfyui

IMAGE_SUFFIXES = (".png",)
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
HISTORY_KEYS = ("history", "prompts", "prompt_history", "entries", "items", "records", "data",
                "generations", "images", "queue")
MAX_TEXT_CHUNK = 16 * 1024 * 1024      # a PNG text chunk larger than this is not a prompt
# Inflated text kept per PNG, over all its chunks: 100 small zTXt bombs must not add up.
MAX_PNG_TEXT_TOTAL = 2 * MAX_TEXT_CHUNK
# The only PNG text keywords a prompt is read from; other chunks are never inflated.
PNG_PROMPT_KEYWORDS = frozenset({"parameters", "prompt", "workflow"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What json raises beyond JSONDecodeError: RecursionError for deep nesting, ValueError for
# an integer past Python's digit limit. Either is one bad entry, never a crashed run.
JSON_ERRORS = (ValueError, RecursionError)


@dataclasses.dataclass
class Entry:
    """One raw record found in a source, before it is checked and converted."""

    data: dict[str, Any]
    source: Path
    position: str | None              # "failed_prompts[3]", "line 12"; None for a whole file
    kind: str                         # legacy_json | history | export | png_a1111 | png_comfyui
    success: bool | None = None       # known from the list it was in; None: read from the fields
    identity: str | None = None       # extra identity for the record id (images: file + metadata)
    offset: int = 0                   # bytes of the file read so far, for progress
    mtime: float | None = None        # the file's mtime, taken from the open handle


@dataclasses.dataclass(frozen=True)
class Issue:
    """Something in a source that was skipped or needs a note: file, position, why."""

    file: str
    position: str | None
    why: str
    severity: str = "invalid"         # invalid (an entry skipped) | error (file) | note

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- decoding ------------------------------------------------------------------------------
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 from a file's first bytes (a BOM, or the zero bytes of ASCII text).

    JSON starts with ASCII ("{", "[", a space), so without a BOM the position of the zero
    bytes in the first characters tells the byte order. None: a byte-oriented encoding.
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[:64]
    if len(sample) >= 4 and b"\0" in sample:
        even, odd = sample[0::2], sample[1::2]
        if sample[:4] != b"\0\0\0\0" and sample[1:4] == b"\0\0\0":
            return "utf-32-le"
        if sample[:3] == b"\0\0\0":
            return "utf-32-be"
        if odd.count(0) > len(odd) // 2 and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) > len(even) // 2 and odd.count(0) == 0:
            return "utf-16-be"
    return None


def decode_bytes(raw: bytes) -> tuple[str, str | None]:
    """Text from bytes of unknown encoding, and a note when it was not UTF-8.

    UTF-8 (with or without a BOM) first, then UTF-16/32 when a BOM or the zero bytes of
    ASCII text show it, then cp1252, then latin-1, which decodes anything.
    """
    wide = detect_wide_encoding(raw[:64])
    if wide is not None:
        try:
            return raw.decode(wide), f"decoded as {wide.upper()}"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where = exc.start
    for encoding in ("cp1252", "latin-1"):
        try:
            return raw.decode(encoding), f"not UTF-8 (first bad byte at offset {where}); " \
                                         f"decoded as {encoding}"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


# -- dispatch ------------------------------------------------------------------------------
def expand_sources(sources: Any) -> Iterator[Path | Issue]:
    """The files behind the given paths: folders become their images, in a stable order."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            images = []
            for item in _folder_images(path):
                if isinstance(item, Issue):
                    yield item
                else:
                    images.append(item)
            if not images:
                yield Issue(str(path), None, "folder holds no PNG images", "note")
            yield from images
        elif path.is_file():
            yield path
        else:
            yield Issue(str(path), None, "no such file or folder", "error")


def _folder_images(folder: Path) -> Iterator[Path | Issue]:
    """The images in a folder, sorted; a file symlink that leads out of it is skipped.

    `rglob` does not follow folder symlinks, but `is_file()` follows a file symlink
    anywhere on the disk: the user chose this folder, not where its links point.
    """
    root = folder.resolve()
    for p in sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        try:
            if not p.is_file():
                continue
            if p.is_symlink():
                target = p.resolve()
                if not target.is_relative_to(root):
                    yield Issue(str(p), None, f"symlink to {target}, outside the imported folder: "
                                              "skipped (import that file directly to include it)",
                                "note")
                    continue
        except (OSError, RuntimeError) as exc:   # a link loop, a vanished file
            yield Issue(str(p), None, f"cannot read: {exc}", "error")
            continue
        yield p


def read_source(path: Path) -> Iterator[Entry | Issue]:
    """Entries and issues from one file, by its suffix or, failing that, its first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        yield Issue(str(path), None, f"cannot read: {exc.strerror or exc}", "error")
        return
    suffix = path.suffix.lower()
    wide = detect_wide_encoding(head)
    if head.startswith(PNG_SIGNATURE):
        yield from read_png(path)
    elif suffix in JSON_LINES_SUFFIXES:
        yield from read_json_lines(path)
    elif suffix == ".json" or head.lstrip()[:1] in (b"{", b"[") or head.startswith(codecs.BOM_UTF8) \
            or wide is not None:
        yield from read_json(path)
    else:
        yield Issue(str(path), None, "not a JSON, JSON Lines or PNG file", "error")


# -- JSON documents ------------------------------------------------------------------------
def read_json(path: Path) -> Iterator[Entry | Issue]:
    """A whole JSON document; a truncated one still yields the entries before the damage."""
    try:
        with open(path, "rb") as handle:
            mtime = os.fstat(handle.fileno()).st_mtime
            raw = handle.read()
    except OSError as exc:
        yield Issue(str(path), None, f"cannot read: {exc.strerror or exc}", "error")
        return
    text, note = decode_bytes(raw)
    del raw
    if note:
        yield Issue(str(path), None, note, "note")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and _looks_like_json_lines(text):
            yield from _json_lines(path, (line.encode("utf-8") for line in text.splitlines()),
                                   mtime)
            return
        yield Issue(str(path), f"line {exc.lineno}, column {exc.colno} (char {exc.pos})",
                    f"malformed JSON: {exc.msg}; entries before this point were kept", "error")
        yield from _entries(path, salvage_json(text), mtime)
        return
    except JSON_ERRORS as exc:
        yield Issue(str(path), None, f"{_json_error(exc)}; entries before it were kept", "error")
        yield from _entries(path, salvage_json(text), mtime)
        return
    yield from _entries(path, _document_items(document), mtime)


def _json_error(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to read"
    return f"unreadable JSON value: {str(exc).split(';')[0]}"


def _looks_like_json_lines(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except JSON_ERRORS:
        return False


def _document_items(document: Any) -> Iterator[tuple[str | None, int, Any]]:
    """(list key, index, item) for every candidate entry in a parsed document."""
    if isinstance(document, list):
        for index, item in enumerate(document):
            yield None, index, item
    elif isinstance(document, dict):
        if "prompt" in document and not any(isinstance(v, list) and v and isinstance(v[0], dict)
                                            for v in document.values()):
            yield None, 0, document
            return
        for key, value in document.items():
            if isinstance(value, list):
                for index, item in enumerate(value):
                    yield str(key), index, item


def salvage_json(text: str) -> Iterator[tuple[str | None, int, Any]]:
    """The complete items of a damaged document, element by element, up to the damage.

    Handles the two shapes sources have: a top-level list, and an object whose values are
    lists. Stops quietly at the first element that does not parse.
    """
    decoder = json.JSONDecoder()
    blank = re.compile(r"\s*")

    def skip(pos: int = 0) -> int:
        """`pos` moved past any white space (`\\s*` always matches)."""
        match = blank.match(text, pos)
        return match.end() if match else pos

    def items_of_list(pos: int, key: str | None) -> Generator[tuple[str | None, int, Any], None, int]:
        pos = skip(pos + 1)
        index = 0
        while pos < len(text) and text[pos] != "]":
            item, pos = decoder.raw_decode(text, pos)
            yield key, index, item
            index += 1
            pos = skip(pos)
            if text.startswith(",", pos):
                pos = skip(pos + 1)
        return pos + 1

    try:
        pos = skip()
        if text.startswith("[", pos):
            yield from items_of_list(pos, None)
            return
        if not text.startswith("{", pos):
            return
        pos = skip(pos + 1)
        while text.startswith('"', pos):
            key, pos = decoder.raw_decode(text, pos)
            pos = skip(pos) + 1        # past the ':'
            pos = skip(pos)
            if text.startswith("[", pos):
                pos = yield from items_of_list(pos, str(key))
            else:
                _, pos = decoder.raw_decode(text, pos)
            pos = skip(pos)
            if text.startswith(",", pos):
                pos = skip(pos + 1)
    except (ValueError, IndexError, RecursionError):
        return


def _outcome_of_key(key: str | None) -> bool | None:
    lowered = (key or "").lower()
    if "fail" in lowered or "error" in lowered:
        return False
    if "success" in lowered:
        return True
    return None


def _entries(path: Path, items: Iterator[tuple[str | None, int, Any]],
             mtime: float | None = None) -> Iterator[Entry | Issue]:
    for key, index, item in items:
        success = _outcome_of_key(key)
        known_list = key is None or success is not None or key.lower() in HISTORY_KEYS
        position = f"{key}[{index}]" if key is not None else f"[{index}]"
        if isinstance(item, str):
            item = {"prompt": item}
        if not isinstance(item, dict):
            if known_list:
                yield Issue(str(path), position, f"not an object ({type(item).__name__})")
            continue
        kind = "legacy_json" if success is not None else _kind_of(item)
        yield Entry(item, path, position, kind, success, mtime=mtime)


def _kind_of(item: dict[str, Any]) -> str:
    return "export" if {"id", "ai_model", "success", "prompt"} <= item.keys() else "history"


# -- JSON Lines ----------------------------------------------------------------------------
def read_json_lines(path: Path) -> Iterator[Entry | Issue]:
    """A JSON Lines file, streamed: memory stays flat however long the file is."""
    try:
        handle = open(path, "rb")
        # Taken from the open handle: a file deleted or replaced while it is read still
        # gives every entry the same, real time.
        mtime = os.fstat(handle.fileno()).st_mtime
    except OSError as exc:
        yield Issue(str(path), None, f"cannot read: {exc.strerror or exc}", "error")
        return
    with handle:
        wide = detect_wide_encoding(handle.peek(64)[:64])
        if wide is None:
            yield from _json_lines(path, handle, mtime)
            return
        # Lines of a UTF-16/32 file end in "\n\0": split the decoded text, not the bytes.
        yield Issue(str(path), None, f"decoded as {wide.upper()}", "note")
        text = io.TextIOWrapper(handle, encoding=wide, errors="replace", newline=None)
        yield from _json_lines(path, (line.encode("utf-8") for line in text), mtime)


def _json_lines(path: Path, lines: Any, mtime: float | None = None) -> Iterator[Entry | Issue]:
    noted = False
    offset = 0
    for number, raw in enumerate(lines, 1):
        offset += len(raw)
        raw = raw.strip()
        if not raw:
            continue
        text, note = decode_bytes(raw)
        if note and not noted:
            noted = True
            yield Issue(str(path), f"line {number}", note, "note")
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Issue(str(path), f"line {number}, column {exc.colno}", f"malformed JSON: {exc.msg}")
            continue
        except JSON_ERRORS as exc:
            yield Issue(str(path), f"line {number}", _json_error(exc))
            continue
        if isinstance(item, str):
            item = {"prompt": item}
        if not isinstance(item, dict):
            yield Issue(str(path), f"line {number}", f"not an object ({type(item).__name__})")
            continue
        yield Entry(item, path, f"line {number}", _kind_of(item), offset=offset, mtime=mtime)


# -- PNG images ----------------------------------------------------------------------------
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


def read_png(path: Path) -> Iterator[Entry | Issue]:
    """One successful entry for an image whose metadata holds its prompt."""
    try:
        png = read_png_text(path)
    except (OSError, ValueError) as exc:
        yield Issue(str(path), None, f"cannot read PNG: {exc}", "error")
        return
    chunks = png.chunks
    for problem in png.problems:
        yield Issue(str(path), None, problem, "note")
    if "parameters" in chunks:
        parsed, kind = parse_a1111(chunks["parameters"]), "png_a1111"
        raw = chunks["parameters"]
    elif "prompt" in chunks or "workflow" in chunks:
        parsed, kind = parse_comfyui(chunks.get("prompt"), chunks.get("workflow")), "png_comfyui"
        raw = chunks.get("prompt") or chunks.get("workflow") or ""
    else:
        why = "no prompt in the PNG metadata"
        yield Issue(str(path), None, why + (" (see the notes above)" if png.problems else ""), "note")
        return
    if parsed is None:
        yield Issue(str(path), None, f"{kind[4:]} metadata holds no prompt text")
        return
    prompt, model, params = parsed
    data = {"prompt": prompt, "model": model, "model_parameters": params,
            "result_url": str(path.resolve()), "save_method": "manual",
            "timestamp": png.mtime}
    # Identity: the image's name and its metadata, not its mtime, so a copied folder collapses.
    yield Entry(data, path, None, kind, True, identity=f"{path.name}\0{raw}", mtime=png.mtime)
