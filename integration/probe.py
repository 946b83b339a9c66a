"""Whether a start method that handed no work off ran the generation inline.

A start that starts a thread, submits to a pool or schedules an `after()` leaves the
run pending (`watch.counting_handoffs` sees that). One that did none of these either
ran the generation inline (the API called on the Tk thread, the result put on a Label)
or started nothing at all (its inputs were invalid). The probe tells these apart from
what changed: a Label's image, or a layout attribute now naming a result file.
"""
from __future__ import annotations

import os
import tkinter as tk
from typing import Any

from .extract import looks_like_result
from .rewire import walk

_IMAGE_CLASSES = ("Label", "TLabel", "Button", "TButton")


class StartProbe:
    """Snapshot taken just before the start method runs (Tk thread for the Tk parts).

    Args:
        root: the widget tree to watch (the layout's window), or None off the Tk thread.
        layout: the host object whose attributes may name the result.
        watch_results: snapshot Label images and attributes (costs a tree walk); False
            makes the probe see nothing.
    """

    def __init__(self, root: tk.Misc | None, layout: Any, *, watch_results: bool) -> None:
        self.root = root
        self.layout = layout
        self.images = self._images() if root is not None and watch_results else {}
        self.attributes = self._attributes() if watch_results else {}

    def inline_result(self) -> tuple[bool, str | None]:
        """(whether a result appeared, its path or URL when one can be found)."""
        path = None
        changed = False
        if self.root is not None:
            for name, image in self._images().items():
                if image and image != self.images.get(name):
                    changed = True
                    path = path or self._image_file(image)
        for name, value in self._attributes().items():
            if value != self.attributes.get(name) and looks_like_result(value):
                changed = True
                path = path or value
        return changed, path

    # -- snapshots -------------------------------------------------------------------

    def _images(self) -> dict[str, str]:
        assert self.root is not None
        images: dict[str, str] = {}
        for widget in walk(self.root):
            try:
                if widget.winfo_class() in _IMAGE_CLASSES:
                    images[str(widget)] = str(widget.cget("image"))
            except (tk.TclError, ValueError):
                continue
        return images

    def _attributes(self) -> dict[str, str]:
        values = getattr(self.layout, "__dict__", {})
        return {name: os.fspath(value) for name, value in list(values.items())
                if isinstance(value, (str, os.PathLike)) and not name.startswith("__")}

    def _image_file(self, image: str) -> str | None:
        assert self.root is not None
        try:
            file = str(self.root.tk.call(image, "cget", "-file"))
        except tk.TclError:
            return None  # a PIL image: no file behind it
        return file or None
