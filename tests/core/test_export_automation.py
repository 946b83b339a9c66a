"""The curated in-memory selection, automatic exports and the `export` command line."""
from __future__ import annotations

import argparse
import json
import logging

import pytest

from helpers.export_history import fixed_history, make_record
from prompt_tracking import settings
from prompt_tracking.export import auto as auto_export
from prompt_tracking.export.curation import balanced_quotas, get_prompts_for_ai_training
from prompt_tracking.cli.export import register_cli
from prompt_tracking.export import configure_auto_export


# -- get_prompts_for_ai_training -----------------------------------------------------------
@pytest.fixture
def curated_history(tracker):
    good = [("g1", "a lighthouse at dusk", 5, "user_save", 1), ("g2", "a quiet harbor", 5, "auto", 2),
            ("g3", "a windmill field", 4, "auto", 3), ("g4", "a desert road", None, "user_save", 4),
            ("g5", "a muddy swamp", 2, "user_save", 5), ("g6", "a grey wall", 3, "auto", 6),
            ("g7", "A quiet harbor!", 5, "auto", 0)]
    records = [make_record(rid, prompt, True, rating=rating, save_method=save, timestamp=1e9 + t)
               for rid, prompt, rating, save, t in good]
    failures = [("timeout", 10), ("content_filter", 3), ("rate_limit", 1)]
    records += [make_record(f"{reason}-{i}", f"{reason} scene {chr(97 + i)}", False, reason=reason,
                            timestamp=1e9 + 100 + i)
                for reason, n in failures for i in range(n)]
    tracker.import_records(records)
    return tracker


def test_good_prompts_are_rated_or_kept_best_first_without_near_duplicates(curated_history):
    data = get_prompts_for_ai_training(curated_history)
    # g5 was kept but rated 2 (the rating wins), g6 is below 4, g7 repeats g2.
    assert [r["id"] for r in data["good_prompts"]] == ["g1", "g2", "g3", "g4"]
    assert set(data["good_prompts"][0]) == {
        "id", "timestamp", "prompt", "ai_model", "success", "result_url", "save_method",
        "model_parameters", "error_message", "failure_reason", "quality_rating", "feedback",
        "tags", "metadata"}
    capped = get_prompts_for_ai_training(curated_history, max_successful_examples=2)
    assert [r["id"] for r in capped["good_prompts"]] == ["g1", "g2"]
    assert [r["id"] for r in get_prompts_for_ai_training(
        curated_history, min_quality_rating=3)["good_prompts"]] == ["g1", "g2", "g3", "g6", "g4"]
    json.dumps(data)


def test_failures_are_balanced_across_reasons_within_the_cap(curated_history):
    data = get_prompts_for_ai_training(curated_history, max_failed_examples=8)
    by_reason = data["failed_prompts_by_category"]
    assert {k: len(v) for k, v in by_reason.items()} == {
        "timeout": 4, "content_filter": 3, "rate_limit": 1}
    assert [r["id"] for r in by_reason["timeout"]] == [f"timeout-{i}" for i in (9, 8, 7, 6)]
    balance = data["analysis"]["reason_balance"]
    assert balance["timeout"] == {"available": 10, "selected": 4}


def test_analysis_counts_histogram_mix_and_traits(curated_history):
    analysis = get_prompts_for_ai_training(curated_history)["analysis"]
    counts = analysis["counts"]
    assert (counts["records"], counts["successful"], counts["failed"]) == (21, 7, 14)
    assert (counts["good_selected"], counts["failed_selected"], counts["duplicates_removed"]) == (
        4, 14, 1)
    assert analysis["rating_histogram"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 3}
    assert analysis["model_mix"] == {"good": {"flux": 4}, "failed": {"flux": 14}}
    traits = analysis["prompt_traits"]
    assert traits["good"]["count"] == 4 and traits["failed"]["mean_words"] == 3.0
    assert set(traits["good"]) >= {"mean_characters", "weight_syntax_share",
                                   "negative_prompt_share"}


@pytest.mark.parametrize("available, cap, expected", [
    ({"a": 10, "b": 3, "c": 1}, 8, {"a": 4, "b": 3, "c": 1}),
    ({"a": 10, "b": 10}, 5, {"a": 3, "b": 2}),
    ({"a": 2, "b": 1}, 200, {"a": 2, "b": 1}),
    ({"a": 5}, 0, {"a": 0}),
    ({}, 10, {}),
])
def test_balanced_quotas(available, cap, expected):
    assert balanced_quotas(available, cap) == expected


@pytest.mark.parametrize("kwargs", [{"min_quality_rating": 6}, {"max_failed_examples": -1},
                                    {"max_successful_examples": True}])
def test_curation_rejects_bad_arguments(tracker, kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        get_prompts_for_ai_training(tracker, **kwargs)


# -- automatic export ----------------------------------------------------------------------
@pytest.fixture
def rated_history(tracker):
    tracker.import_records(fixed_history())
    yield tracker
    configure_auto_export(tracker, ".")  # no rules: stops the exporter


def export_folders(parent):
    return sorted(p.name for p in parent.iterdir()) if parent.exists() else []


def test_exports_after_every_n_new_ratings(rated_history, tmp_path):
    settings.grant_export_consent(rated_history.data_dir)
    exporter = configure_auto_export(rated_history, tmp_path / "auto", every_new_ratings=2)
    rated_history.rate_prompt("b4", 4)
    assert exporter.wait(10) and export_folders(tmp_path / "auto") == []
    rated_history.rate_prompt("d2", 3)
    assert exporter.wait(30)
    folders = export_folders(tmp_path / "auto")
    assert len(folders) == 1 and folders[0].startswith("training-export-")
    assert (tmp_path / "auto" / folders[0] / "manifest.json").exists()
    state = settings.load_settings(rated_history.data_dir)["auto_export"]
    assert state["every_new_ratings"] == 2 and state["last_export_at"] > 0
    assert state["last_export_dir"] == str(tmp_path / "auto" / folders[0])


def test_without_consent_auto_export_only_warns(rated_history, tmp_path, caplog):
    exporter = configure_auto_export(rated_history, tmp_path / "auto", every_new_ratings=1)
    with caplog.at_level(logging.WARNING, logger="prompt_tracking.export.auto"):
        rated_history.rate_prompt("b4", 4)  # must not raise into the host
        assert exporter.wait(10)
    assert "not opted in" in caplog.text
    assert export_folders(tmp_path / "auto") == [] and exporter.last_error == "consent required"


def test_a_failing_export_never_reaches_the_host(rated_history, tmp_path, monkeypatch):
    settings.grant_export_consent(rated_history.data_dir)

    def broken(*args, **kwargs):
        raise OSError("disk full (injected)")
    monkeypatch.setattr(auto_export, "export_training_data", broken)
    exporter = configure_auto_export(rated_history, tmp_path / "auto", every_new_ratings=1)
    rated_history.rate_prompt("b4", 4)
    assert exporter.wait(10) and "disk full" in exporter.last_error


def test_interval_is_checked_at_configure_time_against_the_stored_last_export(rated_history,
                                                                             tmp_path):
    settings.grant_export_consent(rated_history.data_dir)
    exporter = configure_auto_export(rated_history, tmp_path / "auto", interval_days=7)
    assert exporter.wait(30) and len(export_folders(tmp_path / "auto")) == 1  # never exported
    exporter = configure_auto_export(rated_history, tmp_path / "auto", interval_days=7)
    assert exporter.wait(10) and len(export_folders(tmp_path / "auto")) == 1  # exported just now
    assert not exporter.interval_due()


def test_on_exit_exports_only_when_something_changed(rated_history, tmp_path):
    settings.grant_export_consent(rated_history.data_dir)
    exporter = configure_auto_export(rated_history, tmp_path / "auto", on_exit=True)
    exporter._at_exit()
    assert export_folders(tmp_path / "auto") == []
    rated_history.rate_prompt("b4", 5)
    exporter._at_exit()
    assert len(export_folders(tmp_path / "auto")) == 1


def test_reconfiguring_replaces_the_old_rules(rated_history, tmp_path):
    settings.grant_export_consent(rated_history.data_dir)
    first = configure_auto_export(rated_history, tmp_path / "auto", every_new_ratings=1)
    assert configure_auto_export(rated_history, tmp_path / "auto") is None
    rated_history.rate_prompt("b4", 5)
    assert first.wait(5) and export_folders(tmp_path / "auto") == []


@pytest.mark.parametrize("kwargs", [{"every_new_ratings": 0}, {"interval_days": -1},
                                    {"every_new_ratings": 1.5}])
def test_auto_export_rejects_bad_rules(tracker, tmp_path, kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        configure_auto_export(tracker, tmp_path, **kwargs)


# -- command line --------------------------------------------------------------------------
def run_cli(argv):
    parser = argparse.ArgumentParser(prog="prompt-tracker")
    parser.add_argument("--data-dir")
    register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_refuses_without_consent_then_exports_with_it(data_dir, tmp_path, capsys):
    from prompt_tracking import EnhancedPromptTracker

    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.import_records(fixed_history())
    out = tmp_path / "cli-out"
    assert run_cli(["--data-dir", str(data_dir), "export", "--out", str(out)]) == 3
    assert "opt-in" in capsys.readouterr().err and not out.exists()
    assert run_cli(["--data-dir", str(data_dir), "export", "--out", str(out), "--i-consent",
                    "--tasks", "quality", "repair_pairs", "--format", "jsonl", "csv",
                    "--since", "2025-10-09"]) == 0
    captured = capsys.readouterr()
    assert "export: 100%" in captured.err and "exported" in captured.out
    assert sorted(p.name for p in (out / "quality").iterdir()) == [
        "test.csv", "test.jsonl", "train.csv", "train.jsonl", "validation.csv", "validation.jsonl"]
    assert settings.export_consent(data_dir)["via"] == "cli"
    # Consent is remembered; data_dir None falls back to $PROMPT_TRACKING_HOME (= data_dir).
    assert run_cli(["export", "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


# -- keep the newest K, images, state --------------------------------------------------------
def test_auto_export_keeps_only_the_newest_k_of_its_own_folders(tracker, tmp_path):
    from helpers.export_history import fixed_history, with_images

    tracker.import_records(with_images(fixed_history(), tmp_path / "home" / "alice"))
    tracker.grant_export_consent()
    parent = tmp_path / "auto"
    parent.mkdir()
    (parent / "training-export-1999-01-01_000000").mkdir()      # not ours: no manifest
    (parent / "training-export-1999-01-01_000000" / "notes.txt").write_text("mine")
    (parent / "holiday-photos").mkdir()
    exporter = tracker.configure_auto_export(parent, every_new_ratings=1, keep=2, images=True)
    made = []
    for i, record_id in enumerate(["b4", "d2", "c1", "b3"]):
        tracker.rate_prompt(record_id, 5 - i % 2)
        assert exporter.wait(30)
        made.append(settings.load_settings(tracker.data_dir)["auto_export"]["last_export_dir"])
    ours = sorted(p.name for p in parent.iterdir() if (p / "manifest.json").exists())
    assert len(ours) == 2 and [str(parent / n) for n in ours] == sorted(made[-2:])
    assert (parent / "training-export-1999-01-01_000000" / "notes.txt").exists()
    assert (parent / "holiday-photos").exists()
    newest = parent / sorted(ours)[-1]
    assert any((newest / "images").iterdir())
    status = auto_export.auto_export_status(tracker)
    assert status["active"] and status["keep"] == 2 and status["images"] is True
    assert status["ratings_until_next"] == 1 and status["last_export_dir"] == made[-1]
    exporter.stop()


def test_keep_default_is_documented_and_bad_keep_refused(tracker, tmp_path):
    assert auto_export.KEEP_DEFAULT == 5
    with pytest.raises(ValueError, match="keep"):
        configure_auto_export(tracker, tmp_path, every_new_ratings=1, keep=0)
    status = auto_export.auto_export_status(tracker)
    assert status["active"] is False and status["last_export_at"] is None


def test_tracker_consent_api_is_the_stored_opt_in(tracker, tmp_path):
    from prompt_tracking.errors import ConsentRequiredError

    assert tracker.export_consent() is None
    with pytest.raises(ConsentRequiredError):
        tracker.export_training_data(tmp_path / "x")
    granted = tracker.grant_export_consent(via="api")
    assert settings.export_consent(tracker.data_dir) == granted == tracker.export_consent()
    tracker.export_training_data(tmp_path / "x")
    tracker.revoke_export_consent()
    assert not settings.has_export_consent(tracker.data_dir)
    with pytest.raises(ConsentRequiredError):
        tracker.export_training_data(tmp_path / "y")


def test_to_pandas_has_typed_columns_and_the_records_filters(tracker):
    pandas = pytest.importorskip("pandas")
    from helpers.export_history import fixed_history

    tracker.import_records(fixed_history())
    frame = tracker.to_pandas()
    assert len(frame) == 16
    assert isinstance(frame["timestamp"].dtype, pandas.DatetimeTZDtype)
    assert str(frame["timestamp"].dt.tz) == "UTC"
    assert frame["success"].dtype == bool and str(frame["quality_rating"].dtype) == "Int64"
    assert frame["quality_rating"].isna().sum() == 7  # 9 of the 16 are rated
    assert str(frame["prompt"].dtype) == "string"
    assert isinstance(frame.loc[0, "model_parameters"], dict)
    rated = tracker.to_pandas(min_rating=4, models="flux")
    assert set(rated["id"]) == {"a2", "a4", "c2", "d2"}
    assert pandas.api.types.is_integer_dtype(rated["quality_rating"])
    with pytest.raises(ValueError):
        tracker.to_pandas(min_rating="high")


def test_to_pandas_without_pandas_names_it(tracker, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="pip install pandas"):
        tracker.to_pandas()


def test_cli_exports_images_with_a_progress_bar(data_dir, tmp_path, capsys):
    from helpers.export_history import fixed_history, with_images
    from prompt_tracking import EnhancedPromptTracker

    with EnhancedPromptTracker(data_dir) as t:
        t.import_records(with_images(fixed_history(), tmp_path / "home" / "alice"))
    out = tmp_path / "cli-images"
    assert run_cli(["--data-dir", str(data_dir), "export", "--out", str(out), "--i-consent",
                    "--images", "--copy-images", "--min-rating", "5"]) == 0
    captured = capsys.readouterr()
    assert "images: 9 files" in captured.out and "9 copied" in captured.out
    assert "export: 100% [####" in captured.err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["images"]["copied"] == 9 and manifest["min_quality_rating"] == 5
