"""The review window, driven with real key and pointer events; ratings checked in the store.

Each test opens the window on a store of real PNG files (plus a failed result, a remote URL
and a missing file), in a plain-Tk host or a dark ttkbootstrap host, and never clicks into
the window before typing: it must have the keyboard focus from the start.
"""
from __future__ import annotations

import time
import tkinter as tk

import pytest
from tk_events import gc_on_the_tk_thread  # noqa: F401

from integration_hosts import click, wait_until
from prompt_tracking import EnhancedPromptTracker

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")


def pump(widget, until, seconds: float = 10.0) -> None:
    wait_until(widget, until, timeout=seconds)


def make_png(path, colour, size=(64, 48)):
    from PIL import Image

    Image.new("RGB", size, colour).save(path)
    return str(path)


@pytest.fixture
def store(tmp_path, data_dir):
    """Five successful image results (newest last logged), one failed, one already rated."""
    with EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None) as tracker:
        ids = []
        for n in range(5):
            url = make_png(tmp_path / f"img{n}.png", (40 * n, 90, 200))
            ids.append(tracker.log_successful_prompt(f"prompt number {n}, a red fox", "sdxl",
                                                     result_url=url, model_parameters={"steps": 20 + n}))
            time.sleep(0.002)  # distinct timestamps: the order is newest first
        failed = tracker.log_failed_prompt("a failed prompt", "sdxl", "HTTP 429 rate limited")
        rated = tracker.log_successful_prompt("already rated", "sdxl", result_url=str(tmp_path / "x.png"))
        tracker.rate_prompt(rated, 2)
        other = tracker.log_successful_prompt("from another model", "dalle3",
                                              result_url="https://cdn.example.com/a.png")
        tracker.flush()
        yield tracker, ids, failed, rated, other


def open_window(root, tracker, **filters):
    from prompt_tracking.analytics_window import open_review_window

    window = open_review_window(root, tracker, **filters)
    pump(window, lambda: window.loaded)
    window.update()
    return window


def key(window, keysym: str) -> None:
    """A key press sent where the keyboard focus is now, like a user typing."""
    target = window.focus_get() or window
    target.event_generate(f"<KeyPress-{keysym}>")
    if target.winfo_exists():  # Escape may have closed the window
        target.event_generate(f"<KeyRelease-{keysym}>")
    target.update()


def shown(window) -> str:
    return window.queue.current.id


def test_opens_with_focus_and_rates_newest_first_with_number_keys(tk_root, store):
    tracker, ids, failed, rated, other = store
    window = open_window(tk_root, tracker)
    assert window.focus_get() is not None and window.focus_get().winfo_toplevel() is window
    newest_first = [other, *reversed(ids)]
    assert [r.id for r in window.queue.items] == newest_first
    assert failed not in [r.id for r in window.queue.items] and rated not in [r.id for r in window.queue.items]
    assert window.progress.get() == "1 of 6 unrated · 6 left"
    key(window, "4")
    key(window, "2")
    tracker.flush()
    assert tracker.get_record(other).quality_rating == 4
    assert tracker.get_record(ids[4]).quality_rating == 2
    assert shown(window) == ids[3]
    assert window.progress.get() == "3 of 6 unrated · 4 left"
    window.destroy()


def test_arrows_move_without_rating_and_backspace_clears_only_the_shown_one(tk_root, store):
    tracker, ids, *_ = store
    window = open_window(tk_root, tracker, models="sdxl")
    assert shown(window) == ids[4]
    key(window, "Right")
    key(window, "Right")
    assert shown(window) == ids[2]
    key(window, "5")
    assert shown(window) == ids[1]
    key(window, "Left")
    assert shown(window) == ids[2]
    tracker.flush()
    assert tracker.get_record(ids[2]).quality_rating == 5
    assert window.stars.value == 5  # moving back shows its rating
    key(window, "BackSpace")
    tracker.flush()
    assert tracker.get_record(ids[2]).quality_rating is None
    assert all(tracker.get_record(i).quality_rating is None for i in ids)
    key(window, "3")
    key(window, "0")
    tracker.flush()
    assert tracker.get_record(ids[1]).quality_rating is None  # 0 cleared nothing unrated
    window.destroy()


def test_comment_keep_and_the_empty_state(tk_root, store):
    tracker, ids, *_ = store
    window = open_window(tk_root, tracker, models=["sdxl"])
    key(window, "c")
    assert window.focus_get() is window.comment
    for char in "sharp":
        key(window, char)  # typed into the comment, not taken as keys
    key(window, "Return")
    assert window.focus_get() is not window.comment
    key(window, "k")
    key(window, "3")
    tracker.flush()
    record = tracker.get_record(ids[4])
    assert (record.quality_rating, record.feedback, record.save_method) == (3, "sharp", "user_save")
    for _ in range(4):
        key(window, "5")
    tracker.flush()
    assert [tracker.get_record(i).quality_rating for i in ids] == [5, 5, 5, 5, 3]
    assert window.empty_label.cget("text") == "All 6 rated"  # the one rated before counts too
    assert window.empty.winfo_manager() and not window.body.winfo_manager()
    key(window, "4")  # nothing shown: nothing rated
    tracker.flush()
    assert [tracker.get_record(i).quality_rating for i in ids] == [5, 5, 5, 5, 3]
    key(window, "Escape")
    assert not window.winfo_exists()


def test_every_key_is_also_a_button(tk_root, store):
    from tk_events import press_key  # noqa: F401

    tracker, ids, *_ = store
    window = open_window(tk_root, tracker, model="sdxl")
    labels = {key_: str(b.cget("text")) for key_, b in window.buttons.items()}
    assert set(labels) >= {"1", "2", "3", "4", "5", "0", "k", "c", "Left", "Right", "Escape"}
    click(window.buttons["Right"])
    click(window.buttons["4"])
    tracker.flush()
    assert tracker.get_record(ids[3]).quality_rating == 4
    click(window.buttons["Escape"])
    assert not window.winfo_exists()


def test_images_shown_and_placeholders_for_what_is_not_a_local_image(tk_root, store, tmp_path):
    tracker, ids, *_ = store
    window = open_window(tk_root, tracker)
    pump(window, lambda: window.image.cget("text") != "Loading the image...")
    assert "Remote" in str(window.image.cget("text"))  # the dalle3 one is a URL
    key(window, "Right")
    pump(window, lambda: str(window.image.cget("image")) != "")
    assert window._photo.width() == 64
    assert list((tmp_path / "store" / "thumbnails").glob("*.png"))
    window.destroy()


def test_a_failed_result_is_never_offered_even_when_it_is_the_only_one(tk_root, data_dir):
    with EnhancedPromptTracker(data_dir) as tracker:
        failed = tracker.log_failed_prompt("nope", "wan", "content filter")
        tracker.flush()
        window = open_window(tk_root, tracker)
        assert window.queue.current is None
        assert window.empty_label.cget("text") == "No successful results to rate for these filters"
        key(window, "5")
        tracker.flush()
        assert tracker.get_record(failed).quality_rating is None
        window.destroy()


def test_a_second_open_raises_the_same_window_with_new_filters(tk_root, store):
    tracker, *_ = store
    first = open_window(tk_root, tracker)
    second = open_window(tk_root, tracker, model="dalle3")
    assert first is second and len(second.queue.items) == 1
    with pytest.raises(ValueError, match="unknown review filter"):
        open_window(tk_root, tracker, modle="x")
    second.destroy()


def test_a_date_preset_narrows_the_backlog_to_recent_results(tk_root, store):
    import datetime as dt

    from prompt_tracking.records import PromptRecord

    tracker, ids, *_ = store
    old = time.time() - 40 * 86400
    tracker.import_records([PromptRecord(id="old", timestamp=old, prompt="an old fox",
                                         ai_model="sdxl", success=True,
                                         result_url="https://cdn.example.com/old.png")])
    tracker.flush()
    window = open_window(tk_root, tracker)
    assert "old" in {r.id for r in window.queue.items}
    window.preset_box.set("Last 30 days")
    window.preset_box.event_generate("<<ComboboxSelected>>")
    pump(window, lambda: window.loaded and "old" not in {r.id for r in window.queue.items})
    assert window.since.get() == (dt.date.today() - dt.timedelta(days=29)).isoformat()
    assert set(ids) <= {r.id for r in window.queue.items}
    window.preset_box.set("All time")
    window.preset_box.event_generate("<<ComboboxSelected>>")
    pump(window, lambda: window.loaded and "old" in {r.id for r in window.queue.items})
    assert window.since.get() == ""
    window.destroy()


@pytest.mark.filterwarnings("ignore:'darkly' is a legacy:DeprecationWarning")
def test_a_dark_ttkbootstrap_host_gets_a_dark_review_window(display, store):
    tb = pytest.importorskip("ttkbootstrap")
    tracker, ids, *_ = store
    host = tb.Window(themename="darkly")
    errors: list = []
    host.report_callback_exception = lambda exc, val, tb_: errors.append(val)
    try:
        host.geometry("400x300+0+0")
        host.update()
        window = open_window(host, tracker, models="sdxl")
        assert window.palette.dark
        assert window.prompt.cget("background") == window.palette.background
        assert window.focus_get() is not None
        key(window, "5")
        key(window, "c")
        key(window, "a")
        key(window, "Escape")  # leaves the comment first
        assert window.winfo_exists()
        key(window, "1")
        tracker.flush()
        assert tracker.get_record(ids[4]).quality_rating == 5
        assert (tracker.get_record(ids[3]).quality_rating, tracker.get_record(ids[3]).feedback) == (1, "a")
        assert tb.Style.get_instance().theme_use() == "darkly"
        window.destroy()
    finally:
        host.destroy()
    assert not errors


def test_plain_tk_host_keeps_its_theme(tk_root, store):
    from tkinter import ttk

    tracker, *_ = store
    before = ttk.Style(tk_root).theme_use()
    window = open_window(tk_root, tracker)
    key(window, "2")
    assert ttk.Style(tk_root).theme_use() == before
    assert "ttkbootstrap" not in str(type(window.buttons["1"]))
    window.destroy()
    assert isinstance(tk_root, tk.Tk)


def test_the_review_subcommand_opens_the_window_and_says_what_is_missing_without_a_display(
        display, store, data_dir):
    import os
    import subprocess
    import sys

    base = [sys.executable, "-m", "prompt_tracking", "--data-dir", str(data_dir), "review"]
    tracker = store[0]
    tracker.close()
    done = subprocess.run(base + ["--model", "sdxl", "--exit-after", "800"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    headless = subprocess.run(base, capture_output=True, text=True, timeout=60, env=env)
    assert headless.returncode == 4 and "no display" in headless.stderr
    helped = subprocess.run(base + ["--help"], capture_output=True, text=True, timeout=60)
    assert "1-5 rate" in helped.stdout


def test_the_analytics_window_opens_the_review_on_its_filters(tk_root, store):
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from test_analytics_window import open_loaded

    tracker, *_ = store
    analytics = open_loaded(tk_root, tracker)
    analytics.filter_bar.model.set("dalle3")
    click(analytics.review_button)
    from prompt_tracking.analytics_window.review import _open_windows

    review = _open_windows[tk_root]()
    pump(review, lambda: review.loaded)
    assert [r.ai_model for r in review.queue.items] == ["dalle3"]
    key(review, "3")
    assert review.empty_label.cget("text") == "All 1 rated"
    click(review.back_button)
    assert not review.winfo_exists() and analytics.winfo_exists()
    tracker.flush()
    assert tracker.get_record(review.queue.items[0].id).quality_rating == 3
    analytics.destroy()
