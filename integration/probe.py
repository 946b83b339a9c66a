"""What a host's start method did while it ran: handed work off, or finished inline.

A start that starts a thread, submits to a pool or schedules an `after()` leaves the
run pending. One that did none of these either ran the generation inline (the API
called on the Tk thread, the result put on a Label) or started nothing at all (its
inputs were invalid). The probe tells these apart from what changed: a Label's image,
or a layout attribute now naming a result file.
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
        watch_results: also snapshot Label images and attributes (costs a tree walk).
    """

    def __init__(self, root: tk.Misc | None, layout: Any, *, watch_results: bool) -> None:
        self.root = root
        self.layout = layout
        self.afters = self._afters() if root is not None else {}
        self.images = self._images() if root is not None and watch_results else {}
        self.attributes = self._attributes() if watch_results else {}

    def scheduled_work(self) -> bool:
        """Whether an `after()` (or `after_idle`) was scheduled since the snapshot.

        A timer re-arming a script that was already waiting (our dispatchers' polls, when
        the start calls `update()`) is not new work.
        """
        if self.root is None:
            return False
        known = set(self.afters.values())
        now = self._afters()
        return any(script not in known for after_id, script in now.items()
                   if after_id not in self.afters)

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

    def _afters(self) -> dict[str, str]:
        """{after id: its script} for every timer and idle callback waiting."""
        assert self.root is not None
        call = self.root.tk.call
        afters: dict[str, str] = {}
        try:
            ids = self.root.tk.splitlist(call("after", "info"))
        except tk.TclError:
            return afters
        for after_id in ids:
            try:
                afters[str(after_id)] = str(self.root.tk.splitlist(call("after", "info",
                                                                        after_id))[0])
            except (tk.TclError, IndexError):
                continue
        return afters

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
