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
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
def decode_bytes(raw: bytes) -> tuple[str, str | None]:
    """Text from bytes of unknown encoding, and a note when it was not UTF-8.

    UTF-8 (with or without a BOM) first, then UTF-16 when it has a BOM, then cp1252, then
    latin-1, which decodes anything.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "decoded as UTF-16"
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
            images = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
                            and p.is_file())
            if not images:
                yield Issue(str(path), None, "folder holds no PNG images", "note")
            yield from images
        elif path.is_file():
            yield path
        else:
            yield Issue(str(path), None, "no such file or folder", "error")


def read_source(path: Path) -> Iterator[Entry | Issue]:
    """Entries and issues from one file, by its suffix or, failing that, its first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        yield Issue(str(path), None, f"cannot read: {exc.strerror or exc}", "error")
        return
    suffix = path.suffix.lower()
    if head.startswith(PNG_SIGNATURE):
        yield from read_png(path)
    elif suffix in JSON_LINES_SUFFIXES:
        yield from read_json_lines(path)
    elif suffix == ".json" or head.lstrip()[:1] in (b"{", b"[") or head.startswith(codecs.BOM_UTF8):
        yield from read_json(path)
    else:
        yield Issue(str(path), None, "not a JSON, JSON Lines or PNG file", "error")


# -- JSON documents ------------------------------------------------------------------------
def read_json(path: Path) -> Iterator[Entry | Issue]:
    """A whole JSON document; a truncated one still yields the entries before the damage."""
    try:
        text, note = decode_bytes(path.read_bytes())
    except OSError as exc:
        yield Issue(str(path), None, f"cannot read: {exc.strerror or exc}", "error")
        return
    if note:
        yield Issue(str(path), None, note, "note")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and _looks_like_json_lines(text):
            yield from _json_lines(path, (line.encode("utf-8") for line in text.splitlines()))
            return
        yield Issue(str(path), f"line {exc.lineno}, column {exc.colno} (char {exc.pos})",
                    f"malformed JSON: {exc.msg}; entries before this point were kept", "error")
        yield from _entries(path, salvage_json(text))
        return
    yield from _entries(path, _document_items(document))


def _looks_like_json_lines(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
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
    space = re.compile(r"\s*")

    def items_of_list(pos: int, key: str | None) -> Generator[tuple[str | None, int, Any], None, int]:
        pos = space.match(text, pos + 1).end()  # type: ignore[union-attr]
        index = 0
        while pos < len(text) and text[pos] != "]":
            item, pos = decoder.raw_decode(text, pos)
            yield key, index, item
            index += 1
            pos = space.match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith(",", pos):
                pos = space.match(text, pos + 1).end()  # type: ignore[union-attr]
        return pos + 1

    try:
        pos = space.match(text).end()  # type: ignore[union-attr]
        if text.startswith("[", pos):
            yield from items_of_list(pos, None)
            return
        if not text.startswith("{", pos):
            return
        pos = space.match(text, pos + 1).end()  # type: ignore[union-attr]
        while text.startswith('"', pos):
            key, pos = decoder.raw_decode(text, pos)
            pos = space.match(text, pos).end() + 1  # type: ignore[union-attr]  # past the ':'
            pos = space.match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith("[", pos):
                pos = yield from items_of_list(pos, str(key))
            else:
                _, pos = decoder.raw_decode(text, pos)
            pos = space.match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith(",", pos):
                pos = space.match(text, pos + 1).end()  # type: ignore[union-attr]
    except (ValueError, IndexError):
        return


def _outcome_of_key(key: str | None) -> bool | None:
    lowered = (key or "").lower()
    if "fail" in lowered or "error" in lowered:
        return False
    if "success" in lowered:
        return True
    return None


def _entries(path: Path, items: Iterator[tuple[str | None, int, Any]]) -> Iterator[Entry | Issue]:
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
        yield Entry(item, path, position, kind, success)


def _kind_of(item: dict[str, Any]) -> str:
    return "export" if {"id", "ai_model", "success", "prompt"} <= item.keys() else "history"


# -- JSON Lines ----------------------------------------------------------------------------
def read_json_lines(path: Path) -> Iterator[Entry | Issue]:
    """A JSON Lines file, streamed: memory stays flat however long the file is."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield Issue(str(path), None, f"cannot read: {exc.strerror or exc}", "error")
        return
    with handle:
        yield from _json_lines(path, handle)


def _json_lines(path: Path, lines: Any) -> Iterator[Entry | Issue]:
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
        if isinstance(item, str):
            item = {"prompt": item}
        if not isinstance(item, dict):
            yield Issue(str(path), f"line {number}", f"not an object ({type(item).__name__})")
            continue
        yield Entry(item, path, f"line {number}", _kind_of(item), offset=offset)


# -- PNG images ----------------------------------------------------------------------------
def read_png_text(path: Path) -> dict[str, str]:
    """The tEXt, zTXt and iTXt chunks of a PNG as {keyword: text}; the first of a keyword wins.

    Raises:
        OSError: the file cannot be read.
        ValueError: it is not a PNG.
    """
    found: dict[str, str] = {}
    with open(path, "rb") as handle:
        if handle.read(8) != PNG_SIGNATURE:
            raise ValueError("not a PNG file")
        while True:
            header = handle.read(8)
            if len(header) < 8:
                break
            length, kind = struct.unpack(">I4s", header)
            if kind == b"IEND":
                break
            if kind not in (b"tEXt", b"zTXt", b"iTXt") or length > MAX_TEXT_CHUNK:
                handle.seek(length + 4, os.SEEK_CUR)    # skip image data without reading it
                continue
            data = handle.read(length)
            handle.seek(4, os.SEEK_CUR)                 # the CRC
            if len(data) < length:
                break                                   # a truncated file: keep what we have
            try:
                keyword, text = _text_chunk(kind, data)
            except (ValueError, zlib.error):
                continue
            found.setdefault(keyword, text)
    return found


def _text_chunk(kind: bytes, data: bytes) -> tuple[str, str]:
    keyword, _, rest = data.partition(b"\0")
    name = keyword.decode("latin-1")
    if kind == b"tEXt":
        return name, rest.decode("latin-1")
    if kind == b"zTXt":
        return name, _inflate(rest[1:]).decode("latin-1")
    compressed, rest = rest[0], rest[2:]            # iTXt: flag, method, language, translated
    _, _, rest = rest.partition(b"\0")
    _, _, text = rest.partition(b"\0")
    if compressed:
        text = _inflate(text)
    return name, text.decode("utf-8", "replace")


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_TEXT_CHUNK)   # bounded: a zip bomb stops here
    return out


def read_png(path: Path) -> Iterator[Entry | Issue]:
    """One successful entry for an image whose metadata holds its prompt."""
    try:
        chunks = read_png_text(path)
        stat = path.stat()
    except (OSError, ValueError) as exc:
        yield Issue(str(path), None, f"cannot read PNG: {exc}", "error")
        return
    if "parameters" in chunks:
        parsed, kind = parse_a1111(chunks["parameters"]), "png_a1111"
        raw = chunks["parameters"]
    elif "prompt" in chunks or "workflow" in chunks:
        parsed, kind = parse_comfyui(chunks.get("prompt"), chunks.get("workflow")), "png_comfyui"
        raw = chunks.get("prompt") or chunks.get("workflow") or ""
    else:
        yield Issue(str(path), None, "no prompt in the PNG metadata", "note")
        return
    if parsed is None:
        yield Issue(str(path), None, f"{kind[4:]} metadata holds no prompt text")
        return
    prompt, model, params = parsed
    data = {"prompt": prompt, "model": model, "model_parameters": params,
            "result_url": str(path.resolve()), "save_method": "manual",
            "timestamp": stat.st_mtime}
    # Identity: the image's name and its metadata, not its mtime, so a copied folder collapses.
    yield Entry(data, path, None, kind, True, identity=f"{path.name}\0{raw}")
