"""The layered categorizer: deciding layer and evidence, the shipped fallback, the shipped corpus, grouped CV."""
from __future__ import annotations

import collections
import subprocess
import sys

import pytest

from benchmarks.eval_failures import MESSAGES, evaluate, grouped_cv, load_corpus
from prompt_tracking.failures import statistical
from prompt_tracking.failures.categorize import describe_failure
from prompt_tracking.records import FailureReason

ENTRIES = load_corpus(MESSAGES)


@pytest.mark.parametrize(("message", "layer", "evidence", "reason"), [
    ("HTTP 429", "http_status", "derived from HTTP 429", FailureReason.RATE_LIMIT),
    ("Error: 402 Insufficient Balance", "phrase", "phrase: insufficient balance", FailureReason.QUOTA_EXCEEDED),
    ('{"error": {"code": "insufficient_quota"}}', "provider_code", "code insufficient_quota",
     FailureReason.QUOTA_EXCEEDED),
    ("积分不足，请充值", "phrase", None, FailureReason.QUOTA_EXCEEDED),
    ("Processing interrupted", "phrase", None, FailureReason.SERVER_ERROR),
])
def test_describe_names_the_deciding_layer_and_its_evidence(message, layer, evidence, reason):
    info = describe_failure(message)
    assert (info.reason, info.layer) == (reason, layer)
    assert evidence is None or info.evidence == evidence
    assert 0.0 < info.confidence <= 1.0


def test_sdk_exception_class_decides_when_the_text_is_silent():
    class TransportHiccup(ConnectionError):
        pass
    info = describe_failure(TransportHiccup("boom"))
    assert (info.reason, info.layer) == (FailureReason.NETWORK_ERROR, "sdk_class")
    assert info.evidence == "exception class ConnectionError"


def test_unknown_has_no_layer_and_zero_confidence():
    info = describe_failure("Oops")
    assert (info.reason, info.layer, info.confidence, info.evidence) == (FailureReason.UNKNOWN, "none", 0.0, "")
    vague = describe_failure("Something went wrong")
    assert (vague.reason, vague.layer) == (FailureReason.UNKNOWN, "phrase")


def test_shipped_model_loads_from_the_package_and_predicts_a_reason():
    statistical.reset_model()
    model = statistical.shipped_model()
    assert model is not None and len(model.index) > 1000
    assert set(model.classes) <= {reason.value for reason in FailureReason}
    assert model.predict("zzzz qqqq") is None or model.predict("zzzz qqqq")[0] in model.classes


def test_fallback_decides_only_when_rules_are_silent(monkeypatch):
    fitted = statistical.fit(["blorp flux wobble failure"] * 3 + ["other thing entirely"] * 3,
                             ["timeout"] * 3 + ["unknown"] * 3)
    monkeypatch.setattr(statistical, "MIN_PROBABILITY", 0.0)
    statistical.use_model(fitted)
    try:
        assert describe_failure("blorp flux wobble").layer == "statistical"
        assert describe_failure("blorp flux wobble: rate limit exceeded").layer == "phrase"
    finally:
        statistical.reset_model()


def test_a_missing_model_only_silences_the_fallback():
    statistical.use_model(None)
    try:
        assert describe_failure("Request timed out").reason is FailureReason.TIMEOUT
    finally:
        statistical.reset_model()


def test_importing_the_categorizer_does_not_import_numpy():
    code = "import sys, prompt_tracking.failures; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_shipped_corpus_is_large_sourced_and_from_many_providers():
    assert len(ENTRIES) >= 600
    assert all(entry["source"].strip() and entry["message"].strip() for entry in ENTRIES)
    assert {entry["expected"] for entry in ENTRIES} == {reason.value for reason in FailureReason}
    assert len({entry["provider"] for entry in ENTRIES if entry["provider"]}) >= 40
    assert any(not entry["message"].isascii() for entry in ENTRIES)
    # One sealed set at a time: final5 is sealed; final..final4 were scored once each and are now dev
    # rows that keep their history in `sealed`.
    assert {entry["split"] for entry in ENTRIES} == {"dev", "final5"}
    sealed = [entry for entry in ENTRIES if entry["split"] == "final5"]
    assert len(sealed) >= 100 and not any("sealed" in entry for entry in sealed)
    dev_providers = {entry["provider"] for entry in ENTRIES if entry["split"] == "dev"}
    assert not dev_providers & {entry["provider"] for entry in sealed}  # grouped by provider
    retired = collections.Counter(entry.get("sealed") for entry in ENTRIES if entry["split"] == "dev")
    assert {name: retired[name] for name in ("final", "final2", "final3", "final4")} == {
        "final": 103, "final2": 102, "final3": 103, "final4": 100}


def test_grouped_cv_never_fits_on_the_provider_it_scores(monkeypatch):
    sample = [entry for entry in ENTRIES if entry["split"] == "dev"][:120]
    real_fit = statistical.fit_features
    fitted_on: list[int] = []

    def recording_fit(grams, labels, *args, **kwargs):
        fitted_on.append(len(labels))
        return real_fit(grams, labels, *args, **kwargs)

    monkeypatch.setattr(statistical, "fit_features", recording_fit)
    result = grouped_cv(sample)
    sizes = collections.Counter(entry.get("provider") or "none" for entry in sample)
    assert sorted(fitted_on) == sorted(len(sample) - n for n in sizes.values())
    assert result["total"] == len(sample)
    assert statistical.shipped_model() is not None  # the shipped model is back after CV


def test_shipped_model_scores_its_training_set_well():
    # A training-set figure (the fallback was fitted on dev): it guards against a broken model file.
    # The sealed set (final5) is never scored here: it is scored once, by hand.
    assert evaluate([entry for entry in ENTRIES if entry["split"] == "dev"])["accuracy"] >= 0.9


def test_too_many_requests_does_not_name_the_requests_library():
    assert describe_failure("HTTP 429 Too Many Requests").provider is None
    assert describe_failure("requests.exceptions.ReadTimeout: read timed out").provider == "requests"


def test_the_tracker_keeps_how_a_reason_was_derived(tracker):
    record_id = tracker.log_failed_prompt("a fox", "m", error_message="HTTP 429 Too Many Requests")
    tracker.log_failed_prompt("a fox", "m", error_message="x", failure_reason="timeout")
    tracker.flush()
    meta = tracker.get_record(record_id).metadata
    assert meta["failure_layer"] in {"phrase", "http_status"}
    assert meta["failure_evidence"] and 0 < meta["failure_confidence"] <= 1
