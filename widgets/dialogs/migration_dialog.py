"""`MigrationDialog`: choose legacy files or image folders, preview with a dry run, import with progress.

A plain tk/ttk `Toplevel` (no ttkbootstrap, so it never re-themes a plain Tk host). The
migration runs on a worker thread that only puts events on the GUI's worker-to-Tk queue
(`._tk.TkQueue`); the Tk thread drains it with `after()`. When the import would push records over the retention cap, the dialog
offers to raise the cap first; either way nothing is deleted (over-cap records go to the
archive).
"""
from __future__ import annotations

import logging
import threading
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.migration import MigrationReport, migrate, raise_cap

from .._tk import Inbox, TkQueue

log = logging.getLogger(__name__)

POLL_MS = 50
EVENTS_PER_TICK = 20
CAP_ROW_HEIGHT = 64   # three lines of the cap offer and the archive warning
CAP_ROW_WIDTH = 520   # the body's text width, so a long offer wraps instead of widening
CAP_STYLE = "PromptTrackingWrap.TCheckbutton"


class MigrationDialog(tk.Toplevel):
    """Import older prompt data into `tracker` (default: the shared `enhanced_prompt_tracker`).

    Args:
        master: The host's window.
        tracker: The tracker to import into.
        paths: Sources to start with (files, or folders of images).

    `.result` is the report of the last import (None until one finished); `.last_report`
    the last report of either kind. Emits `<<MigrationFinished>>` on itself after an import.
    """

    def __init__(self, master: tk.Misc, tracker: EnhancedPromptTracker | None = None, *,
                 paths: Any = (),
                 title: str = "Import older prompt data") -> None:
        super().__init__(master)
        if tracker is None:
            from prompt_tracking import enhanced_prompt_tracker as tracker
        self.tracker = tracker
        self.result: MigrationReport | None = None
        self.last_report: MigrationReport | None = None
        self._events: TkQueue[tuple[Any, ...]] = TkQueue(
            self, self._handle, poll_ms=POLL_MS, per_tick=EVENTS_PER_TICK,
            keep_polling=lambda: self.running, what="showing the migration's progress")
        self._worker: threading.Thread | None = None
        self._busy = False                  # from start until its result is shown
        self._dry_report_for: tuple[str, ...] | None = None
        self.title(title)
        self.transient(master.winfo_toplevel())
        self.minsize(560, 420)
        self.raise_cap_var = tk.BooleanVar(self, value=True)
        self.status_var = tk.StringVar(self, value="Choose the files or folders to import.")
        self.progress_var = tk.DoubleVar(self, value=0.0)
        self.create_body()
        self.create_buttonbox()
        self.set_paths(paths)
        self.bind("<Escape>", self._on_escape, add="+")
        self.protocol("WM_DELETE_WINDOW", self.close)

    # -- layout ----------------------------------------------------------------------------
    def create_body(self) -> None:
        body = ttk.Frame(self, padding=10)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text="Older tracking files (JSON), prompt histories (JSON / JSON Lines) "
                             "and folders of generated PNG images. The files are only read, "
                             "never changed; importing twice adds nothing new.",
                  wraplength=520, justify="left").pack(fill="x")
        ttk.Label(body, text="Files and folders to import").pack(fill="x", pady=(10, 2))
        sources = ttk.Frame(body)
        sources.pack(fill="both", expand=False, pady=(0, 4))
        self.source_list = tk.Listbox(sources, height=5, selectmode="extended",
                                      exportselection=False)
        scroll = ttk.Scrollbar(sources, orient="vertical", command=self.source_list.yview)
        self.source_list.configure(yscrollcommand=scroll.set)
        self.source_list.pack(side="left", fill="both", expand=True)
        scroll.pack(side="left", fill="y")
        side = ttk.Frame(sources, padding=(8, 0, 0, 0))
        side.pack(side="left", fill="y")
        self.add_files_button = ttk.Button(side, text="Add files…", command=self.choose_files)
        self.add_folder_button = ttk.Button(side, text="Add folder…", command=self.choose_folder)
        self.remove_button = ttk.Button(side, text="Remove", command=self.remove_selected)
        for button in (self.add_files_button, self.add_folder_button, self.remove_button):
            button.pack(fill="x", pady=(0, 4))
        ttk.Label(body, text="Report (a dry run shows what an import would do)").pack(
            fill="x", pady=(6, 2))
        report = ttk.Frame(body)
        report.pack(fill="both", expand=True, pady=(0, 4))
        self.report_text = tk.Text(report, height=10, wrap="word", state="disabled",
                                   relief="flat", borderwidth=1)
        report_scroll = ttk.Scrollbar(report, orient="vertical", command=self.report_text.yview)
        self.report_text.configure(yscrollcommand=report_scroll.set)
        self.report_text.pack(side="left", fill="both", expand=True)
        report_scroll.pack(side="left", fill="y")
        # The cap offer and the archive warning live in a row of fixed size, there from the
        # start: appearing later, they would widen or grow the dialog and move the Import
        # button out from under the pointer between the dry run and the click.
        self.cap_row = ttk.Frame(body, height=CAP_ROW_HEIGHT, width=CAP_ROW_WIDTH)
        self.cap_row.pack_propagate(False)
        self.cap_row.pack(fill="x", pady=(2, 2))
        # A style of our own name only wraps the long offer; the host's styles stay as they are.
        ttk.Style(self).configure(CAP_STYLE, wraplength=CAP_ROW_WIDTH - 30)
        self.cap_check = ttk.Checkbutton(self.cap_row, variable=self.raise_cap_var,
                                         command=self._update_archive_note, style=CAP_STYLE)
        self.archive_note = ttk.Label(self.cap_row, wraplength=CAP_ROW_WIDTH - 10,
                                      justify="left", foreground="#b3261e")
        self.progress = ttk.Progressbar(body, orient="horizontal", mode="determinate",
                                        maximum=1.0, variable=self.progress_var)
        self.progress.pack(fill="x", pady=(4, 2))
        ttk.Label(body, textvariable=self.status_var, anchor="w").pack(fill="x")

    def create_buttonbox(self) -> None:
        box = ttk.Frame(self, padding=(10, 0, 10, 10))
        box.pack(fill="x")
        self.close_button = ttk.Button(box, text="Close", command=self.close)
        self.import_button = ttk.Button(box, text="Import", command=self.start_import)
        self.dry_run_button = ttk.Button(box, text="Dry run", command=self.start_dry_run)
        for button in (self.close_button, self.import_button, self.dry_run_button):
            button.pack(side="right", padx=(6, 0))

    # -- sources ---------------------------------------------------------------------------
    @property
    def paths(self) -> list[str]:
        return list(self.source_list.get(0, "end"))

    def set_paths(self, paths: Any) -> None:
        """Replace the list of sources (files or folders)."""
        self.source_list.delete(0, "end")
        self.add_paths(paths)

    def add_paths(self, paths: Any) -> None:
        known = set(self.paths)
        for path in [paths] if isinstance(paths, (str, Path)) else paths:
            text = str(path)
            if text and text not in known:
                self.source_list.insert("end", text)
                known.add(text)
        self._sources_changed()

    def choose_files(self) -> None:
        chosen = filedialog.askopenfilenames(
            parent=self, title="Legacy files to import",
            filetypes=[("Prompt data", "*.json *.jsonl *.ndjson *.png"), ("All files", "*")])
        self.add_paths(chosen or ())

    def choose_folder(self) -> None:
        chosen = filedialog.askdirectory(parent=self, title="Folder of generated images",
                                         mustexist=True)
        if chosen:
            self.add_paths([chosen])

    def remove_selected(self) -> None:
        for index in reversed(self.source_list.curselection()):
            self.source_list.delete(index)
        self._sources_changed()

    def _sources_changed(self) -> None:
        self._dry_report_for = None
        self._hide_cap_offer()
        self._set_buttons()

    # -- running ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True from the start of a run until its report (or failure) is shown."""
        return self._busy

    def start_dry_run(self) -> None:
        self._start(dry_run=True)

    def start_import(self) -> None:
        """Import; when no dry run of these sources was shown yet, show one first."""
        if self._dry_report_for != tuple(self.paths):
            self._start(dry_run=True, then_import=True)
            return
        report = self.last_report
        if report is not None and report.would_archive and self.raise_cap_var.get():
            needed = report.caps_to_raise()
            raise_cap(self.tracker, successful=needed.get("successful"),
                      failed=needed.get("failed"))
        self._start(dry_run=False)

    def _start(self, *, dry_run: bool, then_import: bool = False) -> None:
        if self.running or not self.paths:
            return
        self.progress_var.set(0.0)
        self.status_var.set("Checking…" if dry_run else "Importing…")
        paths = self.paths
        self._busy = True
        # The worker gets the queue's inbox and the tracker, never `self`: if it held the last
        # reference to the dialog, the dialog's Tk variables would be freed on its thread.
        self._worker = threading.Thread(
            target=_run_migration, args=(self._events.inbox, self.tracker, paths, dry_run, then_import),
            name="prompt-tracking-migration", daemon=True)
        self._worker.start()
        self._set_buttons()
        self._events.start()

    def _handle(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "progress":
            self.progress_var.set(event[1])
            self.status_var.set(event[2])
        elif kind == "failed":
            self._busy = False
            self.status_var.set(f"Failed: {event[1]}")
            self._set_buttons()
        elif kind == "done":
            self._busy = False
            report, paths, then_import = event[1:]
            self._show(report, paths)
            self._set_buttons()
            if then_import and not report.would_archive:
                self.after_idle(self.start_import)

    def _show(self, report: MigrationReport, paths: tuple[str, ...]) -> None:
        self.last_report = report
        self.progress_var.set(1.0)
        self._write_report(report.summary())
        if report.dry_run:
            self._dry_report_for = paths
            self._offer_cap(report)
            self.status_var.set("Dry run done: nothing was written. Press Import to import.")
        else:
            self.result = report
            self._dry_report_for = None
            self._hide_cap_offer()
            archived = f"; {_records(report.would_archive)} moved to the archive" \
                if report.would_archive else ""
            self.status_var.set(f"Imported {_records(report.imported)}{archived}.")
            self.event_generate("<<MigrationFinished>>")

    @property
    def cap_offered(self) -> bool:
        """True while the dialog offers to raise the cap (a dry run found records to archive)."""
        return bool(self.cap_check.winfo_manager())

    def _hide_cap_offer(self) -> None:
        for widget in (self.cap_check, self.archive_note):
            widget.pack_forget()
        self.archive_note.configure(text="")

    def _offer_cap(self, report: MigrationReport) -> None:
        self._hide_cap_offer()
        if not report.would_archive:
            return
        caps = " and ".join(f"the {name} cap to {value:,}"
                            for name, value in report.caps_to_raise().items())
        self.cap_check.configure(text=(
            f"Raise {caps} for this import, and keep it (otherwise "
            f"{report.would_archive:,} older {'record moves' if report.would_archive == 1 else 'records move'} "
            "to the archive; nothing is deleted)"))
        self.cap_check.pack(side="top", fill="x", anchor="w")
        self.archive_note.pack(side="top", fill="x", anchor="w")
        self._update_archive_note()

    def _update_archive_note(self) -> None:
        """Say plainly, next to the box, whether the import will archive records."""
        report = self.last_report
        if report is None or not report.dry_run or not report.would_archive:
            self.archive_note.configure(text="")
        elif self.raise_cap_var.get():
            self.archive_note.configure(text="Nothing will be archived.")
        else:
            self.archive_note.configure(text=(
                f"This import will move {_records(report.would_archive)} (the oldest) to "
                "the archive. Nothing is deleted."))

    def _write_report(self, text: str) -> None:
        self.report_text.configure(state="normal")
        self.report_text.delete("1.0", "end")
        self.report_text.insert("1.0", text)
        self.report_text.configure(state="disabled")

    def _set_buttons(self) -> None:
        busy = self.running
        has_paths = bool(self.paths)
        for button in (self.dry_run_button, self.import_button):
            button.state(["disabled"] if busy or not has_paths else ["!disabled"])
        for button in (self.add_files_button, self.add_folder_button, self.remove_button,
                       self.close_button):
            button.state(["disabled"] if busy else ["!disabled"])

    # -- closing ---------------------------------------------------------------------------
    def _on_escape(self, _event: tk.Event) -> None:
        self.close()

    def close(self) -> None:
        """Close, unless an import is running (it must finish its chunk bookkeeping)."""
        if self.running:
            self.status_var.set("Still working; the dialog closes when it is done.")
            return
        self.destroy()

    def destroy(self) -> None:
        self._events.close()
        super().destroy()
        # Free our Tk variables now, on the Tk thread. Left to the cyclic garbage collector,
        # they could be freed on any thread (the tracker's writer, a worker), and a Tk
        # variable must be unset from the thread that runs Tk.
        self.__dict__.pop("raise_cap_var", None)
        self.__dict__.pop("status_var", None)
        self.__dict__.pop("progress_var", None)


def _records(n: int) -> str:
    return f"{n:,} record" if n == 1 else f"{n:,} records"


def _run_migration(events: Inbox[tuple[Any, ...]], tracker: EnhancedPromptTracker, paths: list[str],
                   dry_run: bool,
                   then_import: bool) -> None:
    """The worker thread: runs the migration and reports through `events`; never touches Tk."""
    def progress(fraction: float, message: str) -> None:
        events.put(("progress", fraction, message))
    try:
        report = migrate(paths, tracker=tracker, dry_run=dry_run, progress=progress)
    except Exception as exc:  # shown in the dialog; the host must not see it
        log.exception("prompt-tracking: migration failed")
        events.put(("failed", exc))
        return
    events.put(("done", report, tuple(paths), then_import))


def open_migration_dialog(master: tk.Misc, tracker: EnhancedPromptTracker | None = None, *,
                          paths: Any = ()) -> MigrationDialog:
    """Open the dialog (for a host's menu: `command=lambda: open_migration_dialog(root)`)."""
    dialog = MigrationDialog(master, tracker, paths=paths)
    dialog.focus_set()
    return dialog
