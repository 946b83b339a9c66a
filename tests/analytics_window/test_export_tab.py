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


def _export_tab(tk_root, tracker, tmp_path, records):
    gc.collect()  # earlier tests' Tk garbage must not be collected on the export thread
    tracker.import_records(records)
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


@pytest.fixture
def tab(tk_root, tracker, tmp_path):
    yield from _export_tab(tk_root, tracker, tmp_path, fixed_history())


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
    assert tab._queue._after_id is not None  # the shared TkQueue polls while it runs
    worker = tab._worker
    tab.destroy()
    worker.join(30)
    pump(tk_root, lambda: False, timeout=0.3)  # a stray after() would raise into tk_root
    assert tab._queue.closed and tab._queue._after_id is None
    assert not tab._queue.put(("progress", 1.0, "late"))  # a late worker message is dropped


# -- images, size, counts, open folder, minimum rating, automatic export state --------------
@pytest.fixture
def pictured_tab(tk_root, tracker, tmp_path):
    from helpers.export_history import with_images

    yield from _export_tab(tk_root, tracker, tmp_path,
                           with_images(fixed_history(), tmp_path / "home" / "alice"))


def test_images_box_shows_the_size_before_export_then_counts_and_open_folder(
        pictured_tab, tk_root, tmp_path, monkeypatch):
    from prompt_tracking.analytics_window import export_tab

    tab = pictured_tab
    opened = []
    monkeypatch.setattr(export_tab, "open_folder", opened.append)
    assert tab.open_button.instate(["disabled"]) and tab.counts_tree.get_children() == ()
    click(tk_root, tab.images_check)
    assert tab.images_var.get() is True
    assert pump(tk_root, lambda: tab.last_estimate is not None)
    files = sorted((tmp_path / "home" / "alice" / "out").iterdir())
    rated = [f for f in files if f.stem in {"a2", "a3", "b3", "b5", "c1", "c2", "d2", "e2", "a4"}]
    assert tab.last_estimate == {"files": 9, "bytes": sum(f.stat().st_size for f in rated),
                                 "remote": 0, "missing": 0}
    assert tab.images_size_var.get().startswith("Images: 9 files")
    tab.consent_check.invoke()
    click(tk_root, tab.export_button)
    assert pump(tk_root, lambda: not tab.running)
    report = tab.last_report
    assert report.images["files"] == 9 and "with 9 images" in tab.status_var.get()
    assert any((report.out_dir / "images").iterdir())
    rows = {iid: tab.counts_tree.item(iid) for iid in tab.counts_tree.get_children()}
    assert set(rows) == set(report.counts)
    for task, row in rows.items():
        assert [int(v) for v in row["values"]] == [report.counts[task][s]
                                                   for s in ("train", "validation", "test")]
    assert tab.open_button.instate(["!disabled"])
    click(tk_root, tab.open_button)
    assert opened == [report.out_dir]


def test_min_rating_spinbox_sets_the_exports_threshold(pictured_tab, tk_root):
    tab = pictured_tab
    tab.min_rating_spin.focus_force()
    tk_root.update()
    tab.min_rating_spin.event_generate("<Up>")
    tk_root.update()
    assert tab.min_rating_var.get() == "5"
    tab.consent_check.invoke()
    click(tk_root, tab.export_button)
    assert pump(tk_root, lambda: not tab.running)
    import json
    manifest = json.loads(tab.last_report.manifest_path.read_text())
    assert manifest["min_quality_rating"] == 5


def test_auto_export_state_is_shown(pictured_tab, tk_root, tracker, tmp_path):
    tab = pictured_tab
    assert tab.auto_var.get().startswith("Automatic export: off")
    tracker.grant_export_consent()
    exporter = tracker.configure_auto_export(tmp_path / "auto", every_new_ratings=2, keep=3,
                                             images=True)
    try:
        tracker.rate_prompt("b4", 5)
        tracker.rate_prompt("d2", 4)
        assert exporter.wait(30)
        tab._refresh_auto()
        text = tab.auto_var.get()
        assert "every 2 ratings (next after 2 more)" in text and "keeps the newest 3" in text
        assert "with images" in text and str(tmp_path / "auto") in text and "Last run" in text
    finally:
        tracker.configure_auto_export(tmp_path / "auto")
