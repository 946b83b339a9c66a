"""StarBar: real pointer and key events on a visible root under Xvfb."""
from __future__ import annotations

import tkinter as tk

import pytest

from tk_events import click_star as click
from tk_events import press_key

from prompt_tracking.widgets import StarBar


@pytest.fixture
def bar(tk_root):
    star_bar = StarBar(tk_root)
    star_bar.pack(padx=20, pady=20)
    tk_root.update()
    return star_bar


def fills(bar: StarBar) -> list[str]:
    return [bar.itemcget(item, "fill") for item in bar.find_all()]


def record_changes(bar: StarBar) -> list[int]:
    seen: list[int] = []
    bar.bind("<<RatingChanged>>", lambda e: seen.append(bar.value), add="+")
    return seen


@pytest.mark.parametrize("index", [1, 3, 5])
def test_click_sets_rating_and_lights_that_many_stars(bar, index):
    seen = record_changes(bar)
    click(bar, index)
    assert bar.value == index
    assert seen == [index]
    lit = fills(bar)
    assert lit[:index] == [lit[0]] * index
    assert all(fill != lit[0] for fill in lit[index:])


def test_clicking_the_current_star_again_clears_the_rating(bar):
    seen = record_changes(bar)
    click(bar, 4)
    click(bar, 4)
    assert bar.value == 0
    assert seen == [4, 0]


def test_hover_previews_without_changing_the_value(bar):
    empty = fills(bar)
    x, y = bar.star_center(3)
    bar.event_generate("<Motion>", x=x, y=y)
    bar.update()
    preview = fills(bar)
    assert bar.value == 0
    assert preview[:3] != empty[:3] and preview[3:] == empty[3:]
    bar.event_generate("<Leave>")
    bar.update()
    assert fills(bar) == empty


def test_release_over_another_star_does_not_rate(bar):
    x1, y = bar.star_center(1)
    x4, _ = bar.star_center(4)
    bar.event_generate("<ButtonPress-1>", x=x1, y=y)
    bar.event_generate("<ButtonRelease-1>", x=x4, y=y)
    bar.update()
    assert bar.value == 0


@pytest.mark.parametrize("keys, expected", [
    (["3"], 3),
    (["5", "0"], 0),
    (["4", "BackSpace"], 0),
    (["2", "Right", "Right"], 4),
    (["Right"], 1),
    (["5", "Right"], 5),
    (["3", "Left", "Left", "Left"], 1),
])
def test_keys_set_step_and_clear(bar, keys, expected):
    for key in keys:
        press_key(bar, key)
    assert bar.value == expected


def test_tab_reaches_the_bar(tk_root):
    entry = tk.Entry(tk_root)
    entry.pack()
    star_bar = StarBar(tk_root)
    star_bar.pack()
    tk_root.update()
    entry.focus_force()
    tk_root.update()
    entry.event_generate("<Tab>")
    tk_root.update()
    assert tk_root.focus_get() is star_bar


def test_disabled_bar_ignores_clicks_and_keys(tk_root):
    star_bar = StarBar(tk_root, value=2, state="disabled")
    star_bar.pack()
    tk_root.update()
    click(star_bar, 5)
    press_key(star_bar, "4")
    assert star_bar.value == 2
    assert star_bar["state"] == "disabled"
    assert str(star_bar.cget("takefocus")) == "0"
    star_bar.configure(state="normal")
    click(star_bar, 5)
    assert star_bar.value == 5


def test_an_intvar_drives_the_bar_both_ways(tk_root):
    variable = tk.IntVar(tk_root, value=3)
    star_bar = StarBar(tk_root, variable=variable)
    star_bar.pack()
    tk_root.update()
    assert star_bar.value == 3
    variable.set(1)
    assert star_bar.value == 1
    click(star_bar, 4)
    assert variable.get() == 4
    star_bar.destroy()
    variable.set(2)  # the trace is gone with the bar: no callback error


def test_programmatic_value_emits_no_event_and_rejects_out_of_range(bar):
    seen = record_changes(bar)
    bar.value = 4
    bar.update()
    assert seen == [] and bar.value == 4
    with pytest.raises(ValueError):
        bar.value = 6


def test_star_size_follows_tk_scaling(tk_root):
    tk_root.tk.call("tk", "scaling", 1.0)
    small = StarBar(tk_root, size=20)
    tk_root.tk.call("tk", "scaling", 2.0)
    large = StarBar(tk_root, size=20)
    assert int(large["height"]) > 1.8 * int(small["height"])
    assert int(large["width"]) > 1.8 * int(small["width"])


def test_the_bar_follows_a_theme_switch_of_the_host(tk_root):
    from tkinter import ttk

    style = ttk.Style(tk_root)
    style.theme_use("default")
    frame = ttk.Frame(tk_root)
    frame.pack()
    star_bar = StarBar(frame)
    star_bar.pack()
    tk_root.update()
    style.theme_use("clam")
    tk_root.update()
    assert star_bar["background"] == style.lookup("TFrame", "background")


def test_a_disabled_bar_is_drawn_differently_from_an_empty_active_one(bar):
    def outlines() -> list[str]:
        return [bar.itemcget(item, "outline") for item in bar.find_all()]

    active = (fills(bar), outlines())
    bar.configure(state="disabled")
    assert fills(bar) != active[0] and outlines() != active[1]
    assert bar["cursor"] == ""
    bar.configure(state="normal")
    assert (fills(bar), outlines()) == active
