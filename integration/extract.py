"""Pull the result URL, the error and the prompt out of whatever a host app hands around.

Success handlers receive a URL, a path, a dict such as ``{"images": [{"url": ...}]}``,
a list of any of these, or an object with a ``url`` attribute; error handlers receive
a message, an exception or a parsed JSON body. These functions never raise.
"""
from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Mapping
from typing import Any

# Keys that hold the result itself, tried in this order; containers are searched inside.
URL_KEYS = ("url", "result_url", "image_url", "video_url", "uri", "path", "file", "filename",
            "output_url")
CONTAINER_KEYS = ("images", "videos", "outputs", "output", "data", "results", "result",
                  "artifacts", "image", "video", "files")
ERROR_KEYS = ("error_message", "error", "message", "detail", "msg")
MAX_DEPTH = 6


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
        return str(widget.get())
    if isinstance(widget, str):
        return widget
    return None
