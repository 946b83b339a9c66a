"""The risk model and its learners: hand-checked metrics, abstention, and the planted patterns."""
from __future__ import annotations

import json

import numpy as np
import pytest

from prompt_tracking.analytics.analysis import assess_prompt, format_assessment_text
from prompt_tracking.risk.learn import SoftmaxModel, SparseRows, auc, fit_linear
from prompt_tracking.records import PromptRecord, prompt_metadata
from prompt_tracking.risk.model import RiskModel
from prompt_tracking.synthetic.history import generate_records


def rec(i, prompt, model="m1", ok=True, reason=None):
    return PromptRecord(id=f"r{i}", timestamp=1_700_000_000.0 + i, prompt=prompt, ai_model=model,
                        success=ok, failure_reason=None if ok else reason,
                        error_message=None if ok else f"{reason}!",
                        metadata=dict(prompt_metadata(prompt), session_id="s"))


@pytest.mark.parametrize("scores, labels, expected", [
    ([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75),
    ([0.5, 0.5, 0.5, 0.5], [0, 0, 1, 1], 0.5),  # ties count half
    ([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0], 1.0),
    ([0.3, 0.2], [1, 1], None),  # one class only
])
def test_auc_by_hand(scores, labels, expected):
    assert auc(np.array(scores), np.array(labels)) == expected


def test_logistic_and_ridge_learn_a_simple_rule():
    rows = SparseRows.from_lists([[0], [1], [0], [1], [0, 2], [1, 2]] * 20)
    y = np.array([1, 0, 1, 0, 1, 0] * 20, dtype=float)
    p = fit_linear(rows, y, 3, logistic=True, iterations=300).predict(rows)
    assert p[0] > 0.9 and p[1] < 0.1
    target = np.array([3, 1, 3, 1, 5, 3] * 20, dtype=float)  # 1 + 2*x0 + 2*x2
    pred = fit_linear(rows, target, 3, logistic=False, l2=0, iterations=600).predict(rows)
    assert np.allclose(pred[:6], [3, 1, 3, 1, 5, 3], atol=0.1)


def test_softmax_learns_one_feature_per_class():
    rows = SparseRows.from_lists([[0], [1], [2]] * 30)
    model = SoftmaxModel.fit(rows, np.array([0, 1, 2] * 30), ["a", "b", "c"], 3, iterations=200)
    assert model.predict_proba(rows)[:3].argmax(axis=1).tolist() == [0, 1, 2]


def test_sparse_rows_take_and_dot():
    rows = SparseRows.from_lists([[0, 1], [1], [2], [], [0, 2]])
    w = np.array([1.0, 2.0, 3.0])
    assert rows.dot(w).tolist() == [3, 2, 3, 0, 4]
    assert rows.take(np.array([4, 0, 3])).dot(w).tolist() == [4, 3, 0]


def test_abstains_on_thin_history_but_still_finds_similar_failures():
    history = [rec(0, "red fox, gore", ok=False, reason="content_filter"),
               rec(1, "red fox, gore", "m2", ok=False, reason="content_filter"),
               rec(2, "city skyline, neon", ok=False, reason="timeout"),
               rec(3, "red fox, forest")]
    assessment = assess_prompt(history, "red fox, gore, oil painting", "m1")
    assert assessment.abstained and assessment.failure_probability is None
    assert "not enough history" in assessment.abstain_reason
    # 4 shared terms (red, fox, red fox, gore) of 7: same model first, then the other model
    assert [(s["id"], s["similarity"]) for s in assessment.similar_failures] == [
        ("r0", 0.571), ("r1", 0.571)]
    assert "no prediction" in format_assessment_text(assessment)


@pytest.fixture(scope="module")
def model():
    return RiskModel.fit(generate_records(6000, seed=21))


def test_reports_held_out_quality_better_than_the_base_rate(model):
    q = model.quality
    assert q["history"] == 6000 and q["held_out"] == 1200
    assert q["failure_auc"] > 0.7
    assert q["brier"] < q["brier_base_rate"]
    assert q["reason_accuracy"] > q["reason_accuracy_majority"] + 0.15
    assert q["rating_mae"] < q["rating_mae_mean"]


def test_beats_the_base_rate_on_an_independent_history(model):
    fresh = generate_records(3000, seed=99)
    failed = np.array([not r.success for r in fresh])
    p = model.failure_probabilities(fresh)
    assert auc(p, failed) > 0.7
    assert np.mean((p - failed) ** 2) < np.mean((failed.mean() - failed) ** 2)


def test_planted_content_filter_term_is_predicted_and_explained(model):
    a = model.assess("a red fox in a snowy forest, gore, oil painting", "seedream-4.0",
                     {"steps": 30, "guidance_scale": 7})
    assert not a.abstained and a.failure_probability > 0.5
    assert a.likely_reason == "content_filter"
    assert any(e.startswith("'gore' led to content_filter in ") for e in a.explanations)
    assert a.similar_failures


def test_planted_parameter_limit_is_predicted_and_explained(model):
    safe = model.assess("a koi pond, watercolor", "seedream-4.0", {"steps": 30, "guidance_scale": 7})
    risky = model.assess("a koi pond, watercolor", "seedream-4.0", {"steps": 30, "guidance_scale": 18})
    assert risky.failure_probability > safe.failure_probability + 0.3
    assert risky.likely_reason == "invalid_parameters"
    assert any(e.startswith("guidance_scale > ") for e in risky.explanations)


def test_planted_high_rating_term_raises_the_expected_rating(model):
    params = {"steps": 30, "guidance_scale": 7}
    plain = model.assess("a lighthouse on a rocky coast, watercolor", "seedream-4.0", params)
    golden = model.assess("a lighthouse on a rocky coast, watercolor, golden hour", "seedream-4.0", params)
    assert golden.expected_rating > plain.expected_rating + 0.4


def test_assessment_is_plain_data(model):
    a = model.assess("", "real-esrgan-x4", {"scale": 4})
    data = json.loads(json.dumps(a.to_dict()))
    assert data["ai_model"] == "real-esrgan-x4" and 0 <= data["failure_probability"] <= 1
    assert data["similar_failures"] == []  # no text to compare for an upscale
    assert "failure risk" in format_assessment_text(a)


def test_explanations_name_phrases_and_traits_in_plain_words(model):
    a = model.assess("a koi pond, watercolor, golden hour", "seedream-4.0",
                     {"steps": 30, "guidance_scale": 7})
    assert any(e.startswith("'golden hour' averaged ") for e in a.explanations)
    assert not any(e.startswith("'golden' ") for e in a.explanations)
    assert model.featurizer.describe("words:2") == "6-10 words"
    assert model.featurizer.describe("segments:3") == "7+ segments"
    assert model.featurizer.describe("negative:True") == "a negative prompt"


def test_uses_only_the_most_recent_history():
    small = RiskModel.fit(generate_records(1500, seed=5), max_history=1000)
    assert small.quality["history"] == 1000 and small.quality["held_out"] == 200
