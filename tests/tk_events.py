"""Helpers the GUI tests share: real pointer and key events, and safe garbage collection."""
from __future__ import annotations

import gc
import tkinter as tk

import pytest


@pytest.fixture
def gc_on_the_tk_thread():
    """Keep the collector off the tracker's writer thread while Tk objects are garbage.

    Composite widgets form reference cycles that reach the Tk root; collected on another
    thread, the root's interpreter would be deleted off its thread and Tcl aborts.
    Use it with `pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")`.
    """
    gc.disable()
    yield
    gc.enable()
    gc.collect()


def click_star(bar, index: int) -> None:
    """Move to, press and release on star `index` of a StarBar, then let Tk catch up."""
    x, y = bar.star_center(index)
    bar.event_generate("<Motion>", x=x, y=y)
    bar.event_generate("<ButtonPress-1>", x=x, y=y)
    bar.event_generate("<ButtonRelease-1>", x=x, y=y)
    bar.update()


def press_key(widget: tk.Misc, keysym: str) -> None:
    """Focus `widget` and send it one key press."""
    widget.focus_force()
    widget.update()
    widget.event_generate(f"<Key-{keysym}>")
    widget.update()


def type_text(widget: tk.Misc, text: str) -> None:
    """Focus `widget` and type `text` key by key (letters and spaces)."""
    widget.focus_force()
    widget.update()
    for char in text:
        keysym = "space" if char == " " else char
        widget.event_generate(f"<KeyPress-{keysym}>")
        widget.event_generate(f"<KeyRelease-{keysym}>")
    widget.update()
