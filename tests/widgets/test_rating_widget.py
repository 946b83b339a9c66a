"""QualityRatingWidget against a real tracker: every change lands in the store at once."""
from __future__ import annotations

import logging
import time
from tkinter import ttk

import pytest
from tk_events import click_star as click_bar
from tk_events import gc_on_the_tk_thread, type_text  # noqa: F401  (fixture)

from prompt_tracking.widgets import QualityRatingWidget
from prompt_tracking.widgets.rating_widget import DEFAULT_TAGS, HINT_FAILED, HINT_NO_RECORD

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")


def click_star(widget: QualityRatingWidget, index: int) -> None:
    click_bar(widget.stars, index)


def type_comment(widget: QualityRatingWidget, text: str) -> None:
    type_text(widget.comment, text)


def toggle_tag(widget: QualityRatingWidget, tag: str) -> None:
    widget.tag_toggles.buttons[tag].invoke()
    widget.update()


@pytest.fixture
def record_id(tracker):
    return tracker.log_successful_prompt("a red fox in snow, watercolor", "flux-dev")


@pytest.fixture
def widget(tk_root, tracker, record_id):
    rating_widget = QualityRatingWidget(tk_root, tracker, record_id)
    rating_widget.pack(padx=10, pady=10)
    tk_root.update()
    return rating_widget


def test_a_click_saves_the_rating_at_once(widget, tracker, record_id):
    rated = []
    widget.bind("<<PromptRated>>", lambda e: rated.append(widget.stars.value), add="+")
    click_star(widget, 4)
    assert tracker.get_record(record_id).quality_rating == 4
    assert widget.status["text"] == "Saved"
    assert rated == [4]


def test_clicking_the_same_star_again_clears_the_rating_in_the_store(widget, tracker, record_id):
    click_star(widget, 2)
    click_star(widget, 2)
    assert tracker.get_record(record_id).quality_rating is None
    assert widget.status["text"] == "Rating cleared"


def test_keys_rate_through_the_widget(widget, tracker, record_id):
    widget.stars.focus_force()
    widget.update()
    widget.stars.event_generate("<Key-3>")
    widget.update()
    assert tracker.get_record(record_id).quality_rating == 3


def test_comment_and_tags_appear_after_the_first_rating(widget):
    assert not widget.details.winfo_ismapped()
    assert widget.winfo_height() >= widget.details.winfo_reqheight()  # their room is kept
    click_star(widget, 5)
    assert widget.details.winfo_ismapped()
    assert widget.tag_toggles.tags == DEFAULT_TAGS


def test_typed_comment_is_saved_on_return(widget, tracker, record_id):
    click_star(widget, 3)
    type_comment(widget, "too dark")
    widget.comment.event_generate("<Return>")
    widget.update()
    record = tracker.get_record(record_id)
    assert record.feedback == "too dark"
    assert record.quality_rating == 3


def test_typed_comment_is_saved_shortly_after_typing_stops(widget, tracker, record_id, monkeypatch):
    monkeypatch.setattr("prompt_tracking.widgets.rating_widget.COMMENT_SAVE_DELAY_MS", 10)
    click_star(widget, 3)
    type_comment(widget, "nice")
    widget.after(50)
    widget.update()
    assert tracker.get_record(record_id).feedback == "nice"


def test_tags_toggle_on_and_off_in_the_store(widget, tracker, record_id):
    click_star(widget, 2)
    toggle_tag(widget, "artifacts")
    toggle_tag(widget, "off style")
    assert tracker.get_record(record_id).tags == ["artifacts", "off style"]
    toggle_tag(widget, "artifacts")
    assert tracker.get_record(record_id).tags == ["off style"]


def test_the_last_tag_can_be_removed(widget, tracker, record_id):
    click_star(widget, 2)
    toggle_tag(widget, "artifacts")
    toggle_tag(widget, "artifacts")
    assert tracker.get_record(record_id).tags == []
    assert widget.tag_toggles.selected() == []


def test_keep_marks_the_result_saved_by_the_user(widget, tracker, record_id):
    widget.keep_button.invoke()
    widget.update()
    assert tracker.get_record(record_id).save_method == "user_save"
    assert widget.keep_button.instate(["disabled"])
    assert widget.status["text"] == "Kept"


def test_a_widget_bound_to_a_rated_record_shows_its_rating(tk_root, tracker, record_id):
    tracker.rate_prompt(record_id, 4, feedback="good light", tags=["great composition"])
    tracker.mark_saved(record_id)
    widget = QualityRatingWidget(tk_root, tracker, record_id)
    widget.pack()
    tk_root.update()
    assert widget.stars.value == 4
    assert widget.comment.get() == "good light"
    assert widget.tag_toggles.selected() == ["great composition"]
    assert widget.keep_button.instate(["disabled"])


def test_set_record_retargets_and_saves_a_pending_comment(widget, tracker, record_id):
    click_star(widget, 3)
    type_comment(widget, "first")  # not yet saved: the delay has not run
    second = tracker.log_successful_prompt("a blue whale", "flux-dev")
    widget.set_record(second)
    widget.update()
    assert tracker.get_record(record_id).feedback == "first"
    assert widget.stars.value == 0 and widget.comment.get() == ""
    assert not widget.details.winfo_ismapped()
    click_star(widget, 5)
    assert tracker.get_record(second).quality_rating == 5
    assert tracker.get_record(record_id).quality_rating == 3


def test_tags_the_widget_does_not_offer_survive_a_new_rating(tk_root, tracker, record_id):
    tracker.rate_prompt(record_id, 2, tags=["from the cli"])
    widget = QualityRatingWidget(tk_root, tracker, record_id)
    widget.pack()
    tk_root.update()
    click_star(widget, 4)
    toggle_tag(widget, "artifacts")
    assert tracker.get_record(record_id).tags == ["artifacts", "from the cli"]


def test_without_a_record_the_widget_is_disabled_and_says_why(tk_root, tracker):
    widget = QualityRatingWidget(tk_root, tracker)
    widget.pack()
    tk_root.update()
    click_star(widget, 3)
    assert widget.stars.value == 0
    assert widget.stars["state"] == "disabled"
    assert widget.keep_button.instate(["disabled"])
    assert widget.status["text"] == HINT_NO_RECORD == "Rate after a result appears"


def test_a_failed_result_is_not_rated_and_says_so(tk_root, tracker):
    failed = tracker.log_failed_prompt("a cat", "sdxl", "CUDA out of memory")
    widget = QualityRatingWidget(tk_root, tracker, failed)
    widget.pack()
    tk_root.update()
    click_star(widget, 3)
    assert widget.stars.value == 0
    assert widget.stars["state"] == "disabled"
    assert tracker.get_record(failed).quality_rating is None
    assert widget.status["text"] == HINT_FAILED == "Failed results are not rated"
    assert widget.keep_button.instate(["disabled"])  # nothing to keep either


def test_the_hint_goes_once_a_result_can_be_rated_and_comes_back_after_a_status(
        tk_root, tracker, record_id, monkeypatch):
    # Long enough that a loaded machine cannot clear "Saved" before it is checked.
    monkeypatch.setattr("prompt_tracking.widgets.rating_widget.STATUS_CLEAR_MS", 500)
    widget = QualityRatingWidget(tk_root, tracker)
    widget.pack()
    tk_root.update()
    widget.set_record(record_id)
    assert widget.status["text"] == ""
    assert widget.stars["state"] == "normal"
    widget.set_record(None)
    assert widget.status["text"] == HINT_NO_RECORD
    widget.set_record(record_id)
    click_star(widget, 2)
    assert widget.status["text"] == "Saved"
    deadline = time.monotonic() + 10
    while widget.status["text"] == "Saved" and time.monotonic() < deadline:
        widget.after(20)
        widget.update()
    assert widget.status["text"] == ""


def test_stars_stay_put_when_comment_and_tags_appear(tk_root, tracker, record_id):
    """Packed at the bottom of its parent, the first rating must not shift the stars:
    a second click on the same screen spot has to undo the rating, not hit a tag."""
    parent = ttk.Frame(tk_root)
    parent.pack(fill="both", expand=True)
    widget = QualityRatingWidget(parent, tracker, record_id)
    widget.pack(side="bottom")
    tk_root.update()
    size = (widget.winfo_width(), widget.winfo_height())
    x, y = widget.stars.star_center(4)
    screen_x, screen_y = widget.stars.winfo_rootx() + x, widget.stars.winfo_rooty() + y

    click_at_screen(tk_root, screen_x, screen_y)
    assert tracker.get_record(record_id).quality_rating == 4
    assert widget.details.winfo_ismapped()
    assert (widget.winfo_width(), widget.winfo_height()) == size
    assert (widget.stars.winfo_rootx() + x, widget.stars.winfo_rooty() + y) == (screen_x, screen_y)

    click_at_screen(tk_root, screen_x, screen_y)
    record = tracker.get_record(record_id)
    assert record.quality_rating is None
    assert not record.tags
    assert widget.tag_toggles.selected() == []
    assert widget.status["text"] == "Rating cleared"


def click_at_screen(root, screen_x: int, screen_y: int) -> None:
    """Press and release on whatever widget is at a screen point, as the pointer would."""
    target = root.winfo_containing(screen_x, screen_y)
    assert target is not None
    x, y = screen_x - target.winfo_rootx(), screen_y - target.winfo_rooty()
    for sequence in ("<Motion>", "<ButtonPress-1>", "<ButtonRelease-1>"):
        target.event_generate(sequence, x=x, y=y)
    root.update()


def test_show_feedback_false_offers_only_stars(tk_root, tracker, record_id):
    widget = QualityRatingWidget(tk_root, tracker, record_id, show_feedback=False)
    widget.pack()
    tk_root.update()
    click_star(widget, 3)
    assert not widget.details.winfo_ismapped()
    assert tracker.get_record(record_id).quality_rating == 3


def test_tracker_errors_become_a_status_and_a_log_entry(tk_root, tracker, caplog):
    widget = QualityRatingWidget(tk_root, tracker, "no-such-record")
    widget.pack()
    tk_root.update()
    with caplog.at_level(logging.ERROR, logger="prompt_tracking.widgets.rating_widget"):
        click_star(widget, 3)
        widget.keep_button.invoke()
        widget.update()
    assert widget.status["text"].startswith("Could not")
    assert any("no-such-record" in r.getMessage() for r in caplog.records)


def test_on_rated_is_called_and_its_errors_are_contained(tk_root, tracker, record_id, caplog):
    calls = []

    def on_rated(rid, rating):
        calls.append((rid, rating))
        raise RuntimeError("host bug")

    widget = QualityRatingWidget(tk_root, tracker, record_id, on_rated=on_rated)
    widget.pack()
    tk_root.update()
    with caplog.at_level(logging.ERROR, logger="prompt_tracking.widgets.rating_widget"):
        click_star(widget, 5)
    assert calls == [(record_id, 5)]
    assert tracker.get_record(record_id).quality_rating == 5
    assert "on_rated" in caplog.text


def test_default_tracker_is_used_when_none_is_given(tk_root, data_dir, monkeypatch):
    from prompt_tracking import EnhancedPromptTracker

    with EnhancedPromptTracker(data_dir) as default:
        monkeypatch.setattr("prompt_tracking.enhanced_prompt_tracker", default)
        rid = default.log_successful_prompt("a lighthouse", "sdxl")
        widget = QualityRatingWidget(tk_root, record_id=rid)
        widget.pack()
        tk_root.update()
        click_star(widget, 2)
        assert default.get_record(rid).quality_rating == 2


def test_destroy_saves_the_pending_comment_and_cancels_timers(widget, tracker, record_id, tk_root):
    click_star(widget, 4)
    type_comment(widget, "last words")
    widget.destroy()
    tk_root.update()
    assert tracker.get_record(record_id).feedback == "last words"
    assert tk_root.tk.call("after", "info") == ""


def test_a_tag_reached_with_tab_shows_a_focus_ring(tk_root, tracker):
    """Issue 15: a tag button reached with Tab showed no focus ring (ttkbootstrap draws none)."""
    from prompt_tracking.widgets.rating_widget import TagToggles
    from prompt_tracking.widgets.theme import palette_for

    toggles = TagToggles(tk_root, ["sharp", "blurry"])
    toggles.pack()
    tk_root.update()
    focus = palette_for(tk_root).focus
    first = toggles.buttons["sharp"]
    first.focus_force()
    tk_root.update()
    assert toggles.rings["sharp"].cget("highlightbackground") == focus
    first.tk_focusNext().focus_force()  # what Tab does
    tk_root.update()
    assert toggles.rings["sharp"].cget("highlightbackground") != focus
    assert toggles.rings["blurry"].cget("highlightbackground") == focus
