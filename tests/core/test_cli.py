"""The headless command line as a user runs it: filters, read-only commands, pipes, bad options."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.cli import main


@pytest.fixture
def history(data_dir):
    with EnhancedPromptTracker(data_dir) as tracker:
        for i in range(6):
            tracker.log_successful_prompt(f"a red fox {i}", "seedream-4.0", result_url=f"/r/{i}.png")
        for i in range(3):
            tracker.log_failed_prompt(f"a tall tower {i}", "wan2.2-t2v",
                                      error_message="429 Too Many Requests")
        tracker.flush()
    return data_dir


def run_json(capsys, *argv):
    assert main(["--data-dir", str(argv[0]), *argv[1:]]) == 0
    return json.loads(capsys.readouterr().out)


def test_stats_filters_the_headline_counts_and_the_model_table(history, capsys):
    everything = run_json(capsys, history, "stats", "--json")
    assert everything["total"] == 9
    only_wan = run_json(capsys, history, "stats", "--json", "--model", "wan2.2-t2v")
    assert only_wan["total"] == 3 and list(only_wan["by_model"]) == ["wan2.2-t2v"]
    assert only_wan["analytics"]["overview"]["total"] == 3
    failures = run_json(capsys, history, "stats", "--json", "--outcome", "failure")
    assert (failures["total"], failures["successful"]) == (3, 0)


def test_stats_takes_model_lists_like_export(history, capsys):
    both = run_json(capsys, history, "stats", "--json", "--models", "wan2.2-t2v", "seedream-4.0")
    repeated = run_json(capsys, history, "stats", "--json", "--model", "wan2.2-t2v",
                        "--model", "seedream-4.0")
    assert both["total"] == repeated["total"] == 9


def test_an_unknown_model_is_named_in_a_warning(history, capsys):
    assert main(["--data-dir", str(history), "stats", "--model", "no-such-model"]) == 0
    captured = capsys.readouterr()
    assert "no records for model 'no-such-model'" in captured.err
    assert "No prompts match these filters." in captured.out


def test_singular_wording(data_dir, capsys):
    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.log_successful_prompt("one fox", "m")
    assert main(["--data-dir", str(data_dir), "stats"]) == 0
    assert capsys.readouterr().out.startswith("1 prompt: ")


@pytest.mark.parametrize("argv", [["stats"], ["stats", "--json"], ["assess", "a fox", "--model", "m"]])
def test_read_only_commands_never_create_a_store(tmp_path, capsys, argv):
    missing = tmp_path / "nonexistent"
    assert main(["--data-dir", str(missing), *argv]) == 0
    assert not missing.exists()
    out = capsys.readouterr().out
    assert ('"store": null' in out) if "--json" in argv else ("no store in" in out)


def test_a_bad_params_json_names_the_option(history, capsys):
    assert main(["--data-dir", str(history), "assess", "a fox", "--model", "seedream-4.0",
                 "--params", "{steps: 30"]) == 2
    assert "--params is not valid JSON" in capsys.readouterr().err


def test_assess_an_unknown_model_warns_and_says_so_in_json(history, capsys):
    data = run_json(capsys, history, "assess", "a fox", "--model", "no-such-model", "--json")
    assert data["model_has_history"] is False


def test_stats_into_a_closed_pipe_is_quiet(history):
    env = {**os.environ, "PROMPT_TRACKING_HOME": str(history)}
    proc = subprocess.Popen(f"{sys.executable} -m prompt_tracking stats | head -1", shell=True,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    assert out.startswith("9 prompts")
    assert "Broken pipe" not in err and "Traceback" not in err


def test_help_text_for_every_option():
    from prompt_tracking.cli import build_parser

    import argparse

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in ("stats", "assess"):
        for action in subparsers.choices[name]._actions:
            assert action.help, (name, action.option_strings or action.dest)
