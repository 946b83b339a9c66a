"""Analytics computed by SQL aggregates give the same answers as the record path.

Every test builds a real SQLite store through the tracker, then compares the database
sections field by field (as JSON, so order counts too) with `compute_analytics` on the
same records as a plain list (the record path).
"""
from __future__ import annotations

import json

import pytest

from prompt_tracking.analytics.analysis import compute_analytics, load_records
from prompt_tracking.analytics.db_source import database_sections
from prompt_tracking.analytics.sql import Filters
from prompt_tracking.records import PromptRecord, prompt_metadata
from prompt_tracking.synthetic.history import generate_records
from prompt_tracking.tracker import EnhancedPromptTracker

SECTIONS = ("overview", "quality", "failures", "usage", "parameters", "patterns")


def _tracker(tmp_path, records):
    tracker = EnhancedPromptTracker(tmp_path / "store", max_successful=None, max_failed=None)
    tracker.import_records(records)
    tracker.flush()
    return tracker


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    records = generate_records(4000, seed=7)
    tracker = _tracker(tmp_path_factory.mktemp("synthetic"), records)
    yield tracker, list(tracker.records())
    tracker.close()


def _as_json(analytics_or_sections) -> dict[str, str]:
    data = analytics_or_sections
    if hasattr(data, "to_dict"):
        data = data.to_dict()
    else:
        from dataclasses import asdict
        data = {k: [asdict(x) for x in v] if isinstance(v, list) else asdict(v)
                for k, v in data.items()}
    return {k: json.dumps(data[k]) for k in SECTIONS}


def _filters(**kw):
    models = tuple(sorted(kw["models"])) if kw.get("models") is not None else None
    return Filters(models, kw.get("since"), kw.get("until"), kw.get("outcome"))


def _compare(tracker, records, min_samples=30, **kw):
    sections = database_sections(tracker, _filters(**kw), min_samples=min_samples)
    assert sections is not None, "the database path was not used"
    expected = compute_analytics(load_records(records, **kw), min_samples=min_samples, **kw)
    new, old = _as_json(sections), _as_json(expected)
    for name in SECTIONS:
        assert json.loads(new[name]) == json.loads(old[name]), name
        assert new[name] == old[name], f"{name}: same values, different order"


@pytest.mark.parametrize("kw", [
    {},
    {"outcome": "failure"},
    {"outcome": "success"},
    {"models": ["seedream-4.0", "wan-2.2"]},
    {"models": []},
    {"models": ["no-such-model"]},
])
def test_same_answers_as_the_record_path(synthetic, kw):
    tracker, records = synthetic
    _compare(tracker, records, **kw)


def test_same_answers_in_a_time_window_and_with_small_groups(synthetic):
    tracker, records = synthetic
    times = sorted(r.timestamp for r in records)
    since, until = times[len(times) // 4], times[3 * len(times) // 4]
    _compare(tracker, records, since=since, until=until)
    _compare(tracker, records, since=since, until=until, outcome="failure", min_samples=5)
    _compare(tracker, records, min_samples=3)
    _compare(tracker, records, min_samples=500)


def test_tracker_analytics_uses_the_database_and_keeps_its_public_shape(synthetic):
    tracker, records = synthetic
    via_tracker = tracker.analytics(outcome="failure").to_dict()
    via_list = compute_analytics(records, outcome="failure").to_dict()
    for d in (via_tracker, via_list):
        d.pop("generated_at")
    assert via_tracker == via_list
    assert json.loads(tracker.analytics().to_json())["overview"]["total"] == len(records)


def _record(i, t, prompt, model="m1", ok=True, **extra):
    params = extra.pop("params", {"steps": 20 + i % 3, "sampler": "euler" if i % 2 else "ddim"})
    meta = prompt_metadata(prompt, params)
    meta.update(extra.pop("meta", {}), session_id=f"s{i // 5}")
    return PromptRecord(id=f"r{i:04d}", timestamp=t, prompt=prompt, ai_model=model, success=ok,
                        model_parameters=params, failure_reason=None if ok else "timeout",
                        metadata=meta, **extra)


def test_equal_timestamps_fall_back_to_the_exact_record_order(tmp_path):
    # Two models whose newest records share a timestamp: only the ids order them.
    records = [_record(i, 1_700_000_000.0 + i // 2, f"red fox {i}", f"m{i % 2}", ok=i % 3 > 0)
               for i in range(40)]
    tracker = _tracker(tmp_path, records)
    try:
        assert database_sections(tracker, Filters(), min_samples=30) is None
        got = tracker.analytics().to_dict()
        want = compute_analytics(list(tracker.records())).to_dict()
        got.pop("generated_at"), want.pop("generated_at")
        assert json.dumps(got) == json.dumps(want)
    finally:
        tracker.close()


def test_odd_metadata_and_parameters_give_the_record_path_answer(tmp_path):
    records = [_record(i, 1_700_000_000.0 + 7 * i, "city, neon, night" if i % 4 else "",
                       ok=i % 5 > 0, quality_rating=(i % 5) + 1 if i % 2 else None,
                       params={"steps": 20 if i % 3 else 30.0, "flag": bool(i % 2),
                               "mixed": "5" if i % 2 else 5, "nested": {"a": i},
                               "Seed": i, "none": None})
               for i in range(60)]
    records[3].metadata["words"] = "many"  # text where the Python path coerces numbers
    records[4].metadata.update(error_code=429, http_status="429", provider=None)
    tracker = _tracker(tmp_path, records)
    try:
        got = tracker.analytics(min_samples=5).to_dict()
        want = compute_analytics(list(tracker.records()), min_samples=5).to_dict()
        got.pop("generated_at"), want.pop("generated_at")
        assert json.dumps(got) == json.dumps(want)
        del records[3].metadata["words"]
        clean = _tracker(tmp_path / "clean", records)
        try:
            _compare(clean, list(clean.records()), min_samples=5)
        finally:
            clean.close()
    finally:
        tracker.close()


def test_empty_store(tmp_path):
    tracker = _tracker(tmp_path, [])
    try:
        _compare(tracker, [])
    finally:
        tracker.close()


def test_lists_and_record_sources_keep_the_record_path():
    records = generate_records(50, seed=1)
    assert database_sections(records, Filters(), min_samples=30) is None

    class Source:
        def records(self, **_):
            return iter(records)

    assert database_sections(Source(), Filters(), min_samples=30) is None


def test_parameters_of_every_json_kind_give_the_record_path_answer(tmp_path):
    # Folded in Python from the JSON text: big ints, floats, unicode and seed-like names,
    # numbers as text, lists, a parameter distinct on every record (an identifier).
    records = []
    for i in range(240):
        params = {"steps": [10, 20, 30, 40, 50, 60, 70][i % 7], "cfg": round(1.5 + (i % 11) * 0.7, 2),
                  "big": 2 ** 70 + i % 3, "größe": "groß" if i % 3 else "klein",
                  "jitter": i * 0.001 + 0.5, "RandomSeed": i * 7919, "tiles": [i % 2, 1],
                  "strength": "0.5" if i % 4 == 0 else 0.5, "on": i % 5 == 0}
        if i % 9 == 0:
            params.pop("cfg")  # unset on some records
        records.append(_record(i, 1_700_000_000.0 + 13 * i, f"portrait, soft light {i % 17}",
                               model=f"m{i % 2}", ok=(i * 7) % 10 > 2,
                               quality_rating=(i % 5) + 1 if i % 3 else None, params=params))
    tracker = _tracker(tmp_path, records)
    try:
        for min_samples in (5, 30):
            _compare(tracker, list(tracker.records()), min_samples=min_samples)
    finally:
        tracker.close()
