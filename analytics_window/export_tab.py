"""The Export tab of the analytics window: training export with the user's opt-in.

Plain tk/ttk in a plain host; in a ttkbootstrap host its toggles (and the other widgets that
ttkbootstrap only styles for its own classes) are ttkbootstrap's (`theme.widget_classes`). The export runs on a worker thread
that never touches Tk: it puts progress on a queue, and the Tk thread drains the queue
with `after()`. Every after id and variable trace is cancelled in `destroy()`.
"""
from __future__ import annotations

import gc
import logging
import queue
import threading
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any

from prompt_tracking import settings
from prompt_tracking.export.auto import dated_folder
from prompt_tracking.export.run import export_training_data
from prompt_tracking.export.files import FORMATS
from prompt_tracking.export.tasks import TASKS

from .theme import widget_classes

log = logging.getLogger(__name__)

POLL_MS = 100
MESSAGES_PER_TICK = 50
TASK_LABELS = {
    "content_safety": "Content safety (safe / blocked)",
    "quality": "Quality (rating)",
    "error_prevention": "Error prevention (outcome, reason)",
    "parameter_optimization": "Parameter optimization",
    "preference_pairs": "Preference pairs (chosen / rejected)",
    "repair_pairs": "Repair pairs (before / after)",
}
FORMAT_LABELS = {"jsonl": "JSON Lines", "csv": "CSV"}
CONSENT_TEXT = "I agree to export my prompt history as training data"
CONSENT_NOTE = ("Asked once and remembered. The files stay on this computer unless you share them; "
                "untick to withdraw.")


class ExportTab(ttk.Frame):
    """Choose a folder, tasks and formats, give consent once, and export with progress."""

    def __init__(self, parent: tk.Misc, tracker: Any) -> None:
        super().__init__(parent, padding=8)
        self.tracker = tracker
        self.folder_var = tk.StringVar(self, value=str(Path(tracker.data_dir) / "exports"))
        self.task_vars = {task: tk.BooleanVar(self, value=True) for task in TASKS}
        self.format_vars = {fmt: tk.BooleanVar(self, value=fmt == "jsonl") for fmt in FORMATS}
        self.redact_var = tk.BooleanVar(self, value=True)
        self.consent_var = tk.BooleanVar(self, value=self._stored_consent())
        self.status_var = tk.StringVar(self, value="")
        self.progress_var = tk.DoubleVar(self, value=0.0)
        self.last_report: Any = None
        self._queue: queue.Queue[tuple] = queue.Queue()
        self._after_id: str | None = None
        self._worker: threading.Thread | None = None
        self._busy = False  # from Export until its result is shown (the thread may still exit)
        self._build()
        watched = [self.folder_var, *self.task_vars.values(), *self.format_vars.values()]
        self._traces = [(var, var.trace_add("write", self._on_option_changed)) for var in watched]
        self._update_state()

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        kit = widget_classes(self)  # tkinter.ttk, or ttkbootstrap in a ttkbootstrap host
        self.columnconfigure(0, weight=1)
        where = ttk.LabelFrame(self, text="Export folder", padding=6)
        where.grid(row=0, column=0, sticky="ew")
        where.columnconfigure(0, weight=1)
        self.folder_entry = ttk.Entry(where, textvariable=self.folder_var)
        self.folder_entry.grid(row=0, column=0, sticky="ew")
        ttk.Button(where, text="Choose…", command=self._choose_folder).grid(row=0, column=1,
                                                                          padx=(6, 0))
        ttk.Label(where, text="Each export goes into a new dated folder inside this one.").grid(
            row=1, column=0, columnspan=2, sticky="w", pady=(4, 0))

        tasks = ttk.LabelFrame(self, text="Datasets", padding=6)
        tasks.grid(row=1, column=0, sticky="ew", pady=(8, 0))
        self.task_checks = {}
        for i, task in enumerate(TASKS):
            check = kit.Checkbutton(tasks, text=TASK_LABELS[task], variable=self.task_vars[task])
            check.grid(row=i // 2, column=i % 2, sticky="w", padx=(0, 16))
            self.task_checks[task] = check

        options = ttk.LabelFrame(self, text="Formats and privacy", padding=6)
        options.grid(row=2, column=0, sticky="ew", pady=(8, 0))
        formats = ttk.Frame(options)
        formats.grid(row=0, column=0, sticky="w")
        self.format_checks = {}
        for i, fmt in enumerate(FORMATS):
            check = kit.Checkbutton(formats, text=FORMAT_LABELS[fmt], variable=self.format_vars[fmt])
            check.grid(row=0, column=i, sticky="w", padx=(0, 16))
            self.format_checks[fmt] = check
        self.redact_check = kit.Checkbutton(
            options, text="Mask e-mails, phone numbers, IP addresses, credential URLs and "
                          "home-folder names", variable=self.redact_var)
        self.redact_check.grid(row=1, column=0, sticky="w", pady=(4, 0))
        self.consent_check = kit.Checkbutton(options, text=CONSENT_TEXT, variable=self.consent_var,
                                             command=self._on_consent_toggled)
        self.consent_check.grid(row=2, column=0, sticky="w", pady=(4, 0))
        ttk.Label(options, text=CONSENT_NOTE, wraplength=520, justify="left").grid(
            row=3, column=0, sticky="w", padx=(22, 0))

        run = ttk.Frame(self)
        run.grid(row=3, column=0, sticky="ew", pady=(10, 0))
        run.columnconfigure(1, weight=1)
        self.export_button = ttk.Button(run, text="Export", command=self._start_export)
        self.export_button.grid(row=0, column=0)
        self.progressbar = ttk.Progressbar(run, mode="determinate", maximum=100.0,
                                           variable=self.progress_var)
        self.progressbar.grid(row=0, column=1, sticky="ew", padx=(8, 0))
        self.status_label = ttk.Label(self, textvariable=self.status_var, wraplength=520,
                                      justify="left")
        self.status_label.grid(row=4, column=0, sticky="ew", pady=(6, 0))

    # -- state -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._busy

    def _stored_consent(self) -> bool:
        return settings.has_export_consent(self.tracker.data_dir)

    def _update_state(self) -> None:
        ready = (self.consent_var.get() and not self.running and bool(self.folder_var.get().strip())
                 and any(v.get() for v in self.task_vars.values())
                 and any(v.get() for v in self.format_vars.values()))
        self.export_button.state(["!disabled"] if ready else ["disabled"])
        if not self.consent_var.get() and not self.running:
            self.status_var.set("Training export is opt-in: tick the consent box to enable it.")

    def _on_option_changed(self, *args: object) -> None:
        try:
            self._update_state()
        except Exception:
            log.exception("prompt-tracking: export tab update failed")

    def _on_consent_toggled(self) -> None:
        try:
            if self.consent_var.get():
                settings.grant_export_consent(self.tracker.data_dir, via="gui")
                self.status_var.set("Consent saved. You will not be asked again.")
            else:
                settings.revoke_export_consent(self.tracker.data_dir)
        except OSError as exc:
            self.consent_var.set(self._stored_consent())
            self.status_var.set(f"Could not save the consent setting: {exc}")
        self._update_state()

    def _choose_folder(self) -> None:
        folder = filedialog.askdirectory(parent=self, initialdir=self.folder_var.get() or None,
                                         title="Export training data to")
        if folder:
            self.folder_var.set(folder)

    # -- the export ------------------------------------------------------------------------
    def _start_export(self) -> None:
        if self.running or not self.consent_var.get():
            return
        # Everything the worker needs is read here, on the Tk thread.
        target = dated_folder(Path(self.folder_var.get().strip()).expanduser())
        options = {"tasks": [t for t, v in self.task_vars.items() if v.get()],
                   "formats": [f for f, v in self.format_vars.items() if v.get()],
                   "redact_pii": self.redact_var.get()}
        # Free unreachable Tk objects (widget trees are cycles) here on the Tk thread; the
        # worker would otherwise be the thread that collects them, and Tcl aborts on that.
        gc.collect()
        self._busy = True
        self.progress_var.set(0.0)
        self.status_var.set("Exporting…")
        self._worker = threading.Thread(target=self._work, args=(target, options),
                                        name="prompt-tracking-export", daemon=True)
        self._worker.start()
        self._after_id = self.after(POLL_MS, self._poll)
        self._update_state()

    def _work(self, target: Path, options: dict[str, Any]) -> None:
        """Worker thread: no Tk here, only the queue."""
        try:
            report = export_training_data(
                self.tracker, target, consent_via="gui",
                progress=lambda fraction, message: self._queue.put(("progress", fraction, message)),
                **options)
            self._queue.put(("done", report))
        except Exception as exc:
            log.warning("prompt-tracking: export from the Export tab failed: %s", exc)
            self._queue.put(("error", str(exc)))

    def _poll(self) -> None:
        self._after_id = None
        finished = False
        try:
            for _ in range(MESSAGES_PER_TICK):
                try:
                    message = self._queue.get_nowait()
                except queue.Empty:
                    break
                finished = self._handle(message) or finished
        except Exception:
            log.exception("prompt-tracking: export progress update failed")
        if not finished:
            self._after_id = self.after(POLL_MS, self._poll)
        else:
            self._busy = False
            self._update_state()

    def _handle(self, message: tuple) -> bool:
        """Apply one queued message; True when the export has ended."""
        kind = message[0]
        if kind == "progress":
            self.progress_var.set(round(100.0 * message[1], 1))
            self.status_var.set(message[2])
            return False
        if kind == "done":
            self.last_report = report = message[1]
            self.progress_var.set(100.0)
            self.status_var.set(f"Exported {report.total_rows} rows from {report.records_read} "
                                f"records to {report.out_dir}")
            return True
        self.progress_var.set(0.0)
        self.status_var.set(f"Export failed, nothing was written: {message[1]}")
        return True

    def destroy(self) -> None:
        if self._after_id is not None:
            self.after_cancel(self._after_id)
            self._after_id = None
        for var, trace_id in self._traces:
            try:
                var.trace_remove("write", trace_id)
            except tk.TclError:
                pass
        self._traces = []
        super().destroy()
        # Drop the Tk variables now, on the Tk thread. Left to the cycle collector (widget
        # trees are cycles) they could be freed on a worker thread, where Tcl calls fail.
        self.task_vars, self.format_vars = {}, {}
        for name in ("folder_var", "redact_var", "consent_var", "status_var", "progress_var"):
            setattr(self, name, None)


def build_export_tab(parent: tk.Misc, tracker: Any) -> ttk.Frame:
    """The Export tab for the analytics window's notebook.

    Args:
        parent: The notebook (or any container).
        tracker: The `EnhancedPromptTracker` to export from.

    Returns:
        The tab's frame (an `ExportTab`), not yet placed.
    """
    return ExportTab(parent, tracker)
