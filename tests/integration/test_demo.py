"""The demo app driven like a user under Xvfb: type, click, wait, rate, check the store."""
from __future__ import annotations

import os
import subprocess
import sys
import tkinter as tk
import time
from pathlib import Path

import pytest
from integration_hosts import click, wait_until
from tk_events import click_star, gc_on_the_tk_thread, type_text  # noqa: F401  (fixture)

from prompt_tracking.cli.demo import register_cli
from prompt_tracking.integration.demo.app import DemoApp, default_demo_dir
from prompt_tracking.integration.demo.backend import MODELS, DemoBackend, _filled
from prompt_tracking import categorize_failure

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")
ROOT = Path(__file__).resolve().parents[2]

# layout attribute, handle index, typed prompt (None: the layout has no prompt), model,
# parameters expected among the recorded ones
CASES = [
    ("seededit", 0, "make the sky pink", "seededit-3.0", {"strength": 0.7}),
    ("seedream", 1, "a red fox in snow", "seedream-4.0", {"size": "1024x1024",
                                                          "guidance_scale": 7.5}),
    ("wan", 2, "waves rolling in slowly", "wan2.2-t2v", {"duration": 5, "resolution": "720p"}),
    ("upscaler", 3, None, "real-esrgan-x4", {"scale": 4, "face_enhance": False}),
    ("seedance", 4, "spin and jump", "seedance-1.0-pro", {"dance_style": "hip-hop",
                                                          "duration": 5}),
]


@pytest.fixture
def app(tk_root, tracker, tmp_path):
    tk_root.geometry("1120x760+0+0")
    demo = DemoApp(tk_root, tracker, DemoBackend(tmp_path / "results", delay=0.05, seed=3))
    tk_root.update()
    yield demo
    demo.close()
    for layout in demo.layouts:
        layout.destroy()


def prompt_widget(layout):
    return getattr(layout, "prompt_text", None) or layout.prompt_entry


def use_layout(app, name, prompt):
    layout = getattr(app, name)
    app.notebook.select(layout)
    layout.update()
    if prompt is not None:
        type_text(prompt_widget(layout), prompt)
    return layout


def generate(layout):
    """Click the layout's real button and wait until the layout shows the outcome."""
    click(layout.generate_button)
    wait_until(layout, lambda: layout.status.cget("text").startswith(("Done", "Failed")))


def stored(tracker, record_id):
    tracker.flush(5)
    return tracker.get_record(record_id)


@pytest.mark.parametrize("name, index, prompt, model, parameters", CASES)
def test_a_successful_generation_is_logged_shown_and_rated(app, tracker, name, index, prompt,
                                                           model, parameters):
    app.backend.forced = "success"
    layout = use_layout(app, name, prompt)
    generate(layout)
    handle = app.handles[index]
    wait_until(layout, lambda: handle.rating_widget.record_id is not None)
    click_star(handle.rating_widget.stars, 3)
    record = stored(tracker, handle.rating_widget.record_id)
    assert (record.prompt, record.ai_model, record.success) == (prompt or "", model, True)
    assert parameters.items() <= record.model_parameters.items()
    assert os.path.isfile(record.result_url)
    assert record.quality_rating == 3
    assert str(layout.result_label.cget("image"))  # the PhotoImage is on screen


@pytest.mark.parametrize("name, index, prompt, model, parameters", CASES)
def test_a_failed_generation_is_logged_with_its_reason(app, tracker, name, index, prompt, model,
                                                       parameters):
    error = MODELS[name].errors[-1]
    app.backend.forced, app.backend.forced_error = "failure", error
    layout = use_layout(app, name, prompt)
    generate(layout)
    handle = app.handles[index]
    wait_until(layout, lambda: handle.last_record_id is not None and handle.pending == 0)
    record = stored(tracker, handle.last_record_id)
    assert (record.prompt, record.ai_model, record.success) == (prompt or "", model, False)
    assert record.error_message.startswith(error.message[:20])
    assert record.failure_reason == error.reason
    # The stars follow the result shown: the failure, disabled, not an earlier success.
    wait_until(layout, lambda: handle.rating_widget.record_id == record.id)
    assert str(handle.rating_widget.stars.cget("state")) == "disabled"
    assert handle.rating_widget.status.cget("text") == "Failed results are not rated"
    shown = layout.result_label.cget("text")  # the result panel explains the failure
    assert shown.startswith(f"Generation failed: {error.reason.replace('_', ' ')}")
    assert not str(layout.result_label.cget("image"))


def test_seedance_starts_on_return_in_the_motion_field(app, tracker):
    app.backend.forced = "success"
    layout = use_layout(app, "seedance", "moonwalk")
    layout.prompt_entry.event_generate("<Return>")
    wait_until(layout, lambda: app.handles[4].last_record_id is not None)
    assert stored(tracker, app.handles[4].last_record_id).prompt == "moonwalk"


def test_wan_records_the_image_to_video_model_when_that_mode_is_chosen(app, tracker):
    app.backend.forced = "success"
    layout = use_layout(app, "wan", "the boats drift")
    layout.mode.set("image-to-video")
    generate(layout)
    wait_until(layout, lambda: app.handles[2].last_record_id is not None)
    record = stored(tracker, app.handles[2].last_record_id)
    assert record.ai_model == "wan2.2-i2v"
    assert record.model_parameters["input_image"].endswith("sample-input.png")


def test_an_empty_instruction_starts_nothing_and_logs_nothing(app, tracker):
    layout = use_layout(app, "seededit", None)
    click(layout.generate_button)
    layout.update()
    assert app.handles[0].pending == 0
    assert layout.status.cget("text") == "Type an instruction first."
    tracker.flush(5)
    assert list(tracker.records()) == []


def test_every_simulated_error_is_a_real_message_with_its_labelled_reason():
    for spec in MODELS.values():
        for error in spec.errors:
            assert error.source.startswith("https://")
            assert categorize_failure(_filled(error, "0123abcd").message).value == error.reason


def test_the_backend_fails_at_about_the_models_rate(tmp_path):
    backend = DemoBackend(tmp_path, delay=0, seed=7)
    results = []
    threads = [backend.submit("wan", "p", {}, results.append) for _ in range(300)]
    for thread in threads:
        thread.join()
    failures = sum(not r.success for r in results) / len(results)
    assert abs(failures - MODELS["wan"].failure_rate) < 0.07


def test_menu_opens_analytics_export_and_migration(app):
    app.menu.invoke(0)  # the real menu entry
    app.root.update()
    window = app.open_analytics()  # a second call returns the window the menu opened
    opened = [w for w in app.root.winfo_children() if isinstance(w, tk.Toplevel)]
    assert opened == [window]
    exported = app.open_export()
    app.root.update()
    assert exported is window  # the open window is raised, not a second one
    assert window.tab_titles()[window.notebook.index("current")] == "Export"
    dialog = app.open_migration()
    app.root.update()
    assert dialog.winfo_exists()
    dialog.destroy()
    # Let the window's loader finish: a worker still holding the window when this test's
    # Tk root is gone would drop the last reference to the interpreter off the Tk thread.
    wait_until(app.root, lambda: window.loaded, timeout=30)
    window.destroy()
    app.root.update()


def test_the_demo_uses_its_own_store(data_dir):
    assert default_demo_dir() == data_dir / "demo"


def test_register_cli_adds_demo_with_both_data_dir_spellings():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["--data-dir", "/a", "demo", "--seed-history", "5"])
    assert (args.data_dir, args.seed_history, callable(args.func)) == ("/a", 5, True)
    assert parser.parse_args(["demo", "--data-dir", "/b"]).data_dir == "/b"
    assert parser.parse_args(["demo"]).data_dir is None


def test_the_demo_runs_as_a_program_with_seeded_history(display, tmp_path):
    store = tmp_path / "demo-store"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "prompt_tracking.integration.demo", "--data-dir", str(store), "--seed-history",
         "25", "--delay", "0.05", "--exit-after", "600"],
        cwd=ROOT, env=dict(os.environ, DISPLAY=display), capture_output=True, text=True,
        timeout=60)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    from prompt_tracking import EnhancedPromptTracker

    with EnhancedPromptTracker(store) as check:
        assert check.stats()["total"] == 25


@pytest.mark.parametrize("name, index", [("seedream", 1), ("wan", 2)])
def test_an_empty_prompt_is_refused_and_nothing_is_logged(app, tracker, name, index):
    app.backend.forced = "success"
    layout = use_layout(app, name, None)
    click(layout.generate_button)
    layout.update()
    assert layout.status.cget("text") == "Enter a prompt first."
    assert app.handles[index].last_record_id is None
    tracker.flush(5)
    assert tracker.stats()["total"] == 0


def test_the_layouts_describe_themselves_to_users_not_developers(app):
    for layout in app.layouts:
        words = layout.description.lower()
        assert not any(term in words for term in ("after_processing", "thread", "handler"))


def test_the_tracking_menu_opens_the_review_window(app, tracker):
    labels = [app.menu.entrycget(i, "label") for i in range(app.menu.index("end") + 1)
              if app.menu.type(i) == "command"]
    assert "Review unrated..." in labels
    window = app.open_review()
    try:
        assert window.winfo_exists()
    finally:
        window.destroy()
