"""The no-consent message a CLI user gets names the CLI's option, not the Python keyword."""
from __future__ import annotations

from prompt_tracking.cli.main import main


def test_export_without_consent_tells_cli_users_about_the_option(tracker, data_dir, tmp_path, capsys):
    tracker.log_successful_prompt("a cat", "sdxl")
    tracker.close()
    code = main(["--data-dir", str(data_dir), "export", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 3
    assert "--i-consent" in err and "Nothing was written" in err
    assert "consent=True" not in err
    assert not (tmp_path / "out").exists()
