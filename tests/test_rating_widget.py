"""QualityRatingWidget against a real tracker: every change lands in the store at once."""
from __future__ import annotations

import logging

import pytest
from tk_events import click_star as click_bar
from tk_events import gc_on_the_tk_thread, type_text  # noqa: F401  (fixture)

from widgets import QualityRatingWidget
from widgets.rating_widget import DEFAULT_TAGS

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
    monkeypatch.setattr("widgets.rating_widget.COMMENT_SAVE_DELAY_MS", 10)
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


def test_the_last_tag_stays_shown_because_the_tracker_keeps_it(widget, tracker, record_id):
    click_star(widget, 2)
    toggle_tag(widget, "artifacts")
    toggle_tag(widget, "artifacts")
    assert tracker.get_record(record_id).tags == ["artifacts"]
    assert widget.tag_toggles.selected() == ["artifacts"]
    assert "cannot be removed" in widget.status["text"]


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


def test_without_a_record_the_widget_is_disabled(tk_root, tracker):
    widget = QualityRatingWidget(tk_root, tracker)
    widget.pack()
    tk_root.update()
    click_star(widget, 3)
    assert widget.stars.value == 0
    assert widget.keep_button.instate(["disabled"])


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
    with caplog.at_level(logging.ERROR, logger="widgets.rating_widget"):
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
    with caplog.at_level(logging.ERROR, logger="widgets.rating_widget"):
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
