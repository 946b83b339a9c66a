"""`StarBar`: a 1-5 star rating control drawn on a Canvas.

The five stars are polygons computed from the requested size in points times Tk's
scaling (pixels per point), so they stay crisp on HiDPI screens and under any scaling.
All painting goes through `_draw()`, which only recolours the existing items.
"""
from __future__ import annotations

import logging
import math
import tkinter as tk
from typing import Any

from .theme import Palette, palette_for

log = logging.getLogger(__name__)

MAX_RATING = 5
DEFAULT_SIZE = 14  # points; about 19 px at 96 dpi
_GAP_RATIO = 0.25  # gap between stars, as a share of one star's width
_INNER_RATIO = 0.45  # inner radius of the star, as a share of the outer radius
_FOCUS_RING_PX = 1  # highlightthickness


def star_points(cx: float, cy: float, outer: float, inner: float) -> list[float]:
    """Flat x, y list of a five-pointed star's ten corners, first point straight up."""
    points: list[float] = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points += [cx + radius * math.cos(angle), cy + radius * math.sin(angle)]
    return points


class StarBar(tk.Canvas):
    """Five stars the user rates with: hover previews, click sets, click again clears.

    Keyboard: Tab focuses it; Left/Right step the rating; 1-5 set it; 0, BackSpace or
    Delete clear it. The bar emits `<<RatingChanged>>` when the *user* changes the
    value (mouse or keys), not when the program sets `.value` or the variable.

    Args:
        parent: the containing widget.
        value: the initial rating, 0 (none) to 5.
        variable: an optional `IntVar` kept in step with the rating both ways.
        size: the height of one star in points (scaled to pixels by Tk scaling).
        state: "normal" or "disabled".
        **kw: further Canvas options.
    """

    def __init__(self, parent: tk.Misc, value: int = 0, *, variable: tk.IntVar | None = None,
                 size: float = DEFAULT_SIZE, state: str = "normal", **kw: Any) -> None:
        self._palette: Palette = palette_for(parent)
        scaling = float(parent.tk.call("tk", "scaling"))
        self._star_px = max(8, round(size * scaling))
        self._gap_px = max(2, round(self._star_px * _GAP_RATIO))
        self._pad_px = max(2, round(self._star_px * 0.15))
        width = MAX_RATING * self._star_px + (MAX_RATING - 1) * self._gap_px + 2 * self._pad_px
        height = self._star_px + 2 * self._pad_px
        kw.setdefault("background", self._palette.background)
        kw.setdefault("highlightbackground", self._palette.background)
        kw.setdefault("highlightcolor", self._palette.focus)
        super().__init__(parent, width=width, height=height, borderwidth=0,
                         highlightthickness=_FOCUS_RING_PX, takefocus=1, cursor="hand2", **kw)
        self._value = 0
        self._hover = 0
        self._pressed = 0
        self._disabled = False
        self._variable = variable
        self._trace_id: str | None = None
        self._stars = [self.create_polygon(*self._star_shape(i), width=1, joinstyle="miter")
                       for i in range(MAX_RATING)]
        # Bindings on the bar itself go away with it (tkinter deletes their Tcl commands
        # in destroy()), so only the variable trace needs cancelling.
        for sequence, handler in (
            ("<Motion>", self._on_motion), ("<Leave>", self._on_leave),
            ("<ButtonPress-1>", self._on_press), ("<ButtonRelease-1>", self._on_release),
            ("<Left>", self._on_step), ("<Right>", self._on_step), ("<Key>", self._on_key),
            ("<<ThemeChanged>>", self._on_theme_changed),
        ):
            self.bind(sequence, handler, add="+")
        if variable is not None:
            self._trace_id = variable.trace_add("write", self._on_variable_write)
            if value == 0:
                value = self._read_variable()
        self.value = value
        self._set_disabled(state == "disabled")

    # -- public API -------------------------------------------------------------------

    @property
    def value(self) -> int:
        """The rating, 0 (none) to 5."""
        return self._value

    @value.setter
    def value(self, rating: int) -> None:
        rating = int(rating)
        if not 0 <= rating <= MAX_RATING:
            raise ValueError(f"rating must be 0..{MAX_RATING}, got {rating}")
        self._value = rating
        if self._variable is not None and self._read_variable() != rating:
            self._variable.set(rating)
        self._draw()

    def star_center(self, index: int) -> tuple[int, int]:
        """Canvas coordinates of the centre of star `index` (1..5): where a click lands."""
        # Canvas coordinates start under the focus ring, so offset by its thickness.
        start = self._pad_px + _FOCUS_RING_PX + self._star_px / 2
        return round(start + (index - 1) * (self._star_px + self._gap_px)), round(start)

    # typeshed spells Canvas.configure as overloads per option; ours takes them all alike.
    def configure(self, cnf: dict[str, Any] | None = None, **kw: Any) -> Any:  # type: ignore[override]
        """Canvas `configure`; `state="disabled"` also dims the stars and ignores input."""
        options = {**(cnf or {}), **kw}
        state = options.pop("state", None)
        result = super().configure(options) if options or state is None else None
        if state is not None:
            self._set_disabled(str(state) == "disabled")
        return result

    config = configure  # type: ignore[assignment]

    def cget(self, key: str) -> Any:
        if key == "state":
            return "disabled" if self._disabled else "normal"
        return super().cget(key)

    __getitem__ = cget

    def destroy(self) -> None:
        if self._trace_id is not None and self._variable is not None:
            try:
                self._variable.trace_remove("write", self._trace_id)
            except tk.TclError:
                pass  # the variable went first
            self._trace_id = None
        super().destroy()

    # -- drawing ---------------------------------------------------------------------

    def _star_shape(self, i: int) -> list[float]:
        cx, cy = self.star_center(i + 1)
        outer = self._star_px / 2
        # Nudge the star down: its top point is taller than its bottom points are deep.
        return star_points(cx, cy + outer * 0.08, outer, outer * _INNER_RATIO)

    def _draw(self) -> None:
        p = self._palette
        shown = self._hover or self._value
        for i, item in enumerate(self._stars, start=1):
            if self._disabled:
                fill = p.star_disabled if i <= self._value else p.star_disabled_fill
                edge = p.star_disabled_edge
            elif i <= shown:
                fill = p.star_preview if self._hover and i > self._value else p.star_fill
                edge = p.star_edge
            else:
                fill, edge = p.background, p.star_empty_edge
            self.itemconfigure(item, fill=fill, outline=edge)

    # -- input -----------------------------------------------------------------------

    def _index_at(self, x: int, y: int) -> int:
        """The star (1..5) under canvas point x, y, or 0; the gaps belong to the star left of them."""
        if not 0 <= y <= int(self["height"]) + 2:
            return 0
        cell = self._star_px + self._gap_px
        index = int((x - self._pad_px - _FOCUS_RING_PX) // cell) + 1
        return index if 1 <= index <= MAX_RATING else 0

    def _on_motion(self, event: tk.Event) -> None:
        hover = 0 if self._disabled else self._index_at(event.x, event.y)
        if hover != self._hover:
            self._hover = hover
            self._draw()

    def _on_leave(self, _event: tk.Event) -> None:
        self._pressed = 0
        if self._hover:
            self._hover = 0
            self._draw()

    def _on_press(self, event: tk.Event) -> None:
        if self._disabled:
            return
        self._pressed = self._index_at(event.x, event.y)
        if self._pressed:
            self.focus_set()

    def _on_release(self, event: tk.Event) -> None:
        index = self._index_at(event.x, event.y)
        pressed, self._pressed = self._pressed, 0
        # Like a button: the click counts only when released over the star it began on.
        if self._disabled or not pressed or index != pressed:
            return
        self._hover = 0
        self._user_set(0 if index == self._value else index)

    def _on_step(self, event: tk.Event) -> str | None:
        if self._disabled:
            return None
        step = 1 if event.keysym == "Right" else -1
        self._user_set(max(1, min(MAX_RATING, self._value + step)))
        return "break"

    def _on_key(self, event: tk.Event) -> str | None:
        if self._disabled:
            return None
        if event.char in ("1", "2", "3", "4", "5"):
            self._user_set(int(event.char))
        elif event.char == "0" or event.keysym in ("BackSpace", "Delete"):
            self._user_set(0)
        else:
            return None  # Tab, Return and the rest go on to the host's bindings
        return "break"

    def _on_theme_changed(self, _event: tk.Event) -> None:
        """Follow a theme switch in the host (ttk sends this to every widget)."""
        self._palette = palette_for(self.master)
        super().configure(background=self._palette.background,
                          highlightbackground=self._palette.background,
                          highlightcolor=self._palette.focus)
        self._draw()

    def _user_set(self, rating: int) -> None:
        changed = rating != self._value
        self.value = rating
        if changed:
            self.event_generate("<<RatingChanged>>")

    def _set_disabled(self, disabled: bool) -> None:
        self._disabled = disabled
        self._hover = self._pressed = 0
        super().configure(takefocus=0 if disabled else 1, cursor="" if disabled else "hand2")
        self._draw()

    def _read_variable(self) -> int:
        try:
            return int(self._variable.get()) if self._variable is not None else 0
        except (tk.TclError, ValueError):
            return 0

    def _on_variable_write(self, *_args: object) -> None:
        rating = self._read_variable()
        if rating != self._value and 0 <= rating <= MAX_RATING:
            self.value = rating
