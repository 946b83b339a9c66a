"""The Export tab under a real Tk: consent asked once and saved, export with progress."""
from __future__ import annotations

import gc
import time

import pytest

from prompt_tracking.analytics_window.export_tab import build_export_tab
from helpers.export_history import fixed_history
from prompt_tracking import settings


def pump(root, until, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not until() and time.monotonic() < deadline:
        root.update()
        time.sleep(0.01)
    root.update()
    return until()


def click(root, button):
    """A real pointer click: enter, press and release over the button."""
    root.update()
    button.event_generate("<Enter>", x=5, y=5)
    button.event_generate("<ButtonPress-1>", x=5, y=5)
    button.event_generate("<ButtonRelease-1>", x=5, y=5)
    root.update()


@pytest.fixture
def tab(tk_root, tracker, tmp_path):
    gc.collect()  # earlier tests' Tk garbage must not be collected on the export thread
    tracker.import_records(fixed_history())
    frame = build_export_tab(tk_root, tracker)
    frame.pack(fill="both", expand=True)
    frame.folder_var.set(str(tmp_path / "exports"))
    tk_root.update()
    yield frame
    if frame._worker is not None:
        frame._worker.join(30)
    if frame.winfo_exists():
        frame.destroy()
    gc.collect()  # Tk garbage of this test is freed here, on the Tk thread


def test_export_is_disabled_until_consent_is_given_and_consent_is_saved(tab, tk_root, tracker):
    assert tab.export_button.instate(["disabled"])
    assert "opt-in" in tab.status_var.get()
    click(tk_root, tab.export_button)
    assert not tab.running and not (tab.tracker.data_dir.parent / "exports").exists()
    tab.consent_check.invoke()
    assert settings.export_consent(tracker.data_dir)["via"] == "gui"
    assert tab.export_button.instate(["!disabled"])
    # A new tab does not ask again.
    again = build_export_tab(tk_root, tracker)
    assert again.consent_var.get() is True and again.export_button.instate(["!disabled"])
    again.destroy()
    tab.consent_check.invoke()
    assert not settings.has_export_consent(tracker.data_dir)
    assert tab.export_button.instate(["disabled"])


def test_nothing_selected_disables_export(tab):
    tab.consent_check.invoke()
    for check in tab.task_checks.values():
        check.invoke()
    assert tab.export_button.instate(["disabled"])
    tab.task_checks["quality"].invoke()
    assert tab.export_button.instate(["!disabled"])
    tab.format_checks["jsonl"].invoke()
    assert tab.export_button.instate(["disabled"])


def test_export_runs_in_the_background_and_writes_the_files(tab, tk_root, tmp_path):
    tab.consent_check.invoke()
    tab.format_checks["csv"].invoke()
    tab.task_checks["parameter_optimization"].invoke()  # leave one task out
    click(tk_root, tab.export_button)
    assert tab.running and tab.export_button.instate(["disabled"])
    assert pump(tk_root, lambda: not tab.running)
    folders = list((tmp_path / "exports").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("training-export-")
    names = sorted(p.name for p in folders[0].iterdir())
    assert names == ["README.md", "content_safety", "error_prevention", "manifest.json",
                     "preference_pairs", "quality", "repair_pairs"]
    assert (folders[0] / "quality" / "train.csv").exists()
    assert tab.progress_var.get() == 100.0
    assert tab.status_var.get().startswith("Exported ") and str(folders[0]) in tab.status_var.get()
    assert tab.last_report.out_dir == folders[0]
    assert tab.export_button.instate(["!disabled"])


def test_a_failed_export_is_reported_in_the_tab(tab, tk_root, tmp_path):
    tab.consent_check.invoke()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    tab.folder_var.set(str(blocker))
    click(tk_root, tab.export_button)
    assert pump(tk_root, lambda: not tab.running)
    assert tab.status_var.get().startswith("Export failed, nothing was written")
    assert tab.progress_var.get() == 0.0


def test_destroy_during_an_export_cancels_the_poll(tab, tk_root):
    tab.consent_check.invoke()
    tab.export_button.invoke()
    assert tab._after_id is not None
    worker = tab._worker
    tab.destroy()
    worker.join(30)
    pump(tk_root, lambda: False, timeout=0.3)  # a stray after() would raise into tk_root
    assert tab._after_id is None
