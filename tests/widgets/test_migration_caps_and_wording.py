"""Raising the cap for an import keeps the imported records through later generations and
across trackers; the report's wording; the dialog keeps its size when it offers the cap."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.migration import migrate, raise_cap

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "migration"))
import make_fixtures as fixtures  # noqa: E402

from test_migration_dialog import _wait, collect_tk_garbage, dialog_for  # noqa: E402,F401,F811

LEGACY = fixtures.HERE / "legacy_tracker.json"


def test_raised_cap_keeps_imported_records_through_new_generations(data_dir):
    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.set_caps(max_successful=3, max_failed=50, persist=True)
        dry = migrate([LEGACY], tracker=tracker, dry_run=True)
        assert dry.would_archive
        needed = dry.caps_to_raise()
        raise_cap(tracker, successful=needed.get("successful"), failed=needed.get("failed"))
        report = migrate([LEGACY], tracker=tracker)
        imported = {r.id for r in tracker.records() if r.success}
        for i in range(3):                       # a few generations after the import
            tracker.log_successful_prompt(f"new prompt {i}", "m1")
        tracker.flush(10)
        assert tracker.enforce_retention(10)
        kept = {r.id for r in tracker.records()}
        assert imported <= kept, "an imported record was archived after the import"
        assert report.would_archive == 0
    with EnhancedPromptTracker(data_dir) as again:   # saved for the store, both caps
        again.flush(10)
        assert again.max_successful == needed["successful"]
        assert again.max_failed == 50


def test_a_missing_file_is_reported_as_not_found(data_dir, tmp_path):
    missing = tmp_path / "gone.json"
    with EnhancedPromptTracker(data_dir) as tracker:
        text = migrate([missing], tracker=tracker, dry_run=True).summary()
        assert text.splitlines()[0] == f"File not found: {missing}"
        assert "source(s)" not in text and "0 entries" not in text
        text = migrate([LEGACY], tracker=tracker, dry_run=True).summary()
        assert "found in 1 source:" in text and "source(s)" not in text


def test_the_dialog_keeps_its_size_when_it_offers_to_raise_the_cap(tk_root, data_dir,
                                                                    dialog_for):  # noqa: F811
    with EnhancedPromptTracker(data_dir, max_successful=2, max_failed=100) as tracker:
        dialog = dialog_for(tracker, [LEGACY])
        tk_root.update()
        before = (dialog.winfo_reqwidth(), dialog.winfo_reqheight(),
                  dialog.import_button.winfo_rootx(), dialog.import_button.winfo_rooty())
        dialog.dry_run_button.invoke()
        _wait(tk_root, lambda: dialog.last_report is not None and not dialog.running)
        time.sleep(0.05)
        tk_root.update()
        assert dialog.cap_offered
        after = (dialog.winfo_reqwidth(), dialog.winfo_reqheight(),
                 dialog.import_button.winfo_rootx(), dialog.import_button.winfo_rooty())
        assert after == before
        assert dialog.archive_note.cget("text") == "Nothing will be archived."
        dialog.cap_check.invoke()                 # untick: the dialog says what will happen
        assert "will move 3 records (the oldest) to the archive" in dialog.archive_note.cget("text")
