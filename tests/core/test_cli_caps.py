"""`prompt-tracker caps` on the local store: show, set, save, apply (real store, real CLI)."""
from __future__ import annotations

import subprocess
import sys

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.cli.main import main


def test_showing_the_caps_creates_no_store(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "d"), "caps"]) == 0
    assert "successful 2,000, failed 2,000" in capsys.readouterr().out
    assert not (tmp_path / "d").exists()


def test_set_caps_are_applied_now_and_saved_for_later_trackers(tmp_path, capsys):
    data = tmp_path / "d"
    with EnhancedPromptTracker(data, max_successful=None, max_failed=None) as tracker:
        for i in range(12):
            tracker.log_successful_prompt(f"a fox {i}", "m")
        tracker.log_failed_prompt("a wolf", "m", "HTTP 500")
        assert tracker.flush(10)
    assert main(["--data-dir", str(data), "caps", "--successful", "5"]) == 0
    assert "set: successful 5, failed 2,000" in capsys.readouterr().out
    with EnhancedPromptTracker(data) as later:  # default caps: the saved ones win
        assert later.stats()["successful"] == 5 and later.stats()["failed"] == 1
        assert later.max_successful == 5
    result = subprocess.run([sys.executable, "-m", "prompt_tracking.cli.main", "--data-dir",
                             str(data), "caps"], capture_output=True, text=True, check=True)
    assert "successful 5, failed 2,000" in result.stdout
    assert main(["--data-dir", str(data), "caps", "--successful", "none"]) == 0
    assert "successful no cap" in capsys.readouterr().out


def test_a_bad_cap_is_refused_and_changes_nothing(tmp_path, capsys):
    data = tmp_path / "d"
    for bad in ("-3", "many", "2.5"):
        try:
            main(["--data-dir", str(data), "caps", "--failed", bad])
        except SystemExit as exc:
            assert exc.code == 2
        assert "a cap is a whole number" in capsys.readouterr().err
    assert not data.exists()
