"""RatingDialog, ask_rating and RatingPrompter, driven through real modal event loops.

A modal `show()` runs its own event loop, so each test schedules its actions with
`after()` before calling it; a watchdog closes the dialog if an action went wrong.
"""
from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk

import pytest
from tk_events import click_star, gc_on_the_tk_thread, press_key, type_text  # noqa: F401

from prompt_tracking.widgets import QualityRatingWidget, RatingDialog, RatingPrompter, ask_rating
from prompt_tracking.widgets.dialogs.rating_dialog import PREVIEW_MAX_POINTS

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")
WATCHDOG_MS = 5000


@pytest.fixture
def record_id(tracker):
    return tracker.log_successful_prompt("a castle at dusk, oil painting", "sdxl")


def run_modal(dialog: RatingDialog, *actions) -> tuple | None:
    """Show `dialog`, running each `action(dialog)` in turn from inside its event loop."""
    def run_all():
        dialog.update()
        for action in actions:
            action(dialog)
            if not dialog.winfo_exists():
                return
            dialog.update()
    dialog.after(50, run_all)
    dialog.after(WATCHDOG_MS, dialog.close)
    return dialog.show()


def rate(index: int):
    return lambda d: click_star(d.stars, index)


def type_comment(text: str):
    return lambda d: type_text(d.comment, text)


def tag(name: str):
    return lambda d: d.tag_toggles.buttons[name].invoke()


def key(keysym: str, target: str = "stars"):
    return lambda d: press_key(getattr(d, target), keysym)


def test_building_the_dialog_shows_nothing(tk_root, tracker, record_id):
    dialog = RatingDialog(tk_root, tracker, record_id)
    tk_root.update()
    assert dialog.state() == "withdrawn"
    assert tk_root.grab_current() is None
    dialog.close()


def test_submit_with_enter_saves_rating_comment_and_tags(tk_root, tracker, record_id):
    dialog = RatingDialog(tk_root, tracker, record_id)
    result = run_modal(dialog, rate(4), type_comment("lovely light"), tag("great composition"),
                       key("Return", "comment"))
    assert result == (4, "lovely light", ["great composition"])
    record = tracker.get_record(record_id)
    assert (record.quality_rating, record.feedback, record.tags) == (
        4, "lovely light", ["great composition"])
    assert not dialog.winfo_exists()


def test_the_save_button_is_disabled_until_a_star_is_chosen(tk_root, tracker, record_id):
    states = []
    dialog = RatingDialog(tk_root, tracker, record_id)
    result = run_modal(
        dialog,
        lambda d: states.append(d.submit_button.instate(["disabled"])),
        key("2"),
        lambda d: states.append(d.submit_button.instate(["disabled"])),
        lambda d: d.submit_button.invoke())
    assert states == [True, False]
    assert result == (2, None, [])
    assert tracker.get_record(record_id).quality_rating == 2


@pytest.mark.parametrize("skip", [
    pytest.param(key("Escape"), id="escape"),
    pytest.param(key("Return"), id="enter-without-rating"),
    pytest.param(lambda d: d.tk.eval(d.protocol("WM_DELETE_WINDOW")), id="close-button"),
    pytest.param(lambda d: d.skip_button.invoke(), id="skip-button"),
])
def test_skipping_returns_none_and_saves_nothing(tk_root, tracker, record_id, skip):
    dialog = RatingDialog(tk_root, tracker, record_id)
    assert run_modal(dialog, skip) is None
    assert tracker.get_record(record_id).quality_rating is None


def test_escape_after_choosing_stars_still_skips(tk_root, tracker, record_id):
    dialog = RatingDialog(tk_root, tracker, record_id)
    assert run_modal(dialog, rate(5), key("Escape")) is None
    assert tracker.get_record(record_id).quality_rating is None


def test_dialog_is_modal_transient_and_centred_on_its_parent(tk_root, tracker, record_id):
    seen = {}

    def inspect(d):
        d.update_idletasks()
        seen["grab"] = tk_root.grab_current()
        seen["transient"] = str(d.transient())
        seen["centre"] = (d.winfo_rootx() + d.winfo_width() // 2,
                          d.winfo_rooty() + d.winfo_height() // 2)

    dialog = RatingDialog(tk_root, tracker, record_id)
    run_modal(dialog, inspect, key("Escape"))
    parent_centre = (tk_root.winfo_rootx() + tk_root.winfo_width() // 2,
                     tk_root.winfo_rooty() + tk_root.winfo_height() // 2)
    assert seen["grab"] is dialog
    assert seen["transient"] == str(tk_root)
    assert abs(seen["centre"][0] - parent_centre[0]) <= 10
    assert abs(seen["centre"][1] - parent_centre[1]) <= 10
    assert tk_root.grab_current() is None


def test_closing_twice_is_safe(tk_root, tracker, record_id):
    dialog = RatingDialog(tk_root, tracker, record_id)
    assert run_modal(dialog, lambda d: d.close(), lambda d: d.close()) is None
    dialog.close()
    assert dialog.show() is None


def test_an_already_rated_record_is_prefilled(tk_root, tracker, record_id):
    tracker.rate_prompt(record_id, 3, feedback="meh", tags=["off style"])
    dialog = RatingDialog(tk_root, tracker, record_id)
    result = run_modal(dialog, key("Return"))
    assert result == (3, "meh", ["off style"])


def test_ask_rating_builds_shows_and_returns_the_answer(tk_root, tracker, record_id):
    tk_root.after(100, lambda: click_star(tk_root.grab_current().stars, 5))
    tk_root.after(200, lambda: press_key(tk_root.grab_current().stars, "Return"))
    assert ask_rating(tk_root, tracker, record_id) == (5, None, [])
    assert tracker.get_record(record_id).quality_rating == 5


def test_a_tracker_error_is_logged_and_the_answer_still_returned(tk_root, tracker, caplog):
    dialog = RatingDialog(tk_root, tracker, "no-such-record")
    with caplog.at_level(logging.ERROR, logger="prompt_tracking.widgets.dialogs.rating_dialog"):
        assert run_modal(dialog, rate(2), key("Return")) == (2, None, [])
    assert "no-such-record" in caplog.text


@pytest.fixture
def image_path(tmp_path):
    from PIL import Image

    path = tmp_path / "result.png"
    Image.new("RGB", (1024, 512), "#3070c0").save(path)
    return path


def test_an_image_path_preview_is_thumbnailed(tk_root, tracker, record_id, image_path):
    dialog = RatingDialog(tk_root, tracker, record_id, preview=image_path)
    limit = round(PREVIEW_MAX_POINTS * float(tk_root.tk.call("tk", "scaling")))
    image = dialog._preview_image
    assert image.width() == limit and image.height() == limit // 2
    assert run_modal(dialog, key("Escape")) is None


def test_a_photoimage_preview_is_shown_and_a_bad_path_is_ignored(tk_root, tracker, record_id, tmp_path):
    photo = tk.PhotoImage(master=tk_root, width=40, height=30)
    dialog = RatingDialog(tk_root, tracker, record_id, preview=photo)
    assert [str(name) for name in dialog.preview["image"]] == [str(photo)]
    dialog.close()
    broken = tmp_path / "broken.png"
    broken.write_text("not an image")
    dialog = RatingDialog(tk_root, tracker, record_id, preview=broken)
    assert not hasattr(dialog, "preview")
    dialog.close()


# -- RatingPrompter ------------------------------------------------------------------

def answer_next_dialog(root: tk.Tk, rating: int, opened: list, tries: int = 100) -> None:
    """Once a RatingDialog holds the grab, note it in `opened` and rate it; polls every 20 ms."""
    def answer(tries_left: int) -> None:
        dialog = root.grab_current()
        # Only once it is shown and has the focus: on a loaded machine the grab can come a
        # moment before the window is mapped, and events to it would be lost.
        if isinstance(dialog, RatingDialog) and dialog.winfo_viewable() and dialog.focus_get():
            opened.append(dialog)
            click_star(dialog.stars, rating)
            press_key(dialog.stars, "Return")
        elif tries_left:
            root.after(20, answer, tries_left - 1)
    root.after(20, answer, tries)


def pump(root: tk.Tk, ms: int) -> None:
    done = []
    root.after(ms, lambda: done.append(True))
    while not done:
        root.update()


def test_dialog_mode_asks_every_nth_result_without_blocking(tk_root, tracker):
    prompter = RatingPrompter(tk_root, tracker, mode="dialog", every_nth=2)
    first = tracker.log_successful_prompt("one", "sdxl")
    second = tracker.log_successful_prompt("two", "sdxl")
    prompter.result_ready(first)
    pump(tk_root, 50)
    assert tk_root.grab_current() is None  # the first result is not asked about
    opened = []
    answer_next_dialog(tk_root, 4, opened)
    prompter.result_ready(second)
    assert prompter.dialog is None  # result_ready returned before any dialog existed
    pump(tk_root, 400)
    assert len(opened) == 1 and isinstance(opened[0], RatingDialog)
    assert tracker.get_record(second).quality_rating == 4
    assert tracker.get_record(first).quality_rating is None


def hold_a_grab(root: tk.Tk):
    other_modal = tk.Toplevel(root)
    other_modal.wait_visibility()
    other_modal.grab_set()
    return other_modal.destroy


def type_in_the_host(root: tk.Tk):
    prompt_box = ttk.Entry(root)
    prompt_box.pack()
    generate_button = ttk.Button(root, text="Generate")
    generate_button.pack()
    prompt_box.focus_force()
    root.update()
    return generate_button.focus_force


@pytest.mark.parametrize("make_busy", [hold_a_grab, type_in_the_host])
def test_dialog_mode_waits_until_the_user_is_free(tk_root, tracker, monkeypatch, make_busy):
    monkeypatch.setattr("prompt_tracking.widgets.prompter.RETRY_MS", 50)
    end_busy = make_busy(tk_root)
    prompter = RatingPrompter(tk_root, tracker, mode="dialog")
    rid = tracker.log_successful_prompt("one", "sdxl")
    prompter.result_ready(rid)
    pump(tk_root, 300)
    assert not isinstance(tk_root.grab_current(), RatingDialog)
    opened: list = []
    end_busy()
    answer_next_dialog(tk_root, 3, opened)
    pump(tk_root, 500)
    assert len(opened) == 1
    assert tracker.get_record(rid).quality_rating == 3


def test_a_question_still_waiting_is_dropped_by_cancel(tk_root, tracker, monkeypatch):
    monkeypatch.setattr("prompt_tracking.widgets.prompter.RETRY_MS", 50)
    end_busy = type_in_the_host(tk_root)
    prompter = RatingPrompter(tk_root, tracker, mode="dialog")
    prompter.result_ready(tracker.log_successful_prompt("one", "sdxl"))
    pump(tk_root, 100)
    prompter.cancel()
    end_busy()
    pump(tk_root, 300)
    assert tk_root.grab_current() is None


def test_inline_mode_retargets_the_widget_and_off_mode_does_nothing(tk_root, tracker):
    widget = QualityRatingWidget(tk_root, tracker)
    widget.pack()
    prompter = RatingPrompter(tk_root, tracker, widget=widget)
    rid = tracker.log_successful_prompt("one", "sdxl")
    prompter.result_ready(rid)
    assert widget.record_id == rid
    prompter.mode = "off"
    prompter.result_ready(tracker.log_successful_prompt("two", "sdxl"))
    pump(tk_root, 50)
    assert widget.record_id == rid and tk_root.grab_current() is None


@pytest.mark.parametrize("kwargs", [{"mode": "popup"}, {"every_nth": 0}])
def test_prompter_rejects_bad_settings(tk_root, kwargs):
    with pytest.raises(ValueError):
        RatingPrompter(tk_root, **kwargs)


# -- the host's look is left alone -----------------------------------------------------

def host_style_snapshot(root: tk.Tk) -> dict:
    """The host's look as plain strings (tk.eval never hands back cached Tcl objects)."""
    def lookup(style: str, option: str) -> str:
        return root.tk.eval(f"ttk::style lookup {style} -{option}")

    return {
        "theme": ttk.Style(root).theme_use(),
        "TButton": [lookup("TButton", o) for o in ("background", "foreground", "padding", "font")],
        "TLabel": [lookup("TLabel", o) for o in ("background", "foreground", "font")],
        "TEntry": [lookup("TEntry", o) for o in ("fieldbackground", "foreground")],
        "Toolbutton": root.tk.eval("ttk::style configure Toolbutton"),
        "option font": root.option_get("font", "Button"),
        "root bg": root["bg"],
        "fonts": root.tk.eval("lsort [font names]"),
        "TkDefaultFont": root.tk.eval("font actual TkDefaultFont"),
    }


@pytest.mark.parametrize("theme", ["default", "clam"])
def test_a_plain_tk_host_keeps_its_theme_and_styles(tk_root, tracker, record_id, theme):
    ttk.Style(tk_root).theme_use(theme)
    tk_root.option_add("*Button.font", "Helvetica 11")
    before = host_style_snapshot(tk_root)
    widget = QualityRatingWidget(tk_root, tracker, record_id)
    widget.pack()
    tk_root.update()
    click_star(widget.stars, 3)
    run_modal(RatingDialog(tk_root, tracker, record_id), rate(5), key("Return"))
    assert host_style_snapshot(tk_root) == before
    assert str(widget.tag_toggles.buttons["artifacts"].cget("style")) == ""
    assert "darkly" not in ttk.Style(tk_root).theme_names()


@pytest.mark.filterwarnings("ignore:'darkly' is a legacy:DeprecationWarning")
def test_a_ttkbootstrap_host_gets_stars_on_its_theme_background(display, tracker, record_id):
    tb = pytest.importorskip("ttkbootstrap")
    window = tb.Window(themename="darkly")
    errors = []
    window.report_callback_exception = lambda exc, val, tb_: errors.append(val)
    try:
        colors = tb.Style.get_instance().colors
        panel = tb.Frame(window, padding=10)
        panel.pack()
        widget = QualityRatingWidget(panel, tracker, record_id)
        widget.pack()
        window.update()
        click_star(widget.stars, 4)
        assert widget.stars["background"] == colors.bg
        assert widget.stars._palette.is_dark
        assert widget.tag_toggles.buttons["artifacts"].cget("style").endswith("Toolbutton")
        assert tracker.get_record(record_id).quality_rating == 4
        dialog = RatingDialog(window, tracker, record_id)
        assert dialog.stars["background"] == colors.bg
        assert dialog.comment["background"] == colors.inputbg
        assert run_modal(dialog, key("Return")) == (4, None, [])
        assert tb.Style.get_instance().theme_use() == "darkly"
    finally:
        window.destroy()
    assert not errors


# -- issue 15: focus on open, Escape, the image and prompt it asks about --------------------

def focused_key(keysym: str):
    """A key sent where the keyboard focus is, without clicking anything first."""
    def send(d):
        target = d.focus_get()
        assert target is not None and target.winfo_toplevel() is d, "the dialog has no focus"
        target.event_generate(f"<KeyPress-{keysym}>")
        if d.winfo_exists():
            target.event_generate(f"<KeyRelease-{keysym}>")
    return send


def test_the_dialog_takes_the_keyboard_focus_when_it_opens(tk_root, tracker, record_id):
    other = tk.Toplevel(tk_root)
    entry = ttk.Entry(other)
    entry.pack()
    entry.focus_force()
    tk_root.update()
    result = run_modal(RatingDialog(tk_root, tracker, record_id), focused_key("4"),
                       focused_key("Return"))
    assert result == (4, None, [])
    tracker.flush()
    assert tracker.get_record(record_id).quality_rating == 4
    other.destroy()


def test_escape_closes_the_dialog_without_a_click(tk_root, tracker, record_id):
    dialog = RatingDialog(tk_root, tracker, record_id)
    assert run_modal(dialog, focused_key("Escape")) is None
    assert not dialog.winfo_exists()
    assert tracker.get_record(record_id).quality_rating is None


def test_the_dialog_shows_the_prompt_and_the_records_image(tk_root, tracker, tmp_path):
    from PIL import Image

    path = tmp_path / "result.png"
    Image.new("RGB", (300, 200), "red").save(path)
    prompt = "a lighthouse in a storm, long exposure, " + "very detailed " * 30
    rid = tracker.log_successful_prompt(prompt, "sdxl", result_url=str(path))
    seen = {}

    def look(d):
        seen["prompt"] = d.prompt_text.get("1.0", "end-1c")
        seen["image"] = d._preview_image
    run_modal(RatingDialog(tk_root, tracker, rid), look, focused_key("Escape"))
    assert seen["prompt"] == prompt
    assert seen["image"] is not None and max(seen["image"].width(), seen["image"].height()) > 100
