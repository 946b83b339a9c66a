"""`ScrollPage`: a notebook page whose content scrolls vertically when the window is too short.

The content frame (`.inner`) fills the page's height when there is room, and is never made
shorter than what its widgets ask for (`winfo_reqheight`): on a small screen a chart keeps
its height and a scrollbar appears, instead of every chart being squeezed to a sliver. The
width always follows the page, so charts and wrapped labels narrow with the window.
"""
from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk

from prompt_tracking.widgets._tk import cancel_after, safe

log = logging.getLogger(__name__)
# Widgets that use the wheel themselves (lists, text, comboboxes change value on it).
_OWN_WHEEL = {"Treeview", "Text", "Listbox", "TCombobox", "TSpinbox", "Spinbox", "Scrollbar",
              "TScrollbar", "Scale", "TScale"}


class ScrollPage(ttk.Frame):
    """A frame with a vertical scrollbar (shown only when needed) around `.inner`.

    Args:
        master: The notebook.
        background: The canvas colour (the window's surface colour).
        min_height: Never make the content shorter than this (0: its requested height).
    """

    def __init__(self, master: tk.Misc, *, background: str, min_height: int = 0) -> None:
        super().__init__(master)
        self.min_height = min_height
        self._later: str | None = None
        self.canvas = tk.Canvas(self, highlightthickness=0, borderwidth=0, background=background)
        self.bar = ttk.Scrollbar(self, orient=tk.VERTICAL, command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self._on_scroll)
        self.canvas.pack(side=tk.LEFT, fill=tk.BOTH, expand=True)
        self.inner = ttk.Frame(self.canvas)
        self.inner.pack_propagate(True)
        self._item = self.canvas.create_window(0, 0, window=self.inner, anchor=tk.NW)
        self._tag = f"ScrollPage{id(self)}"
        self.canvas.bind("<Configure>", safe(lambda _e: self.relayout()), add="+")
        for sequence, step in (("<Button-4>", -1), ("<Button-5>", 1)):
            self.bind_class(self._tag, sequence, safe(lambda _e, s=step: self.scroll(s)))
        # A part that changed size (a row of figures wrapped) may change what the content needs.
        self.bind_class(self._tag, "<Configure>", safe(lambda _e: self._settle_later()), add="+")
        self.bind_class(self._tag, "<MouseWheel>",
                        safe(lambda e: self.scroll(-1 if e.delta > 0 else 1)))
        self._tag_widget(self.canvas)
        self._tag_widget(self.inner)

    @property
    def scrollable(self) -> bool:
        """True when the content is taller than the page (the scrollbar is shown)."""
        return self.canvas.yview() != (0.0, 1.0)

    def content_height(self) -> int:
        """The height the content is given: the page's, or more when it needs more."""
        return max(self.canvas.winfo_height(), self.needed_height(), self.min_height)

    def needed_height(self) -> int:
        """What the content asks for, charts counted at the height they asked for.

        A matplotlib canvas's requested height follows the size it was last given, so
        after a tall window it would keep asking for that much: `wanted_height` is used."""
        needed = self.inner.winfo_reqheight()
        stack: list[tk.Misc] = [self.inner]
        while stack:
            widget = stack.pop()
            wanted = getattr(widget, "wanted_height", None)
            if isinstance(wanted, int):
                canvas = widget.canvas.get_tk_widget()  # type: ignore[attr-defined]
                needed -= max(0, canvas.winfo_reqheight() - wanted)
                continue
            stack.extend(widget.children.values())
        return needed

    def relayout(self) -> None:
        """Fit the content to the page's width and to max(page, needed) height."""
        width, height = self.canvas.winfo_width(), self.content_height()
        if width <= 1:
            return
        self.canvas.itemconfigure(self._item, width=width, height=height)
        self.canvas.configure(scrollregion=(0, 0, width, height))

    def _settle_later(self) -> None:
        # Tk computes requested sizes at idle time, level by level: look again once settled.
        cancel_after(self, self._later)
        self._later = self.after(30, safe(self._settled))

    def _settled(self) -> None:
        self._later = None
        self.relayout()

    def destroy(self) -> None:
        cancel_after(self, self._later)
        self._later = None
        for sequence in ("<Button-4>", "<Button-5>", "<MouseWheel>", "<Configure>"):
            try:
                self.unbind_class(self._tag, sequence)
            except tk.TclError:
                pass  # the interpreter is going away
        super().destroy()

    def scroll(self, units: int) -> None:
        if self.scrollable:
            self.canvas.yview_scroll(units * 3, "units")

    def refit(self) -> None:
        """Call after the content changed (a tab was built, a chart grew): Tk sends no event
        when the requested height of a frame held at a fixed size changes. Also lets the
        new widgets scroll the page with the wheel."""
        self.relayout()
        self._settle_later()
        stack: list[tk.Misc] = [self.inner]
        while stack:
            widget = stack.pop()
            stack.extend(widget.children.values())
            self._tag_widget(widget)

    def _tag_widget(self, widget: tk.Misc) -> None:
        try:
            if widget.winfo_class() in _OWN_WHEEL:
                return
            tags = widget.bindtags()
            if self._tag not in tags:
                widget.bindtags((*tags, self._tag))
        except tk.TclError:
            log.debug("could not add the scroll bindings to %r", widget, exc_info=True)

    def _on_scroll(self, first: float | str, last: float | str) -> None:
        self.bar.set(first, last)
        needed = (float(first), float(last)) != (0.0, 1.0)
        if needed and not self.bar.winfo_manager():
            self.bar.pack(side=tk.RIGHT, fill=tk.Y, before=self.canvas)
        elif not needed and self.bar.winfo_manager():
            self.bar.pack_forget()
