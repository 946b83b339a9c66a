"""Pull the result URL, the error and the prompt out of whatever a host app hands around.

Success handlers receive a URL, a path, a dict such as ``{"images": [{"url": ...}]}``,
a list of any of these, or an object with a ``url`` attribute; error handlers receive
a message, an exception or a parsed JSON body. These functions never raise.
"""
from __future__ import annotations

import os
import re
import tkinter as tk
from collections.abc import Mapping
from typing import Any, cast

# Keys that hold the result itself, tried in this order; containers are searched inside.
URL_KEYS = ("url", "result_url", "image_url", "video_url", "uri", "path", "file", "filename",
            "output_url")
CONTAINER_KEYS = ("images", "videos", "outputs", "output", "data", "results", "result",
                  "artifacts", "image", "video", "files")
ERROR_KEYS = ("error_message", "error", "message", "detail", "msg")
MAX_DEPTH = 6
MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".ppm",
                  ".mp4", ".mov", ".webm", ".mkv", ".avi", ".gifv", ".wav", ".mp3")
_URL_IN_TEXT = re.compile(r"(?:https?|file)://[^\s\"'<>]+")
_PATH_IN_TEXT = re.compile(r"(?:[A-Za-z]:[\\/]|[\\/]|~[\\/]|\.{1,2}[\\/])[^\n\"'<>|*?]*")
_FILE_IN_TEXT = re.compile(r"[^\s\"'<>|*?:]+\.(?:" + "|".join(s[1:] for s in MEDIA_SUFFIXES)
                           + r")\b", re.IGNORECASE)
_TRAILING = ".,;:)]}!"


def extract_result_url(value: Any, _depth: int = 0) -> str | None:
    """The first URL or path found in a success handler's argument, or None."""
    try:
        if value is None or _depth > MAX_DEPTH or isinstance(value, (bool, bytes, bytearray)):
            return None
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        if isinstance(value, Mapping):
            for key in URL_KEYS:
                found = extract_result_url(value.get(key), _depth + 1) \
                    if isinstance(value.get(key), (str, os.PathLike)) else None
                if found:
                    return found
            for key in CONTAINER_KEYS:
                found = extract_result_url(value.get(key), _depth + 1)
                if found:
                    return found
            return None
        if isinstance(value, (list, tuple)):
            for item in value:
                found = extract_result_url(item, _depth + 1)
                if found:
                    return found
            return None
        for attribute in ("url", "path", "uri"):
            found = getattr(value, attribute, None)
            if isinstance(found, (str, os.PathLike)):
                return extract_result_url(found, _depth + 1)
    except Exception:  # a host object with a surprising __getattr__ or Mapping
        return None
    return None


def looks_like_result(value: Any) -> bool:
    """Whether a string names a result: a URL, a file that exists, or a media path."""
    if not isinstance(value, (str, os.PathLike)):
        return False
    text = os.fspath(value).strip()
    if not text or "\n" in text:
        return False
    if _URL_IN_TEXT.fullmatch(text) or text.startswith("data:"):
        return True
    try:
        if os.path.isfile(text):
            return True
    except (OSError, ValueError):
        return False
    return text.lower().endswith(MEDIA_SUFFIXES) and (os.sep in text or "/" in text)


def result_from_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The result in a success handler's arguments: the first argument's when it names
    one, else the first other argument that looks like a URL or path, else the first
    argument's extraction (`add_to_carousel(image, name, filepath)` reports the path last)."""
    values = list(args) + list(kwargs.values())
    first = extract_result_url(values[0]) if values else None
    if first and looks_like_result(first):
        return first
    for value in values[1:]:
        found = extract_result_url(value)
        if found and looks_like_result(found):
            return found
    return first if first and not isinstance(values[0], str) else first


def result_in_text(text: str) -> str | None:
    """A URL or file path inside a message such as ``"Saved to /out/cat.png"``, or None."""
    try:
        url = _URL_IN_TEXT.search(text)
        if url:
            return url.group().rstrip(_TRAILING)
        for match in _PATH_IN_TEXT.finditer(text):
            whole = candidate = match.group().strip().rstrip(_TRAILING)
            while candidate:
                if os.path.exists(os.path.expanduser(candidate)):
                    return candidate
                if " " not in candidate:
                    break
                candidate = candidate.rsplit(" ", 1)[0].rstrip(_TRAILING)
            if whole.lower().endswith(MEDIA_SUFFIXES):
                return whole
        bare = _FILE_IN_TEXT.search(text)
        return bare.group() if bare else None
    except Exception:
        return None


def extract_error(value: Any) -> Any:
    """What to hand the tracker as the error: exceptions and JSON bodies as they are
    (the failure categorizer reads their type and codes), anything else as text."""
    if value is None or isinstance(value, (str, BaseException, Mapping)):
        return value
    try:
        for key in ERROR_KEYS:
            found = getattr(value, key, None)
            if isinstance(found, str) and found:
                return found
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


def first_argument(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The first positional argument, else the first keyword value, else None."""
    if args:
        return args[0]
    return next(iter(kwargs.values()), None)


def clean_prompt(value: Any) -> str:
    """A prompt as the user meant it: None is empty, surrounding whitespace (a Text
    widget's trailing newline) is dropped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            value = str(value)
        except Exception:
            return ""
    return value.strip()


def read_widget_text(widget: Any) -> str | None:
    """The text in a Text, Entry, Combobox or Tk variable, or None for anything else. Tk thread."""
    if isinstance(widget, tk.Text):
        return widget.get("1.0", "end-1c")
    if isinstance(widget, tk.Variable):
        return str(widget.get())
    if isinstance(widget, tk.Misc) and widget.winfo_class() in ("Entry", "TEntry", "TCombobox",
                                                                 "Spinbox", "TSpinbox"):
        # ttk's Entry, Combobox and Spinbox all derive from tk.Entry
        return str(cast("tk.Entry | tk.Spinbox", widget).get())
    if isinstance(widget, str):
        return widget
    if isinstance(widget, tk.Misc) and type(widget).__module__.startswith("customtkinter"):
        return _read_ctk_text(widget)
    return None


def _read_ctk_text(widget: tk.Misc) -> str | None:
    """customtkinter's CTkTextbox and CTkEntry are Frames wrapping a Text or an Entry."""
    for inner in ("_textbox", "_entry"):
        found = read_widget_text(getattr(widget, inner, None))
        if found is not None:
            return found
    return None
