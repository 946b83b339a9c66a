"""The migration dialog under Xvfb: dry run, import with progress, the cap offer, no re-theming."""
from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import pytest

from prompt_tracking import EnhancedPromptTracker

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "migration"))
import make_fixtures as fixtures  # noqa: E402


def _wait(root, condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the dialog")
        root.update()
        time.sleep(0.01)
    root.update()


@pytest.fixture(autouse=True)
def collect_tk_garbage():
    """Collect destroyed Tk objects here, on the Tk thread, after the root is gone: left to
    the cyclic collector they may be freed on the tracker's writer thread, where Tk aborts."""
    yield
    gc.collect()


@pytest.fixture
def dialog_for(tk_root):
    from prompt_tracking.widgets.dialogs.migration_dialog import MigrationDialog

    made = []

    def make(tracker, paths):
        dialog = MigrationDialog(tk_root, tracker, paths=paths)
        made.append(dialog)
        _wait(tk_root, dialog.winfo_viewable)
        return dialog

    yield make
    for dialog in made:
        if dialog.winfo_exists():
            _wait(tk_root, lambda d=dialog: not d.running)
            dialog.destroy()


def test_dry_run_shows_the_report_and_writes_nothing(tk_root, data_dir, dialog_for):
    tracker = EnhancedPromptTracker(data_dir)
    dialog = dialog_for(tracker, [fixtures.HERE / "legacy_tracker.json"])
    dialog.dry_run_button.invoke()
    assert dialog.running and dialog.dry_run_button.instate(["disabled"])
    _wait(tk_root, lambda: dialog.last_report is not None)
    assert "would import 14" in dialog.report_text.get("1.0", "end")
    assert dialog.progress_var.get() == 1.0
    assert not data_dir.exists()
    _wait(tk_root, lambda: not dialog.running)
    assert dialog.import_button.instate(["!disabled"])
    tracker.close()


def test_import_adds_the_rows_with_progress(tk_root, tracker, dialog_for, tmp_path):
    images = fixtures.make_images(tmp_path / "images")
    dialog = dialog_for(tracker, [fixtures.HERE / "history.jsonl", images])
    seen = []
    dialog.progress_var.trace_add("write", lambda *_: seen.append(dialog.progress_var.get()))
    finished = []
    dialog.bind("<<MigrationFinished>>", lambda e: finished.append(1), add="+")
    dialog.import_button.invoke()          # no dry run shown yet: one runs first, then the import
    _wait(tk_root, lambda: dialog.result is not None)
    assert dialog.result.imported == 3 + 4 and finished == [1]
    prompts = {r.prompt for r in tracker.records()}
    assert {"jsonl one", "a castle on a hill, dramatic sky"} <= prompts
    assert seen and seen[-1] == 1.0
    assert "Imported 7" in dialog.status_var.get()
    dialog.import_button.invoke()          # again: nothing new
    _wait(tk_root, lambda: not dialog.running and dialog.result.imported == 0
          and dialog._dry_report_for is None)
    assert tracker.stats()["total"] == 7


def test_over_the_cap_it_offers_to_raise_the_cap(tk_root, data_dir, dialog_for):
    with EnhancedPromptTracker(data_dir, max_successful=2, max_failed=100) as tracker:
        dialog = dialog_for(tracker, [fixtures.HERE / "legacy_tracker.json"])
        dialog.import_button.invoke()
        _wait(tk_root, lambda: dialog.last_report is not None and not dialog.running)
        assert dialog.result is None                       # stopped to ask first
        assert dialog.cap_check.winfo_ismapped()
        assert "otherwise 3 older records" in dialog.cap_check.cget("text")
        assert dialog.raise_cap_var.get() is True
        dialog.import_button.invoke()
        _wait(tk_root, lambda: dialog.result is not None and not dialog.running)
        assert tracker.max_successful == 5 + 2  # the total after the import, plus the old cap
        tracker.flush(10)
        time.sleep(1.2)                    # the writer's next retention pass must keep them all
        assert tracker.stats()["successful"] == 5
        assert not dialog.cap_check.winfo_ismapped()


def test_escape_closes_and_the_host_theme_is_untouched(tk_root, tracker, dialog_for):
    from tkinter import ttk

    theme = ttk.Style(tk_root).theme_use()
    dialog = dialog_for(tracker, [])
    assert dialog.dry_run_button.instate(["disabled"])    # nothing chosen yet
    dialog.add_paths([fixtures.HERE / "export.jsonl", fixtures.HERE / "export.jsonl"])
    assert dialog.paths == [str(fixtures.HERE / "export.jsonl")]
    dialog.source_list.selection_set(0)
    dialog.remove_button.invoke()
    assert dialog.paths == []
    dialog.focus_force()
    _wait(tk_root, lambda: dialog.focus_get() is not None)
    dialog.event_generate("<Escape>")
    _wait(tk_root, lambda: not dialog.winfo_exists())
    assert ttk.Style(tk_root).theme_use() == theme
