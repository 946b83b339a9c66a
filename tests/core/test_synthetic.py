"""The synthetic history: deterministic, realistic in shape, and carrying the planted patterns."""
from __future__ import annotations

import statistics
import time

import pytest

from prompt_tracking.records import FailureReason, SaveMethod, prompt_metadata
from prompt_tracking.synthetic.history import DEFAULT_START, fill_store, generate_records
from prompt_tracking.synthetic import vocab as V


@pytest.fixture(scope="module")
def history():
    return generate_records(6000, seed=11)


def test_same_seed_gives_the_same_history():
    first = [r.to_dict() for r in generate_records(300, seed=5)]
    assert first == [r.to_dict() for r in generate_records(300, seed=5)]
    assert first != [r.to_dict() for r in generate_records(300, seed=6)]


def test_gives_exactly_n_records_in_time_order_from_start():
    records = generate_records(250, seed=1, start=1_000_000.0)
    assert len(records) == 250
    assert [r.timestamp for r in records] == sorted(r.timestamp for r in records)
    assert records[0].timestamp > 1_000_000.0
    assert generate_records(0) == []
    assert generate_records(10)[0].timestamp > DEFAULT_START


def test_models_can_be_restricted_and_unknown_ones_are_refused():
    records = generate_records(200, seed=2, models=["wan2.2-t2v"])
    assert {r.ai_model for r in records} == {"wan2.2-t2v"}
    with pytest.raises(ValueError):
        generate_records(10, models=["dall-e-9"])
    with pytest.raises(ValueError):
        generate_records(-1)


def test_records_are_well_formed(history):
    reasons = {m.value for m in FailureReason}
    methods = {m.value for m in SaveMethod}
    for r in history:
        expected = prompt_metadata(r.prompt, r.model_parameters)
        assert {k: r.metadata[k] for k in expected} == expected
        assert r.metadata["session_id"]
        assert r.quality_rating is None or 1 <= r.quality_rating <= 5
        if r.success:
            assert r.result_url and r.save_method in methods and r.failure_reason is None
        else:
            assert r.failure_reason in reasons and r.error_message and r.quality_rating is None
            assert {"error_code", "http_status", "provider"} <= set(r.metadata)


def test_each_model_has_its_own_parameters(history):
    by_model = {}
    for r in history:
        by_model.setdefault(r.ai_model, set()).update(r.model_parameters)
    assert {"steps", "guidance_scale", "width", "height"} <= by_model["seedream-4.0"]
    assert "strength" in by_model["seededit-3.0"]
    assert {"duration", "size"} <= by_model["wan2.2-t2v"]
    assert "scale" in by_model["real-esrgan-x4"]
    assert all(r.prompt == "" for r in history if r.ai_model == "real-esrgan-x4")
    assert any("negative_prompt" in r.model_parameters for r in history)


def test_history_has_sessions_retries_user_saves_tags_and_feedback(history):
    assert len({r.metadata["session_id"] for r in history}) > 100
    assert any(r.save_method == "user_save" for r in history)
    assert any(r.tags for r in history) and any(r.feedback for r in history)
    retries = [(a, b) for a, b in zip(history, history[1:])
               if not a.success and b.ai_model == a.ai_model
               and b.metadata["session_id"] == a.metadata["session_id"] and b.prompt != a.prompt]
    assert len(retries) > 100


def test_planted_content_filter_terms_are_mostly_blocked(history):
    for term in V.CONTENT_FILTER_TERMS:
        with_term = [r for r in history if term in r.prompt]
        blocked = sum(r.failure_reason == "content_filter" for r in with_term)
        assert len(with_term) >= 20 and blocked / len(with_term) > 0.6
    clean = [r for r in history if r.prompt and not any(t in r.prompt for t in V.CONTENT_FILTER_TERMS)]
    assert sum(r.failure_reason == "content_filter" for r in clean) == 0


def test_planted_parameter_limits_fail(history):
    seedream = [r for r in history if r.ai_model == "seedream-4.0"]
    high = [r for r in seedream if r.model_parameters["guidance_scale"] > V.GUIDANCE_LIMIT]
    normal = [r for r in seedream if r.model_parameters["guidance_scale"] <= 9]
    invalid = lambda rs: sum(r.failure_reason == "invalid_parameters" for r in rs) / len(rs)  # noqa: E731
    assert invalid(high) > 0.5 > 0.05 > invalid(normal)
    many_steps = [r for r in seedream if r.model_parameters["steps"] > V.STEPS_LIMIT]
    assert sum(r.failure_reason == "timeout" for r in many_steps) / len(many_steps) > 0.3


def test_golden_hour_is_rated_higher(history):
    def mean_rating(records):
        return statistics.mean(r.quality_rating for r in records if r.quality_rating is not None)
    golden = [r for r in history if V.HIGH_RATING_TERM in r.prompt]
    other = [r for r in history if r.prompt and V.HIGH_RATING_TERM not in r.prompt]
    assert mean_rating(golden) > mean_rating(other) + 0.5


def test_fill_store_bulk_inserts_through_import_records():
    class FakeTracker:
        def __init__(self):
            self.got = []

        def import_records(self, records):
            self.got.extend(records)
            return len(self.got)

    tracker = FakeTracker()
    before = time.time()
    assert fill_store(tracker, 40, seed=3) == 40
    plain = generate_records(40, seed=3)
    shift = tracker.got[0].timestamp - plain[0].timestamp
    assert before - 120 < max(r.timestamp for r in tracker.got) < time.time()  # ends just now
    for got, expected in zip(tracker.got, plain):
        assert got.timestamp - expected.timestamp == pytest.approx(shift)  # spacing kept
        assert {**got.to_dict(), "timestamp": 0} == {**expected.to_dict(), "timestamp": 0}
    with pytest.raises(TypeError):
        fill_store(object(), 5)
