"""quick_integrate_tracking() and TrackingMixin on the host shapes real apps take.

Each fixture app in `tests/hosts/` is driven inside its own `mainloop()` by a chain of
`after()` steps clicking its real Generate button, against a loopback image API.
"""
from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
import tkinter as tk
import tkinter.messagebox as messagebox
from concurrent.futures import ThreadPoolExecutor
from tkinter import ttk

import pytest
from hosts import sdk
from hosts.drive import Script
from hosts.fake_api import POLICY_BODY, RATE_BODY, FakeImageAPI
from tk_events import gc_on_the_tk_thread  # noqa: F401  (fixture)

from prompt_tracking.integration import quick_integrate_tracking
from prompt_tracking.integration.host import is_shown

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")
POLICY_TEXT = POLICY_BODY["error"]["message"]
RATE_TEXT = RATE_BODY["error"]["message"]
PATCHED = [(messagebox, n) for n in ("showinfo", "showwarning", "showerror", "_show")] + [
    (threading.Thread, "start"), (ThreadPoolExecutor, "submit")]


@pytest.fixture
def api(monkeypatch):
    server = FakeImageAPI()
    monkeypatch.setattr(sdk, "BASE_URL", server.url)
    yield server
    server.close()


@pytest.fixture
def originals():
    """What the process-wide functions were before the test; checked again after."""
    before = {(owner, name): getattr(owner, name) for owner, name in PATCHED}
    yield before
    assert {(o, n): getattr(o, n) for o, n in PATCHED} == before


def records(tracker):
    tracker.flush(5)
    return list(tracker.records(newest_first=False))


def type_into(widget, text):
    if isinstance(widget, tk.Text):
        widget.delete("1.0", "end")
        widget.insert("1.0", text)
    else:
        widget.delete(0, "end")
        widget.insert(0, text)


def looks(widgets):
    """What the user sees of the host's buttons and theme."""
    style = ttk.Style(widgets[0])
    return [style.theme_use()] + [
        (str(w.cget("text")), str(w.cget("state")), w.winfo_manager(), w.winfo_class())
        for w in widgets]


def count_records(tracker, n):
    return lambda: tracker.flush(1) and len(list(tracker.records())) >= n


def assert_failures(tracker, records_, expected):
    for record, (prompt, reason, text) in zip(records_, expected):
        assert (record.prompt, record.success, record.failure_reason) == (prompt, False, reason)
        assert text[:40] in record.error_message


# -- 1. outcome only through a message box ---------------------------------------------

@pytest.mark.parametrize("app_class", ["ImageGeneratorApp", "AfterImageGeneratorApp"])
def test_message_box_outcomes_are_logged_and_the_boxes_unchanged(tk_root, tracker, api, tmp_path,
                                                                 originals, app_class):
    from hosts import message_box_app

    app = getattr(message_box_app, app_class)(tk_root, str(tmp_path))
    before = looks([app.generate_btn])
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker, process_method="generate",
                                      params_getter=lambda: {"size": app.size_var.get()})
    assert handle.watches_message_boxes and handle.rewired == 1
    script = Script(tk_root)
    for prompt, plan in (("a lighthouse at dusk", "ok"), ("a cat [policy]", "ok"),
                         ("a dog on a skateboard", "rate")):
        n = len(script.steps) // 4 + 1
        script.do(lambda p=prompt, k=plan: (type_into(app.prompt_entry, p), api.plan.put(k)))
        script.do(app.generate_btn.invoke)
        script.do(lambda: type_into(app.prompt_entry, "edited after the click"))
        script.until(lambda n=n: len(script.boxes) >= n and count_records(tracker, n)())
    script.until(lambda: handle.rating_widget.record_id == handle.last_record_id)
    script.until(lambda: is_shown(handle.rating_widget))
    script.run()

    success, policy, rate = records(tracker)
    path = str(tmp_path / "image_1.png")
    assert (success.prompt, success.ai_model, success.success) == ("a lighthouse at dusk",
                                                                   "dall-e-3", True)
    assert success.result_url == path and success.model_parameters == {"size": "256x256"}
    assert_failures(tracker, [policy, rate], [("a cat [policy]", "content_filter", POLICY_TEXT),
                                              ("a dog on a skateboard", "rate_limit", RATE_TEXT)])
    # The user saw the host's own boxes, word for word.
    assert [text for _, text in script.boxes] == [f"Saved to {path}", str(sdk.APIError(
        400, POLICY_BODY)), str(sdk.APIError(429, RATE_BODY))]
    assert [icon for icon, _ in script.boxes] == ["information", "error", "error"]
    # The stars point at the last outcome: a failure, not rated.
    assert handle.rating_widget.record_id == rate.id
    assert str(handle.rating_widget.stars.cget("state")) == "disabled"
    assert looks([app.generate_btn]) == before
    assert handle.pending == 0

    handle.remove()
    assert messagebox.showinfo is originals[(messagebox, "showinfo")]
    # The host's own box would now be a real modal dialog that nobody here closes.
    shown_after: list[str] = []
    app.report_done = shown_after.append
    type_into(app.prompt_entry, "after remove")
    Script(tk_root).do(app.generate_btn.invoke).until(lambda: len(api.requests) == 4).do(
        lambda: None).run()
    time.sleep(0.2)
    tk_root.update()
    assert len(records(tracker)) == 3


def test_overlapping_message_box_runs_each_get_their_own_outcome(tk_root, tracker, api, tmp_path,
                                                                 originals):
    from hosts.message_box_app import ImageGeneratorApp

    app = ImageGeneratorApp(tk_root, str(tmp_path))
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker, process_method="generate")
    script = Script(tk_root)
    script.do(lambda: type_into(app.prompt_entry, "first, fine but [slow]"))
    script.do(app.generate_btn.invoke)
    script.do(lambda: type_into(app.prompt_entry, "second, refused [policy]"))
    script.do(app.generate_btn.invoke)  # finishes first: the runs end out of order
    script.until(lambda: count_records(tracker, 2)() and len(script.boxes) == 2)
    script.until(lambda: handle.rating_widget.record_id == handle.last_record_id)
    script.run()
    first, second = records(tracker)
    assert (first.prompt, first.failure_reason) == ("second, refused [policy]", "content_filter")
    assert (second.prompt, second.success) == ("first, fine but [slow]", True)
    assert handle.rating_widget.record_id == second.id
    handle.remove()


def test_message_box_watching_can_be_turned_off(tk_root, tracker, api, tmp_path, originals):
    from hosts.message_box_app import ImageGeneratorApp

    app = ImageGeneratorApp(tk_root, str(tmp_path))
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker, process_method="generate",
                                      watch_message_boxes=False)
    type_into(app.prompt_entry, "not watched")
    script = Script(tk_root).do(app.generate_btn.invoke).until(lambda: script.boxes)
    script.run()
    assert records(tracker) == [] and handle.pending == 1
    handle.remove()


# -- 2 and 5. inline run on the Tk thread; a start that starts nothing -------------------

def test_an_inline_run_is_logged_when_the_start_returns(tk_root, tracker, api, tmp_path, originals):
    from hosts.inline_app import App

    app = App(tk_root, str(tmp_path))
    before = looks([app.button])
    handle = quick_integrate_tracking(app, "dall-e-2", tracker=tracker,
                                      process_method="generate_image",
                                      params_getter=lambda: {"size": app.size.get()})
    script = Script(tk_root)
    script.do(lambda: type_into(app.prompt, "a paper boat"))
    script.do(app.button.invoke)
    script.until(count_records(tracker, 1))
    script.do(lambda: (type_into(app.prompt, "forbidden [policy]"), app.button.invoke()))
    script.until(count_records(tracker, 2))
    script.do(lambda: (type_into(app.prompt, "too fast"), api.plan.put("rate"), app.button.invoke()))
    script.until(count_records(tracker, 3))
    script.do(lambda: (type_into(app.prompt, ""), app.button.invoke()))  # refused: no prompt
    script.until(lambda: len(script.boxes) == 3)
    script.until(lambda: is_shown(handle.rating_widget))
    script.run()

    success, policy, rate = records(tracker)
    assert (success.prompt, success.ai_model, success.success) == ("a paper boat", "dall-e-2", True)
    assert success.result_url == app.last_image_path and success.model_parameters == {
        "size": "512x512"}
    assert_failures(tracker, [policy, rate], [("forbidden [policy]", "content_filter", POLICY_TEXT),
                                              ("too fast", "rate_limit", RATE_TEXT)])
    assert [t for _, t in script.boxes] == [POLICY_TEXT, RATE_TEXT, "Please type a prompt first."]
    assert handle.pending == 0 and handle.expire_stale(time.monotonic() + 10_000) == 0
    assert len(records(tracker)) == 3
    assert looks([app.button]) == before
    handle.remove()


def test_a_return_binding_that_does_not_fit_raises_as_before_and_logs_nothing(tk_root, tracker,
                                                                             api, tmp_path):
    from hosts.inline_app import App

    def press_return(app):
        errors = []
        tk_root.report_callback_exception = lambda *exc: errors.append(exc[1])
        type_into(app.prompt, "pressed return")
        app.prompt.focus_force()
        tk_root.update()
        app.prompt.event_generate("<Return>")
        tk_root.update()
        tk_root.report_callback_exception = report
        return errors

    report = tk_root.report_callback_exception
    plain = App(tk_root, str(tmp_path))
    [expected] = press_return(plain)
    tracked = App(tk_root, str(tmp_path))
    handle = quick_integrate_tracking(tracked, "dall-e-2", tracker=tracker,
                                      process_method="generate_image")
    assert handle.rewired == 2  # the button and the <Return> binding
    [raised] = press_return(tracked)
    assert type(raised) is type(expected) is TypeError
    assert str(raised) == str(expected)
    assert records(tracker) == [] and handle.pending == 0
    handle.remove()


# -- 3. customtkinter script app --------------------------------------------------------

@pytest.fixture
def ctk_app(display, api):
    pytest.importorskip("customtkinter")
    sys.modules.pop("hosts.ctk_script_app", None)
    module = importlib.import_module("hosts.ctk_script_app")
    errors = []
    module.app.report_callback_exception = lambda exc, val, tb: errors.append(val)
    module.app.geometry("700x560+0+0")
    module.app.update()
    yield module
    try:
        module.app.update()
        module.app.destroy()
    except tk.TclError:
        pass
    sys.modules.pop("hosts.ctk_script_app", None)
    import gc
    gc.collect()
    assert not errors, errors


@pytest.mark.filterwarnings("ignore:CTkLabel Warning")  # the host's own PhotoImage
def test_a_customtkinter_script_app_is_tracked(ctk_app, tracker, api, originals):
    import customtkinter as ctk

    mod = ctk_app
    theme = (ctk.get_appearance_mode(), str(mod.app.cget("fg_color")),
             str(mod.generate_button.cget("fg_color")), str(mod.generate_button.cget("text")))
    handle = quick_integrate_tracking(mod, "dall-e-3", tracker=tracker, process_method="generate",
                                      success_method="show_image", failure_method="show_error",
                                      params_getter=lambda: {"style": mod.style_menu.get()})
    assert handle.rewired >= 2  # the CTkButton's command attribute and the Tk button
    script = Script(mod.app)
    script.do(lambda: type_into(mod.prompt_entry, "a neon city"))
    script.do(mod.generate_button.invoke)
    script.do(lambda: type_into(mod.prompt_entry, "typed later"))
    script.until(count_records(tracker, 1))
    script.do(lambda: (type_into(mod.prompt_entry, "no [policy]"), mod.classic_button.invoke()))
    script.until(count_records(tracker, 2))
    script.do(lambda: (type_into(mod.prompt_entry, "too many"), api.plan.put("rate"),
                       mod.generate_button.invoke()))
    script.until(count_records(tracker, 3))
    script.until(lambda: is_shown(handle.rating_widget))
    script.run()
    success, policy, rate = records(tracker)
    assert (success.prompt, success.ai_model, success.model_parameters) == (
        "a neon city", "dall-e-3", {"style": "photo"})
    assert success.success and success.result_url.endswith("ctk_0.png")
    assert_failures(tracker, [policy, rate], [("no [policy]", "content_filter", POLICY_TEXT),
                                              ("too many", "rate_limit", RATE_TEXT)])
    assert theme == (ctk.get_appearance_mode(), str(mod.app.cget("fg_color")),
                     str(mod.generate_button.cget("fg_color")),
                     str(mod.generate_button.cget("text")))
    handle.remove()
    assert mod.generate_button._command is mod.generate
    assert not hasattr(mod.generate, "__wrapped__")


# -- 4. one start, several outcomes ------------------------------------------------------

def test_one_click_with_several_models_logs_each_outcome_with_the_inputs_at_the_click(
        tk_root, tracker, api, tmp_path, originals):
    from hosts.pool_app import MultiModelApp

    app = MultiModelApp(tk_root, str(tmp_path))
    app.pack(fill="both", expand=True)
    api.delay = 0.15
    handle = quick_integrate_tracking(
        app, "multi", tracker=tracker, process_method="generate_all",
        success_method="add_to_carousel", failure_method="job_failed",
        params_getter=lambda: {"quality": app.quality.get(), "models": app.selected_models()},
        model_getter=lambda *args: args[1] if len(args) == 3 else args[0])
    script = Script(tk_root)
    script.do(lambda: type_into(app.prompt_text, "a koi pond"))
    script.do(app.generate_button.invoke)
    script.do(lambda: type_into(app.prompt_text, "edited while the jobs run"))
    script.until(lambda: len(app.thumbs) == 2)
    script.do(lambda: (type_into(app.prompt_text, "second click [rate]"),
                       app.generate_button.invoke()))
    script.until(lambda: len(app.errors) == 2)
    script.until(count_records(tracker, 4))
    script.run()
    first = [r for r in records(tracker) if r.prompt == "a koi pond"]
    assert sorted(r.ai_model for r in first) == ["dall-e-2", "dall-e-3"]
    assert {r.result_url for r in first} == {path for _, path in app.thumbs}
    assert all(r.success and r.model_parameters == {"quality": "standard",
                                                   "models": ["dall-e-2", "dall-e-3"]}
               for r in first)
    second = [r for r in records(tracker) if r.prompt == "second click [rate]"]
    assert sorted(r.ai_model for r in second) == ["dall-e-2", "dall-e-3"]
    assert all(r.failure_reason == "rate_limit" for r in second)
    assert not any(r.metadata.get("unmatched") for r in records(tracker))
    handle.remove()


# -- 5 and 6. a start that starts nothing; the stars next to a large result ---------------

@pytest.mark.parametrize("app_class", ["PackedResultApp", "GriddedResultApp"])
def test_the_stars_stay_visible_under_a_result_larger_than_the_window(tk_root, tracker, api,
                                                                      tmp_path, originals,
                                                                      app_class, caplog):
    from hosts import big_result_app

    caplog.set_level(logging.INFO)
    tk_root.geometry("800x600+0+0")
    app = getattr(big_result_app, app_class)(tk_root, str(tmp_path))
    app.pack(fill="both", expand=True)
    before = looks([app.generate_button])
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker)
    script = Script(tk_root)
    script.do(lambda: (type_into(app.prompt_text, "a whale, full size"),
                       app.generate_button.invoke()))
    script.until(lambda: str(app.result_label.cget("image")))
    script.until(lambda: handle.rating_widget.record_id == handle.last_record_id)
    script.until(lambda: is_shown(handle.rating_widget), "the stars shown")
    script.run()
    [record] = records(tracker)
    assert record.success and record.prompt == "a whale, full size"
    assert app.result_label.winfo_reqheight() > tk_root.winfo_height()  # really too large
    stars = handle.rating_widget
    assert stars.winfo_rooty() >= app.result_label.winfo_rooty()  # under the result
    assert stars.winfo_rooty() + stars.winfo_height() <= tk_root.winfo_rooty() + 600
    assert looks([app.generate_button]) == before
    assert not [r for r in caplog.records if "no room" in r.getMessage()]
    handle.remove()
    assert not stars.winfo_exists()


def test_stars_the_layout_has_no_room_for_move_over_the_window_with_one_log_line(
        tk_root, tracker, api, tmp_path, originals, caplog):
    from hosts.big_result_app import PackedResultApp

    caplog.set_level(logging.INFO)
    banner = tk.Frame(tk_root, height=2000, width=200)  # the host's own tall header
    banner.pack()
    app = PackedResultApp(tk_root, str(tmp_path))
    app.pack()  # below the banner: off the bottom of the 600 px window
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker)
    script = Script(tk_root)
    script.do(lambda: (type_into(app.prompt_text, "a moth"), app.generate_button.invoke()))
    script.until(lambda: handle.rating_widget.record_id == handle.last_record_id)
    script.until(lambda: is_shown(handle.rating_widget), "the stars shown")
    script.run()
    assert handle.rating_widget.master is tk_root
    assert handle.prompter.mode == "inline"
    assert len([r for r in caplog.records if "no room" in r.getMessage()]) == 1
    assert banner.winfo_manager() == "pack" and app.winfo_manager() == "pack"
    handle.remove()
    assert not handle.rating_widget.winfo_exists()


@pytest.mark.parametrize("why", ["no prompt", "no key"])
def test_a_start_that_starts_nothing_leaves_nothing_pending(tk_root, tracker, api, tmp_path,
                                                            originals, why):
    from hosts.big_result_app import PackedResultApp

    app = PackedResultApp(tk_root, str(tmp_path), api_key="" if why == "no key" else "sk-x")
    app.pack()
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker)
    Script(tk_root).do(lambda: (type_into(app.prompt_text, "" if why == "no prompt" else "a cat"),
                                app.generate_button.invoke())).run()
    assert app.status.cget("text") != "Generating..."
    assert handle.pending == 0
    assert handle.expire_stale(time.monotonic() + 10_000) == 0  # no phantom timeout
    assert records(tracker) == []
    handle.remove()


def test_a_host_can_say_how_to_tell_a_start_started(tk_root, tracker, api, tmp_path, originals):
    from hosts.big_result_app import PackedResultApp

    app = PackedResultApp(tk_root, str(tmp_path))
    app.pack()
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker,
                                      did_start=lambda result: app.status.cget("text")
                                      == "Generating...")
    type_into(app.prompt_text, "")
    app.generate_button.invoke()
    assert handle.pending == 0
    type_into(app.prompt_text, "a started one")
    Script(tk_root).do(app.generate_button.invoke).until(count_records(tracker, 1)).run()
    assert records(tracker)[0].prompt == "a started one"
    handle.remove()


# -- 7. TrackingMixin ---------------------------------------------------------------------

def test_the_mixin_finds_a_container_and_logs_the_prompt_of_the_click(tk_root, tracker, api,
                                                                      tmp_path):
    from hosts.mixin_app import TrackedApp

    app = TrackedApp(tk_root, str(tmp_path), tracker)
    api.delay = 0.15
    script = Script(tk_root)
    script.do(lambda: (type_into(app.prompt_entry, "an origami crane"),
                       app.generate_button.invoke()))
    script.do(lambda: type_into(app.prompt_entry, "typed while it runs"))
    script.until(lambda: app.quality_rating_widget is not None
                 and app.quality_rating_widget.record_id == app.last_record_id)
    script.do(lambda: (type_into(app.prompt_entry, "refused [policy]"),
                       app.generate_button.invoke()))
    script.until(lambda: app.quality_rating_widget.record_id == app.last_record_id
                 and str(app.result_label.cget("text")))
    script.until(lambda: is_shown(app.quality_rating_widget))
    script.run()
    success, failure = records(tracker)
    assert (success.prompt, success.ai_model, success.model_parameters) == (
        "an origami crane", "dall-e-3", {"size": "128x128"})
    assert success.result_url.endswith("m_0.png")
    assert (failure.prompt, failure.failure_reason) == ("refused [policy]", "content_filter")
    widget = app.quality_rating_widget
    assert widget.record_id == failure.id
    assert str(widget.stars.cget("state")) == "disabled"
    assert widget.status.cget("text") == "Failed results are not rated"


def test_an_outcome_with_no_start_seen_uses_the_inputs_of_the_last_click(tk_root, tracker, api,
                                                                          tmp_path, originals):
    from hosts.queue_worker_app import QueueWorkerApp

    app = QueueWorkerApp(tk_root, str(tmp_path))
    app.pack()
    api.delay = 0.15
    handle = quick_integrate_tracking(app, "dall-e-3", tracker=tracker, process_method="enqueue",
                                      success_method="on_result", failure_method="on_error")
    script = Script(tk_root)
    script.do(lambda: (type_into(app.prompt_entry, "queued fox"), app.button.invoke()))
    script.do(lambda: type_into(app.prompt_entry, "edited meanwhile"))
    script.until(count_records(tracker, 1))
    script.run()
    [record] = records(tracker)
    assert (record.prompt, record.success) == ("queued fox", True)
    assert record.result_url == app.shown[0]
    handle.remove()
