"""The explicit style: the seed's "Example Integration Code" with `TrackingMixin`."""
from __future__ import annotations

import tkinter as tk
from tkinter import ttk

import pytest
from tk_events import click_star, gc_on_the_tk_thread  # noqa: F401  (fixture)

from prompt_tracking.integration import TrackingMixin

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")


def make_layout(master, tracker):
    class Layout(TrackingMixin, ttk.Frame):
        tracking_model = "seedream-4.0"

        def __init__(self, master):
            super().__init__(master)
            self.tracker = tracker
            self.prompt_text = tk.Text(self, height=2)
            self.prompt_text.grid(row=0, column=0)

        def get_params(self):
            return {"steps": 30}

        def after_processing(self, success, result_url=None, error_message=None):
            # The seed's pattern, written against the public tracker API.
            prompt = self.prompt_text.get("1.0", "end")
            if success:
                self.tracker.log_successful_prompt(prompt=prompt.strip(),
                                                   ai_model=self.tracking_model,
                                                   result_url=result_url, save_method="auto",
                                                   model_parameters=self.get_params())
                self.show_quality_rating(result_url)
            else:
                self.tracker.log_failed_prompt(prompt=prompt.strip(), ai_model=self.tracking_model,
                                               error_message=error_message,
                                               model_parameters=self.get_params())
    layout = Layout(master)
    layout.pack()
    return layout


def test_the_seed_pattern_logs_and_shows_a_rating_for_its_result(tk_root, tracker):
    layout = make_layout(tk_root, tracker)
    layout.prompt_text.insert("1.0", "a koi pond\n")
    layout.after_processing(True, "https://cdn.example/koi.png?token=abc123")
    widget = layout.quality_rating_widget
    assert widget.winfo_manager() == "grid"
    record = tracker.get_record(widget.record_id)
    assert (record.prompt, record.model_parameters) == ("a koi pond", {"steps": 30})
    widget.update()
    click_star(widget.stars, 5)
    assert tracker.get_record(record.id).quality_rating == 5
    layout.after_processing(False, error_message="Request Moderated")
    layout.after_processing(True, "/out/second.png")
    assert layout.quality_rating_widget is widget
    assert tracker.get_record(widget.record_id).result_url == "/out/second.png"
    layout.destroy()


def test_log_success_and_failure_read_the_prompt_widget(tk_root, tracker):
    layout = make_layout(tk_root, tracker)
    layout.prompt_text.insert("1.0", "an owl\n")
    ok = layout.log_success(result_url="/owl.png", parameters={"seed": 1})
    bad = layout.log_failure(error_message="Free allocated quota exceeded.")
    layout.last_record_id = None  # as if logged elsewhere: found among the recent records
    assert layout.show_quality_rating("/owl.png").record_id == ok  # found by its URL
    assert layout.show_quality_rating(record_id=ok).record_id == ok
    tracker.flush(5)
    assert tracker.get_record(ok).prompt == "an owl"
    assert tracker.get_record(bad).failure_reason == "quota_exceeded"
    layout.destroy()


def test_show_quality_rating_for_an_unknown_result_returns_none(tk_root, tracker):
    layout = make_layout(tk_root, tracker)
    assert layout.show_quality_rating("/never-logged.png") is None
    layout.destroy()
