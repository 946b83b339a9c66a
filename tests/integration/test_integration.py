"""quick_integrate_tracking() against real host shapes, a real tracker and a real Tk."""
from __future__ import annotations

import inspect
import logging
import threading
import tkinter as tk
from tkinter import ttk

import pytest
from integration_hosts import SeedLayout, SplitLayout, click, wait_until
from tk_events import click_star, gc_on_the_tk_thread  # noqa: F401  (fixture)

from prompt_tracking.integration import quick_integrate_tracking

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")


def records(tracker):
    tracker.flush(5)
    return list(tracker.records(newest_first=False))


@pytest.fixture
def seed(tk_root):
    layout = SeedLayout(tk_root)
    layout.pack()
    yield layout
    layout.destroy()


def integrate_seed(layout, tracker, **options):
    return quick_integrate_tracking(layout, "seedream-4.0",
                                    params_getter=lambda: {"steps": layout.steps.get()},
                                    tracker=tracker, **options)


def type_prompt(layout, text):
    layout.prompt_text.delete("1.0", "end")
    layout.prompt_text.insert("1.0", text + "\n")


def test_a_click_on_a_button_that_captured_the_start_method_is_tracked(seed, tracker, tmp_path):
    handle = integrate_seed(seed, tracker)
    assert handle.rewired == 2  # the button's command and the <Control-Return> binding
    type_prompt(seed, "a red fox in snow")
    seed.plan.put((True, str(tmp_path / "fox.png"), None))
    click(seed.generate_button)
    wait_until(seed, lambda: seed.reported)
    [record] = records(tracker)
    assert (record.prompt, record.ai_model, record.success) == ("a red fox in snow",
                                                                "seedream-4.0", True)
    assert record.model_parameters == {"steps": 30}
    assert record.result_url == str(tmp_path / "fox.png")
    assert handle.rating_widget.record_id == record.id == handle.last_record_id
    click_star(handle.rating_widget.stars, 4)
    assert tracker.get_record(record.id).quality_rating == 4


def test_a_key_binding_that_captured_the_start_method_is_tracked(seed, tracker):
    integrate_seed(seed, tracker)
    type_prompt(seed, "bound to a key")
    seed.plan.put((False, None, "429 Too Many Requests You've exceeded the rate limits"))
    seed.prompt_text.focus_force()
    seed.update()
    seed.prompt_text.event_generate("<Control-Return>")
    wait_until(seed, lambda: seed.reported)
    [record] = records(tracker)
    assert (record.prompt, record.success) == ("bound to a key", False)
    assert "429" in record.error_message


def test_a_menu_entry_that_captured_the_start_method_is_tracked(seed, tracker, tk_root):
    menu = tk.Menu(tk_root, tearoff=False)
    menu.add_command(label="Generate", command=seed.process_model)
    handle = integrate_seed(seed, tracker)
    assert handle.rewired == 3
    seed.plan.put((True, "https://cdn.example/x.png", None))
    menu.invoke(0)
    wait_until(seed, lambda: seed.reported)
    assert records(tracker)[0].result_url == "https://cdn.example/x.png"


def test_remove_restores_methods_commands_and_bindings(seed, tracker):
    command = str(seed.generate_button.cget("command"))
    binding = seed.prompt_text.bind("<Control-Return>")
    original_start = seed.process_model
    handle = integrate_seed(seed, tracker)
    assert str(seed.generate_button.cget("command")) != command
    assert "process_model" in vars(seed)
    handle.remove()
    assert "process_model" not in vars(seed) and "after_processing" not in vars(seed)
    assert seed.process_model == original_start
    assert str(seed.generate_button.cget("command")) == command
    assert seed.prompt_text.bind("<Control-Return>") == binding
    assert not handle.rating_widget.winfo_exists()
    seed.plan.put((True, "u", None))
    click(seed.generate_button)
    wait_until(seed, lambda: seed.reported)
    assert records(tracker) == []


def test_wrappers_keep_name_doc_signature_and_return_value(seed, tracker):
    signature = inspect.signature(seed.after_processing)
    handle = integrate_seed(seed, tracker)
    assert seed.process_model.__name__ == "process_model"
    assert seed.process_model.__doc__ == "Start one generation."
    assert inspect.signature(seed.after_processing) == signature
    seed.plan.put((True, "u", None))
    assert seed.process_model() == "started"
    assert seed.after_processing(True, "u") == "shown"
    assert integrate_seed(seed, tracker) is handle  # twice: a no-op
    assert seed.process_model.__wrapped__ == SeedLayout.process_model.__get__(seed)


def test_split_handlers_on_worker_threads(tk_root, tracker, tmp_path):
    layout = SplitLayout(tk_root)
    layout.pack()
    handle = quick_integrate_tracking(layout, "seededit-3.0", tracker=tracker,
                                      process_method="generate", success_method="on_images_ready",
                                      failure_method="on_error")
    layout.prompt_entry.insert(0, "make it night")
    layout.plan.put((0, "ok", {"images": [{"url": str(tmp_path / "night.png")}]}))
    layout.run_button.invoke()
    wait_until(tk_root, lambda: handle.rating_widget.record_id is not None)
    layout.plan.put((0, "err", TimeoutError("[Errno 110] Operation timed out")))
    layout.run_button.invoke()
    wait_until(tk_root, lambda: layout.errors and handle.pending == 0)
    ok, failed = records(tracker)
    assert ok.result_url == str(tmp_path / "night.png") and ok.prompt == "make it night"
    assert handle.rating_widget.record_id == ok.id
    assert not failed.success and "timed out" in failed.error_message
    assert failed.failure_reason == "timeout"
    assert layout.results == [{"images": [{"url": str(tmp_path / "night.png")}]}]
    layout.destroy()


def test_two_overlapping_generations_keep_their_own_prompt_and_parameters(tk_root, tracker):
    layout = SplitLayout(tk_root)
    layout.pack()
    params = {"seed": 1}
    handle = quick_integrate_tracking(layout, "wan2.2-t2v", params_getter=lambda: dict(params),
                                      tracker=tracker, process_method="generate",
                                      success_method="on_images_ready", failure_method="on_error",
                                      rating="off")
    layout.prompt_entry.insert(0, "slow one")
    layout.plan.put((0.4, "ok", "/out/slow.mp4"))
    layout.generate()
    layout.prompt_entry.delete(0, "end")
    layout.prompt_entry.insert(0, "fast one")
    params["seed"] = 2
    layout.plan.put((0.05, "ok", ["/out/fast.mp4"]))
    layout.generate()
    wait_until(tk_root, lambda: len(layout.results) == 2 and handle.pending == 0)
    by_prompt = {r.prompt: r for r in records(tracker)}
    assert by_prompt["slow one"].result_url == "/out/slow.mp4"
    assert by_prompt["slow one"].model_parameters == {"seed": 1}
    assert by_prompt["fast one"].result_url == "/out/fast.mp4"
    assert by_prompt["fast one"].model_parameters == {"seed": 2}
    layout.destroy()


def test_outcomes_through_after_are_matched_first_in_first_out(seed, tracker):
    # Reported on the Tk thread with no id, outcomes can only be matched in start order.
    handle = integrate_seed(seed, tracker)
    seed.gate.clear()  # hold both workers so both starts are pending
    for prompt, url, delay in (("first", "/a.png", 0), ("second", "/b.png", 0.2)):
        type_prompt(seed, prompt)
        seed.plan.put((True, url, None, delay))
        seed.process_model()
    assert handle.pending == 2
    seed.gate.set()
    wait_until(seed, lambda: len(seed.reported) == 2)
    assert {r.prompt: r.result_url for r in records(tracker)} == {"first": "/a.png",
                                                                  "second": "/b.png"}


def test_a_start_that_raises_is_logged_and_the_exception_passes_unchanged(tk_root, tracker):
    error = ValueError("size must be one of 256x256, 512x512, or 1024x1024")

    class Host(ttk.Frame):
        prompt = "a cat"

        def process_model(self):
            raise error

        def after_processing(self, success, result_url=None, error_message=None):
            pass

    host = Host(tk_root)
    handle = quick_integrate_tracking(host, "seedream-4.0", tracker=tracker, rating="off")
    with pytest.raises(ValueError) as caught:
        host.process_model()
    assert caught.value is error
    [record] = records(tracker)
    assert (record.prompt, record.success) == ("a cat", False)
    assert record.failure_reason == "invalid_parameters"
    assert record.metadata["raised_by_start"] is True
    assert handle.pending == 0
    host.destroy()


def test_a_generation_that_never_reports_expires_as_a_timeout(seed, tracker):
    handle = integrate_seed(seed, tracker, pending_timeout=0.2)
    seed.gate.clear()
    seed.plan.put((True, "never", None))
    type_prompt(seed, "lost in the queue")
    seed.process_model()
    assert handle.pending == 1
    wait_until(seed, lambda: handle.pending == 0, timeout=3)
    [record] = records(tracker)
    assert (record.prompt, record.success, record.failure_reason) == ("lost in the queue", False,
                                                                      "timeout")
    assert record.metadata["expired"] is True
    seed.gate.set()


def test_a_start_returning_false_started_nothing(seed, tracker):
    handle = integrate_seed(seed, tracker)
    seed.__dict__["process_model"] = lambda: False  # host's own validation said no
    handle.remove()
    handle = integrate_seed(seed, tracker)
    assert seed.process_model() is False
    assert handle.pending == 0


def test_outcome_reported_inside_the_start_call(tk_root, tracker):
    class Sync(ttk.Frame):
        def process_model(self):
            self.after_processing(False, error_message="Request Moderated")

        def after_processing(self, success, result_url=None, error_message=None):
            pass

    host = Sync(tk_root)
    quick_integrate_tracking(host, "flux", lambda: "x", tracker=tracker, rating="off")
    host.process_model()
    [record] = records(tracker)
    assert record.failure_reason == "content_filter"
    host.destroy()


@pytest.mark.parametrize("use_grid, manager", [(True, "grid"), (False, "pack")])
def test_the_rating_widget_uses_the_parents_geometry_manager_and_is_reused(
        tk_root, tracker, use_grid, manager):
    layout = SeedLayout(tk_root, use_grid=use_grid)
    layout.pack()
    handle = integrate_seed(layout, tracker)
    widget = handle.rating_widget
    assert widget.winfo_manager() == manager
    for count, url in enumerate(("/1.png", "/2.png"), 1):
        layout.plan.put((True, url, None))
        layout.process_model()
        wait_until(layout, lambda: len(layout.reported) == count)
    assert handle.rating_widget is widget
    assert tracker.get_record(widget.record_id).result_url == "/2.png"
    layout.destroy()


def test_rating_parent_receives_the_widget(seed, tracker, tk_root):
    side = ttk.Frame(tk_root)
    side.pack()
    handle = integrate_seed(seed, tracker, rating_parent=side)
    assert handle.rating_widget.master is side


@pytest.mark.parametrize("getter, expected", [
    (lambda: None, ""),
    (lambda: "a tree\n", "a tree"),
    (lambda: 42, "42"),
])
def test_prompt_getter_results_are_cleaned(seed, tracker, getter, expected):
    quick_integrate_tracking(seed, "m", getter, tracker=tracker, rating="off")
    seed.plan.put((True, "u", None))
    seed.process_model()
    wait_until(seed, lambda: seed.reported)
    assert records(tracker)[0].prompt == expected


def test_a_failing_params_getter_logs_no_parameters_and_warns_once(seed, tracker, caplog):
    def broken():
        raise RuntimeError("widget gone")
    quick_integrate_tracking(seed, "m", params_getter=broken, tracker=tracker, rating="off")
    with caplog.at_level(logging.WARNING, logger="prompt_tracking.integration.quick"):
        for _ in range(2):
            seed.plan.put((True, "u", None))
            seed.process_model()
        wait_until(seed, lambda: len(seed.reported) == 2)
    assert [r.model_parameters for r in records(tracker)] == [{}, {}]
    assert len([r for r in caplog.records if "parameters getter" in r.getMessage()]) == 1


def test_tracking_errors_never_reach_the_host(seed, caplog):
    class BrokenTracker:
        def __getattr__(self, name):
            raise OSError("disk on fire")

    quick_integrate_tracking(seed, "m", tracker=BrokenTracker(), rating="off")
    seed.plan.put((True, "u", None))
    assert seed.process_model() == "started"
    wait_until(seed, lambda: seed.reported)
    assert seed.after_processing(False, None, "boom") == "shown"
    assert "logging failed" in caplog.text


@pytest.mark.parametrize("kwargs, message", [
    ({"rating": "popup"}, "rating"),
    ({"process_method": "nope"}, "nope"),
    ({"after_method": None, "success_method": "missing"}, "missing"),
])
def test_bad_arguments_are_reported_at_integration(seed, tracker, kwargs, message):
    with pytest.raises(ValueError, match=message):
        quick_integrate_tracking(seed, "m", tracker=tracker, **kwargs)
    assert "process_model" not in vars(seed)


def test_an_outcome_from_a_plain_thread_without_any_start_reads_the_prompt_on_the_tk_thread(
        seed, tracker):
    handle = integrate_seed(seed, tracker)
    type_prompt(seed, "unsolicited")
    thread = threading.Thread(target=seed.after_processing, args=(True, "/late.png"))
    thread.start()
    thread.join()
    wait_until(seed, lambda: handle.last_record_id is not None)
    [record] = records(tracker)
    assert (record.prompt, record.metadata["unmatched"]) == ("unsolicited", True)


def test_result_and_error_getters_override_the_extraction(tk_root, tracker):
    layout = SplitLayout(tk_root)
    handle = quick_integrate_tracking(
        layout, "m", lambda: "p", tracker=tracker, process_method="generate",
        success_method="on_images_ready", failure_method="on_error", rating="off",
        result_getter=lambda response: response["artifacts"][1]["path"],
        error_getter=lambda error: f"wrapped: {error['why']}")
    layout.plan.put((0, "ok", {"artifacts": [{"path": "/a"}, {"path": "/b"}]}))
    layout.generate()
    layout.plan.put((0, "err", {"why": "Request Moderated"}))
    layout.generate()
    wait_until(tk_root, lambda: layout.errors and layout.results and handle.pending == 0)
    ok, failed = sorted(records(tracker), key=lambda r: r.success, reverse=True)
    assert ok.result_url == "/b"
    assert failed.error_message == "wrapped: Request Moderated"
    layout.destroy()


def test_partials_and_bind_all_that_captured_the_start_method_are_rewired(seed, tracker, tk_root):
    import functools

    extra = ttk.Button(seed, text="Again", command=functools.partial(seed.process_model, None))
    extra.pack()
    tk_root.bind_all("<F5>", seed.process_model)
    handle = integrate_seed(seed, tracker)
    assert handle.rewired == 4
    seed.plan.put((True, "/p.png", None))
    extra.invoke()
    seed.plan.put((True, "/f5.png", None))
    seed.generate_button.focus_force()
    seed.update()
    seed.generate_button.event_generate("<F5>")
    wait_until(seed, lambda: len(seed.reported) == 2)
    assert sorted(r.result_url for r in records(tracker)) == ["/f5.png", "/p.png"]
    handle.remove()
    assert "process_model" in tk_root.bind_all("<F5>")
    tk_root.unbind_all("<F5>")


def test_dialog_mode_uses_the_prompter_and_adds_no_inline_widget(seed, tracker):
    handle = integrate_seed(seed, tracker, rating="dialog")
    assert handle.rating_widget is None and handle.prompter.mode == "dialog"
