"""Issue 13.1: every outcome, success or failure, re-points the rating UI at its record.

A failed run must never leave the stars rating the earlier, now hidden, success: that
rating would become the "rejected" half of a preference pair.
"""
from __future__ import annotations

import pytest
from integration_hosts import SeedLayout, SplitLayout, click, wait_until
from tk_events import click_star, gc_on_the_tk_thread, press_key, type_text  # noqa: F401

from prompt_tracking.integration import quick_integrate_tracking
from prompt_tracking.integration.demo.app import DemoApp
from prompt_tracking.integration.demo.backend import MODELS, DemoBackend

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")
NOT_RATED = "Failed results are not rated"


@pytest.fixture
def demo(tk_root, tracker, tmp_path):
    tk_root.geometry("1120x760+0+0")
    app = DemoApp(tk_root, tracker, DemoBackend(tmp_path / "results", delay=0.05, seed=3))
    tk_root.update()
    yield app
    app.close()
    for layout in app.layouts:
        layout.destroy()


def stored(tracker, record_id):
    tracker.flush(5)
    return tracker.get_record(record_id)


def error_named(model, reason):
    return next(e for e in MODELS[model].errors if e.reason == reason)


def assert_shows_failure(widget, record_id):
    assert widget.record_id == record_id
    assert str(widget.stars.cget("state")) == "disabled"
    assert widget.status.cget("text") == NOT_RATED


def try_to_rate(widget):
    """What a user does at the stars: a click on the 4th star, then the 5 key."""
    click_star(widget.stars, 4)
    press_key(widget.stars, "5")


@pytest.mark.parametrize("reason", ["quota_exceeded", "invalid_parameters"])
def test_seedream_a_failure_after_a_success_cannot_be_rated_on_the_success(demo, tracker, reason):
    layout, handle = demo.seedream, demo.handles[1]
    demo.notebook.select(layout)
    type_text(layout.prompt_text, "a fox")
    demo.backend.forced = "success"
    click(layout.generate_button)
    wait_until(layout, lambda: handle.rating_widget.record_id is not None)
    success_id = handle.rating_widget.record_id
    demo.backend.forced, demo.backend.forced_error = "failure", error_named("seedream", reason)
    click(layout.generate_button)
    wait_until(layout, lambda: handle.rating_widget.record_id != success_id)
    failed = stored(tracker, handle.rating_widget.record_id)
    assert not failed.success and failed.failure_reason == reason
    assert layout.result_label.cget("text").startswith("Generation failed")
    assert_shows_failure(handle.rating_widget, failed.id)
    try_to_rate(handle.rating_widget)
    assert stored(tracker, success_id).quality_rating is None
    assert stored(tracker, failed.id).quality_rating is None


def test_seedream_double_click_the_second_run_fails(demo, tracker):
    layout, handle = demo.seedream, demo.handles[1]
    demo.notebook.select(layout)
    type_text(layout.prompt_text, "two at once")
    demo.backend.forced, demo.backend.delay = "success", 0.05
    layout.generate_button.invoke()
    demo.backend.forced, demo.backend.forced_error = ("failure",
                                                      error_named("seedream", "quota_exceeded"))
    demo.backend.delay = 0.3  # ends after the first: the panel ends on the failure
    layout.generate_button.invoke()  # the second click, before the first run ended
    wait_until(layout, lambda: handle.pending == 0 and tracker.flush(1)
               and len(list(tracker.records())) == 2)
    wait_until(layout, lambda: handle.rating_widget.record_id == handle.last_record_id)
    last = stored(tracker, handle.last_record_id)
    shown = str(layout.result_label.cget("text"))
    # The result panel shows the last outcome; the stars follow it.
    assert last.success is False and shown.startswith("Generation failed")
    assert_shows_failure(handle.rating_widget, last.id)
    try_to_rate(handle.rating_widget)
    assert all(r.quality_rating is None for r in tracker.records())


def test_wan_split_handlers_on_the_worker_thread_re_point_on_failure(demo, tracker):
    layout, handle = demo.wan, demo.handles[2]
    demo.notebook.select(layout)
    type_text(layout.prompt_text, "waves")
    demo.backend.forced = "success"
    click(layout.generate_button)
    wait_until(layout, lambda: handle.rating_widget.record_id is not None)
    first = handle.rating_widget.record_id
    demo.backend.forced, demo.backend.forced_error = "failure", MODELS["wan"].errors[0]
    click(layout.generate_button)
    wait_until(layout, lambda: handle.rating_widget.record_id != first)
    assert_shows_failure(handle.rating_widget, handle.last_record_id)


@pytest.mark.parametrize("on_tk_thread", [True, False])
def test_after_processing_and_split_handlers_re_point_on_failure(tk_root, tracker, on_tk_thread):
    if on_tk_thread:
        layout = SeedLayout(tk_root)
        handle = quick_integrate_tracking(layout, "m", tracker=tracker)
        layout.plan.put((True, "https://cdn.example/a.png", None))
        layout.plan.put((False, None, "429 Too Many Requests"))
        start = layout.generate_button
    else:
        layout = SplitLayout(tk_root)
        handle = quick_integrate_tracking(layout, "m", tracker=tracker, process_method="generate",
                                          success_method="on_images_ready",
                                          failure_method="on_error")
        layout.plan.put((0.01, "ok", {"images": [{"url": "https://cdn.example/a.png"}]}))
        layout.plan.put((0.01, "err", RuntimeError("Rate limit exceeded")))
        start = layout.run_button
    layout.pack()
    click(start)
    wait_until(layout, lambda: handle.rating_widget.record_id is not None)
    first = handle.rating_widget.record_id
    click(start)
    wait_until(layout, lambda: handle.rating_widget.record_id != first)
    assert_shows_failure(handle.rating_widget, handle.last_record_id)
    handle.remove()
    layout.destroy()


def test_dialog_mode_a_failure_drops_the_question_about_the_earlier_success(tk_root, tracker):
    layout = SeedLayout(tk_root)
    layout.pack()
    handle = quick_integrate_tracking(layout, "m", tracker=tracker, rating="dialog")
    layout.prompt_text.focus_force()  # the user is typing: the question waits
    layout.update()
    layout.plan.put((True, "https://cdn.example/a.png", None))
    click(layout.generate_button)
    wait_until(layout, lambda: handle.prompter._pending is not None)
    layout.plan.put((False, None, "Your request was rejected as a result of our safety system."))
    click(layout.generate_button)
    wait_until(layout, lambda: len(layout.reported) == 2)
    wait_until(layout, lambda: handle.prompter._pending is None)
    assert handle.prompter.dialog is None
    handle.remove()
    layout.destroy()
