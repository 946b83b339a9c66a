"""The log calls never raise, whatever a host passes; other calls reject bad arguments cleanly."""
from __future__ import annotations

import enum
import pathlib
from decimal import Decimal

import numpy as np
import pytest

from prompt_tracking.records import MAX_PROMPT_CHARS


class Colour(enum.Enum):
    RED = "red"


class Unprintable:
    def __str__(self):
        raise RuntimeError("no str for you")

    __repr__ = __str__


class FakeTkVar:
    """Stands in for tkinter.StringVar without a Tk interpreter (the duck-typed check)."""


@pytest.mark.parametrize("prompt", [None, "", 42, 3.5, b"bytes prompt", ["a", "b"], Unprintable(),
                                    "nul\x00inside", "emoji 🦊🌅", "lone \ud800 surrogate"])
def test_any_prompt_is_logged(tracker, prompt):
    rid = tracker.log_successful_prompt(prompt, "upscaler")
    record = tracker.get_record(rid)
    assert record is not None and isinstance(record.prompt, str)
    tracker.flush()
    assert tracker.get_record(rid).prompt == record.prompt


def test_nul_and_emoji_survive_the_database(tracker):
    rid = tracker.log_successful_prompt("a\x00b 🦊", "m")
    tracker.flush()
    assert tracker.get_record(rid).prompt == "a\x00b 🦊"


def test_huge_prompt_is_truncated_and_marked(tracker):
    rid = tracker.log_successful_prompt("x" * 1_000_000, "m")
    tracker.flush()
    record = tracker.get_record(rid)
    assert len(record.prompt) == MAX_PROMPT_CHARS
    assert record.metadata["truncated"] is True
    assert record.metadata["original_characters"] == 1_000_000


def test_odd_parameters_convert_without_losing_neighbours(tracker, tk_var=None):
    params = {
        "path": pathlib.Path("/tmp/in.png"), "colour": Colour.RED, "raw": b"\x89PNG....",
        "set": {3, 1, 2}, "np_int": np.int64(7), "np_float": np.float32(0.5),
        "np_array": np.array([1, 2]), "decimal": Decimal("1.5"), "bad": Unprintable(),
        "nan": float("nan"), "nested": {"deep": [1, {"x": pathlib.Path("a")}]}, 5: "int key",
        "steps": 20,
    }
    rid = tracker.log_successful_prompt("p", "m", model_parameters=params)
    tracker.flush()
    p = tracker.get_record(rid).model_parameters
    assert p["path"] == "/tmp/in.png" and p["colour"] == "red" and p["raw"] == "<8 bytes>"
    assert p["set"] == [1, 2, 3] and p["np_int"] == 7 and p["np_float"] == 0.5
    assert p["np_array"] == [1, 2] and p["decimal"] == "1.5" and p["nan"] == "nan"
    assert p["bad"].startswith("<unserializable")
    assert p["nested"] == {"deep": [1, {"x": "a"}]}
    assert p["5"] == "int key" and p["steps"] == 20


def test_tk_variables_are_read(tk_root, tracker):
    import tkinter as tk

    params = {"scale": tk.IntVar(tk_root, 4), "style": tk.StringVar(tk_root, "anime")}
    rid = tracker.log_successful_prompt("p", "m", model_parameters=params)
    assert tracker.get_record(rid).model_parameters == {"scale": 4, "style": "anime"}


@pytest.mark.parametrize("params", [None, "not a dict", 12, ["a"], Unprintable()])
def test_parameters_of_any_type(tracker, params):
    rid = tracker.log_failed_prompt("p", "m", "err", model_parameters=params)
    assert isinstance(tracker.get_record(rid).model_parameters, dict)


@pytest.mark.parametrize("kwargs", [
    {"ai_model": None}, {"ai_model": Unprintable()}, {"result_url": 123},
    {"save_method": "weird"}, {"duration": "slow"},
])
def test_odd_success_arguments(tracker, kwargs):
    args = {"prompt": "p", "ai_model": "m", **kwargs}
    rid = tracker.log_successful_prompt(**args)
    assert tracker.get_record(rid) is not None


@pytest.mark.parametrize("error", [None, "", ValueError("bad"), {"error": {"code": "x"}},
                                   Unprintable(), b"\xff\xfe", 404])
def test_any_error_value(tracker, error):
    rid = tracker.log_failed_prompt("p", "m", error, failure_reason="not-a-reason")
    record = tracker.get_record(rid)
    assert record.success is False and record.failure_reason is not None


def test_unknown_given_reason_is_kept_aside(tracker):
    rid = tracker.log_failed_prompt("p", "m", "x", failure_reason="gremlins")
    record = tracker.get_record(rid)
    assert record.metadata["given_failure_reason"] == "gremlins"


@pytest.mark.parametrize("rating", [0, 6, 7, -1, 3.5, "4", None, True])
def test_bad_rating_raises_and_writes_nothing(tracker, rating):
    rid = tracker.log_successful_prompt("p", "m")
    with pytest.raises(ValueError, match="rating"):
        tracker.rate_prompt(rid, rating)
    assert tracker.get_record(rid).quality_rating is None


@pytest.mark.parametrize("call", [
    lambda t: t.rate_prompt("nope", 3), lambda t: t.clear_rating("nope"),
    lambda t: t.mark_saved("nope"), lambda t: t.set_failure_reason("nope", "timeout"),
    lambda t: t.rate_prompt(None, 3),
])
def test_unknown_record_id_raises_key_error(tracker, call):
    with pytest.raises(KeyError, match="record_id"):
        call(tracker)


def test_other_bad_arguments(tracker):
    ok = tracker.log_successful_prompt("p", "m")
    bad = tracker.log_failed_prompt("p", "m", "x")
    with pytest.raises(ValueError, match="save_method"):
        tracker.mark_saved(ok, "sometimes")
    with pytest.raises(ValueError, match="failure_reason"):
        tracker.set_failure_reason(bad, "gremlins")
    with pytest.raises(ValueError, match="success"):
        tracker.set_failure_reason(ok, "timeout")
    with pytest.raises(ValueError, match="tags"):
        tracker.rate_prompt(ok, 3, tags="one string")
    assert tracker.get_record(ok).save_method == "auto"
    assert tracker.get_record(ok).quality_rating is None


def test_constructor_validates_caps(data_dir):
    from prompt_tracking import EnhancedPromptTracker

    with pytest.raises(ValueError, match="max_failed"):
        EnhancedPromptTracker(data_dir, max_failed=-3)
