"""The Records browser's detail pane: the selected result's image, prompt and everything else.

The image comes from the window's `ThumbnailLoader` (made off the Tk thread, cached on
disk); text goes in a read-only `tk.Text` in the window's palette, so long prompts,
parameters and error messages wrap and scroll instead of being cut off.
"""
from __future__ import annotations

import functools
import datetime as dt
import json
import tkinter as tk
from tkinter import ttk
from typing import Any

from prompt_tracking import PromptRecord

from ..theme import Palette
from ..thumbnails import ThumbnailLoader

DETAIL_PX = 300


def describe(record: PromptRecord) -> list[tuple[str, str]]:
    """(label, text) pairs for every field worth showing, in reading order."""
    when = dt.datetime.fromtimestamp(record.timestamp).strftime("%Y-%m-%d %H:%M:%S")
    rows = [("Prompt", record.prompt), ("Model", record.ai_model), ("Time", when),
            ("Outcome", "ok" if record.success else "failed")]
    if not record.success:
        rows.append(("Failure reason", (record.failure_reason or "unknown").replace("_", " ")
                     + _derived_from(record.metadata or {})))
        if record.error_message:
            rows.append(("Error", record.error_message))
    if record.model_parameters:
        rows.append(("Parameters", json.dumps(record.model_parameters, ensure_ascii=False,
                                              indent=1, default=str)))
    rows.append(("Rating", "★" * record.quality_rating if record.quality_rating else
                 ("not rated" if record.success else "failed results are not rated")))
    if record.feedback:
        rows.append(("Comment", record.feedback))
    if record.tags:
        rows.append(("Tags", ", ".join(record.tags)))
    if record.save_method == "user_save":
        rows.append(("Kept", "yes"))
    if record.result_url:
        rows.append(("Result", record.result_url))
    return rows


class RecordDetail(ttk.Frame):
    """Image on top, then every field of one record; `show(None)` empties it."""

    def __init__(self, master: tk.Misc, palette: Palette, images: ThumbnailLoader) -> None:
        super().__init__(master, padding=(8, 0, 0, 0))
        self.images = images
        self.record_id: str | None = None
        self._photo: Any = None
        self.image = ttk.Label(self, anchor=tk.CENTER, text="Select a record", width=30)
        self.image.pack(side=tk.TOP, fill=tk.X, pady=(0, 6))
        self.text = tk.Text(self, wrap="word", width=34, height=18, relief="flat",
                            borderwidth=0, padx=6, pady=4, font="TkTextFont",
                            background=palette.background, foreground=palette.foreground,
                            highlightthickness=0, takefocus=0)
        self.text.tag_configure("label", foreground=palette.muted, spacing1=6)
        bar = ttk.Scrollbar(self, orient=tk.VERTICAL, command=self.text.yview)
        self.text.configure(yscrollcommand=bar.set, state="disabled")
        bar.pack(side=tk.RIGHT, fill=tk.Y)
        self.text.pack(side=tk.LEFT, fill=tk.BOTH, expand=True)

    def show(self, record: PromptRecord | None) -> None:
        """Show `record` (None: nothing selected)."""
        self.record_id = record.id if record is not None else None
        self.text.configure(state="normal")
        self.text.delete("1.0", tk.END)
        if record is None:
            self._photo = None
            self.image.configure(image="", text="Select a record")
            self.text.configure(state="disabled")
            return
        for label, value in describe(record):
            self.text.insert(tk.END, label + "\n", ("label",))
            self.text.insert(tk.END, value + "\n")
        self.text.configure(state="disabled")
        self.image.configure(image="", text="Loading the image...")
        self.images.request(record.result_url, DETAIL_PX,
                            functools.partial(self._show_image, record.id))

    def _show_image(self, record_id: str, photo: Any, reason: str | None) -> None:
        if record_id != self.record_id or not self.winfo_exists():
            return
        self._photo = photo  # a Label keeps no Python reference to its image
        self.image.configure(image=photo or "", text=reason or "")

    def shown_text(self) -> str:
        return self.text.get("1.0", "end-1c")


def _derived_from(meta: dict) -> str:
    """How the reason was decided ("phrase: insufficient balance", set by the user...)."""
    if meta.get("failure_reason_source") == "manual":
        return " (set by you)"
    evidence = meta.get("failure_evidence")
    if meta.get("failure_reason_source") == "auto" and isinstance(evidence, str) and evidence:
        confidence = meta.get("failure_confidence")
        sure = f", {confidence:.0%} sure" if isinstance(confidence, (int, float)) else ""
        return f" ({evidence}{sure})"
    return ""
