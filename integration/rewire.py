"""Re-point Tk commands and bindings that captured a host method before we wrapped it.

`Button(command=self.start)` and `bind("<Return>", self.start)` register the bound method
with Tcl when the layout is built; replacing `layout.start` afterwards cannot reach it.
tkinter registers each Python callback as a Tcl command named ``repr(id(f)) + name``,
where ``f`` is the `__call__` of a `tkinter.CallWrapper` holding the callback, and records
the name in the widget's `_tclCommands`. We walk the widget tree, read each `command`
option, menu entry and binding script, and for a name that (1) tkinter registered (it is
in some widget's `_tclCommands`) and (2) still exists in Tcl, the `CallWrapper` is alive,
so its id can be turned back into the object and its `.func` compared with `==` to the
original bound method. Matches are re-pointed at our wrapper; every change is recorded
so `undo()` puts the original Tcl command names back exactly.
"""
from __future__ import annotations

import ctypes
import functools
import logging
import re
import tkinter as tk
from collections.abc import Callable, Iterator
from typing import Any, Protocol, cast

log = logging.getLogger(__name__)

_COMMAND_IN_SCRIPT = re.compile(r"\[(\d+\S*)")
_MENU_ENTRY_TYPES = ("command", "checkbutton", "radiobutton")
_COMMAND_ATTRIBUTES = ("_command",)  # customtkinter's CTkButton, CTkSwitch, CTkCheckBox...


class _Commanded(Protocol):
    """A widget with a `command` option (the stubs type configure() per widget class)."""

    def configure(self, *, command: Any) -> object: ...


class _TkPrivate(Protocol):
    """tkinter.Misc's private registration helpers, which the stubs leave out. We call
    `_register`, not its public alias `register`: a host widget may define its own `register`."""

    def _register(self, func: Callable[..., object],
                  subst: Callable[..., Any] | None = None) -> str: ...

    def _substitute(self, *args: Any) -> tuple[Any, ...]: ...


def walk(widget: tk.Misc) -> Iterator[tk.Misc]:
    """`widget` and all its descendants that tkinter knows."""
    stack = [widget]
    while stack:
        current = stack.pop()
        yield current
        try:
            stack.extend(current.winfo_children())
        except tk.TclError:
            continue


def registered_names(root: tk.Misc) -> set[str]:
    """Names of every Tcl command tkinter registered for a widget in `root`'s tree."""
    names: set[str] = set()
    for widget in walk(root):
        names.update(getattr(widget, "_tclCommands", None) or ())
    return names


def python_callback(widget: tk.Misc, name: str, known: set[str]) -> Any | None:
    """The Python callable behind Tcl command `name`, or None when it is not ours to read."""
    match = re.match(r"\d+", name)
    if match is None or name not in known:
        return None
    try:
        if not widget.tk.call("info", "commands", name):
            return None  # deleted: the object behind the id may be gone
    except tk.TclError:
        return None
    # Safe: the Tcl command exists, so it holds a reference to the bound method whose
    # id tkinter put in the name (CPython ids are addresses).
    method = ctypes.cast(int(match.group()), ctypes.py_object).value
    wrapper = getattr(method, "__self__", None)
    if not isinstance(wrapper, tk.CallWrapper):
        return None
    return wrapper.func


def replacement_for(callback: Any, targets: dict[Any, Callable[..., Any]]) -> Any | None:
    """Our wrapper for `callback` when it is (a partial of) an original method, else None."""
    for original, wrapper in targets.items():
        if callback == original:
            return wrapper
        if isinstance(callback, functools.partial) and callback.func == original:
            return functools.partial(wrapper, *callback.args, **callback.keywords)
    return None


class Rewiring:
    """The command and binding changes made in one widget tree, and how to undo them."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    @property
    def count(self) -> int:
        """How many commands and bindings were re-pointed."""
        return len(self._undo)

    def apply(self, root: tk.Misc, targets: dict[Any, Callable[..., Any]]) -> int:
        """Re-point every captured use of a `targets` key in `root`'s tree; returns the count."""
        if not targets:
            return 0
        known = registered_names(root)
        before = self.count
        for widget in walk(root):
            # One widget we cannot read (a custom class overriding bind() or cget()) must
            # not stop the walk: the widgets after it may hold the start method too.
            try:
                self._rewire_attributes(widget, targets)
                self._rewire_command(widget, known, targets)
                if widget.winfo_class() == "Menu":
                    self._rewire_menu(cast(tk.Menu, widget), known, targets)
                # Tcl's own `bind`, not widget.bind(): customtkinter overrides it (returns None).
                for sequence in widget.tk.splitlist(widget.tk.call("bind", str(widget))):
                    self._rewire_binding(widget, str(widget), sequence, known, targets)
            except Exception as exc:
                log.debug("prompt-tracking: skipped %s while rewiring (%s)", widget, exc)
        for sequence in root.tk.splitlist(root.tk.call("bind", "all")):
            self._rewire_binding(root, "all", sequence, known, targets)
        return self.count - before

    def undo(self) -> None:
        """Put every original command and binding back (widgets destroyed since are skipped)."""
        while self._undo:
            action = self._undo.pop()
            try:
                action()
            except tk.TclError:
                pass  # the widget is gone, and its commands with it
            except Exception:
                log.exception("prompt-tracking: could not restore a command")

    # -- one kind of use each ------------------------------------------------------------

    def _rewire_attributes(self, widget: tk.Misc,
                           targets: dict[Any, Callable[..., Any]]) -> None:
        """customtkinter widgets keep their command as a Python attribute, not a Tk option."""
        for name in _COMMAND_ATTRIBUTES:
            old = widget.__dict__.get(name)
            new_callback = replacement_for(old, targets) if callable(old) else None
            if new_callback is None:
                continue
            setattr(widget, name, new_callback)

            def restore(w: tk.Misc = widget, n: str = name, o: Any = old,
                        c: Any = new_callback) -> None:
                if w.__dict__.get(n) is c:
                    setattr(w, n, o)
            self._undo.append(restore)

    def _rewire_command(self, widget: tk.Misc, known: set[str],
                        targets: dict[Any, Callable[..., Any]]) -> None:
        try:
            old = str(widget.cget("command"))
        except (tk.TclError, ValueError):
            return  # this widget has no command option
        new_callback = replacement_for(python_callback(widget, old, known), targets)
        if new_callback is None:
            return
        commanded = cast(_Commanded, widget)
        commanded.configure(command=new_callback)
        new = str(widget.cget("command"))

        def restore() -> None:
            commanded.configure(command=old)
            widget.deletecommand(new)
        self._undo.append(restore)

    def _rewire_menu(self, menu: tk.Menu, known: set[str],
                     targets: dict[Any, Callable[..., Any]]) -> None:
        last = menu.index("end")
        for index in range(0 if last is None else last + 1):
            if menu.type(index) not in _MENU_ENTRY_TYPES:
                continue
            old = str(menu.entrycget(index, "command"))
            new_callback = replacement_for(python_callback(menu, old, known), targets)
            if new_callback is None:
                continue
            new = cast(_TkPrivate, menu)._register(new_callback)
            menu.entryconfigure(index, command=new)

            def restore(i: int = index, o: str = old, n: str = new) -> None:
                menu.entryconfigure(i, command=o)
                menu.deletecommand(n)
            self._undo.append(restore)

    def _rewire_binding(self, widget: tk.Misc, tag: str, sequence: str, known: set[str],
                        targets: dict[Any, Callable[..., Any]]) -> None:
        script = str(widget.tk.call("bind", tag, sequence))
        new_script = script
        created: list[str] = []
        for name in _COMMAND_IN_SCRIPT.findall(script):
            new_callback = replacement_for(python_callback(widget, name, known), targets)
            if new_callback is None:
                continue
            # The same %-substitution tkinter's bind() uses, so the callback gets its Event.
            private = cast(_TkPrivate, widget)
            new = private._register(new_callback, private._substitute)
            created.append(new)
            new_script = new_script.replace(name, new)
        if not created:
            return
        widget.tk.call("bind", tag, sequence, new_script)

        def restore() -> None:
            widget.tk.call("bind", tag, sequence, script)
            for name in created:
                widget.deletecommand(name)
        self._undo.append(restore)
