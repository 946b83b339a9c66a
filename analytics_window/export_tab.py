"""The Export tab of the analytics window: training export with the user's opt-in.

Plain tk/ttk in a plain host; in a ttkbootstrap host its toggles (and the other widgets that
ttkbootstrap only styles for its own classes) are ttkbootstrap's (`theme.widget_classes`). The export runs on a worker thread
that never touches Tk: it puts progress on the GUI's worker-to-Tk queue (`widgets._tk.TkQueue`),
which the Tk thread drains. Every after id and variable trace is cancelled in `destroy()`.
"""
from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import threading
import time
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any

from prompt_tracking import settings
from prompt_tracking.export.auto import auto_export_status, dated_folder
from prompt_tracking.export.media import estimate
from prompt_tracking.export.run import export_training_data
from prompt_tracking.export.files import FORMATS
from prompt_tracking.export.tasks import TASKS

from prompt_tracking.widgets._tk import TkQueue, cancel_after

from .theme import widget_classes

log = logging.getLogger(__name__)

POLL_MS = 100
AUTO_REFRESH_MS = 5000
MESSAGES_PER_TICK = 50
IMAGES_TEXT = "Include the result images (hard-linked, or copied, into the export)"
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


def open_folder(path: Path) -> None:
    """Show `path` in the system's file manager (never raises: logged)."""
    try:
        if sys.platform.startswith("win"):
            os.startfile(str(path))  # type: ignore[attr-defined]
        else:
            opener = "open" if sys.platform == "darwin" else "xdg-open"
            subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    except Exception as exc:
        log.warning("prompt-tracking: cannot open %s: %s", path, exc)


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def describe_estimate(found: dict[str, int]) -> str:
    text = (f"Images: {found['files']} files, {_megabytes(found['bytes'])} at most (no extra "
            "space where a hard link is possible)")
    extra = [f"{found[k]} {k}" for k in ("remote", "missing") if found[k]]
    return text + ("; " + ", ".join(extra) + " (left out)" if extra else "") + "."


def describe_auto(status: dict[str, Any]) -> str:
    """One paragraph: the automatic export's rules, next trigger, folder and last run."""
    def when(epoch: float) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))
    if not status["active"]:
        text = "Automatic export: off (tracker.configure_auto_export turns it on)."
    else:
        rules = []
        if status["every_new_ratings"]:
            rules.append(f"every {status['every_new_ratings']} ratings (next after "
                         f"{status['ratings_until_next']} more)")
        if status["interval_days"]:
            rules.append(f"every {status['interval_days']:g} days (next {when(status['next_due_at'])})")
        if status["on_exit"]:
            rules.append("at exit")
        keep = f"keeps the newest {status['keep']}" if status["keep"] else "keeps all"
        text = (f"Automatic export: {', '.join(rules)}; {keep}"
                f"{', with images' if status['images'] else ''}; into {status['out_dir']}.")
    if status["last_export_at"]:
        text += f" Last run {when(status['last_export_at'])}: {status['last_export_dir']}."
    if status.get("last_error"):
        text += f" Last attempt failed: {status['last_error']}."
    return text


class ExportTab(ttk.Frame):
    """Choose a folder, tasks and formats, give consent once, and export with progress."""

    def __init__(self, parent: tk.Misc, tracker: Any) -> None:
        super().__init__(parent, padding=8)
        self.tracker = tracker
        self.folder_var = tk.StringVar(self, value=str(Path(tracker.data_dir) / "exports"))
        self.task_vars = {task: tk.BooleanVar(self, value=True) for task in TASKS}
        self.format_vars = {fmt: tk.BooleanVar(self, value=fmt == "jsonl") for fmt in FORMATS}
        self.redact_var = tk.BooleanVar(self, value=True)
        self.images_var = tk.BooleanVar(self, value=False)
        self.images_size_var = tk.StringVar(self, value="")
        self.min_rating_var = tk.StringVar(self, value="4")
        self.auto_var = tk.StringVar(self, value="")
        self.last_estimate: dict[str, int] | None = None
        self.consent_var = tk.BooleanVar(self, value=self._stored_consent())
        self.status_var = tk.StringVar(self, value="")
        self.progress_var = tk.DoubleVar(self, value=0.0)
        self.last_report: Any = None
        self._measuring = False
        self._busy = False
        # The GUI's one worker-to-Tk queue: polled only while an export or a measurement runs.
        self._queue: TkQueue[tuple] = TkQueue(
            self, self._on_message, poll_ms=POLL_MS, per_tick=MESSAGES_PER_TICK,
            keep_polling=lambda: self._busy or self._measuring, what="export progress update")
        self._auto_after_id: str | None = None
        self._measuring = False
        self._worker: threading.Thread | None = None
        self._busy = False  # from Export until its result is shown (the thread may still exit)
        self._build()
        watched = [self.folder_var, *self.task_vars.values(), *self.format_vars.values()]
        self._traces = [(var, var.trace_add("write", self._on_option_changed)) for var in watched]
        self._update_state()
        self._refresh_auto()

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
        self.images_check = kit.Checkbutton(options, text=IMAGES_TEXT, variable=self.images_var,
                                            command=self._on_images_toggled)
        self.images_check.grid(row=2, column=0, sticky="w", pady=(4, 0))
        ttk.Label(options, textvariable=self.images_size_var).grid(row=3, column=0, sticky="w",
                                                                   padx=(22, 0))
        rating = ttk.Frame(options)
        rating.grid(row=4, column=0, sticky="w", pady=(4, 0))
        ttk.Label(rating, text="Good examples (chosen, repaired) are rated at least").pack(
            side="left")
        self.min_rating_spin = ttk.Spinbox(rating, from_=3, to=5, increment=1, width=3,
                                           state="readonly", textvariable=self.min_rating_var)
        self.min_rating_spin.pack(side="left", padx=(6, 0))
        self.consent_check = kit.Checkbutton(options, text=CONSENT_TEXT, variable=self.consent_var,
                                             command=self._on_consent_toggled)
        self.consent_check.grid(row=5, column=0, sticky="w", pady=(4, 0))
        ttk.Label(options, text=CONSENT_NOTE, wraplength=520, justify="left").grid(
            row=6, column=0, sticky="w", padx=(22, 0))

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
        self._build_results()

    def _build_results(self) -> None:
        results = ttk.LabelFrame(self, text="Last export", padding=6)
        results.grid(row=5, column=0, sticky="ew", pady=(8, 0))
        results.columnconfigure(0, weight=1)
        self.counts_tree = ttk.Treeview(results, columns=("train", "validation", "test"),
                                        height=6, selectmode="none")
        self.counts_tree.heading("#0", text="Dataset")
        self.counts_tree.column("#0", width=200)
        for split in ("train", "validation", "test"):
            self.counts_tree.heading(split, text=split)
            self.counts_tree.column(split, width=80, anchor="e")
        self.counts_tree.grid(row=0, column=0, sticky="ew")
        self.open_button = ttk.Button(results, text="Open folder", command=self._open_folder)
        self.open_button.grid(row=0, column=1, sticky="n", padx=(8, 0))
        self.open_button.state(["disabled"])
        self.auto_label = ttk.Label(self, textvariable=self.auto_var, wraplength=520,
                                    justify="left")
        self.auto_label.grid(row=6, column=0, sticky="ew", pady=(8, 0))
        self.bind("<Configure>", self._on_resize, add="+")

    def _on_resize(self, event: tk.Event) -> None:
        """Long paths wrap at the tab's width, not at a fixed one that cuts them off."""
        try:
            width = max(300, event.width - 24)
            for label in (self.status_label, self.auto_label):
                label.configure(wraplength=width)
        except Exception:
            log.exception("prompt-tracking: export tab resize failed")

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
                   "redact_pii": self.redact_var.get(), "images": self.images_var.get(),
                   "min_quality_rating": int(self.min_rating_var.get() or 4)}
        # Free unreachable Tk objects (widget trees are cycles) here on the Tk thread; the
        # worker would otherwise be the thread that collects them, and Tcl aborts on that.
        gc.collect()
        self._busy = True
        self.progress_var.set(0.0)
        self.status_var.set("Exporting…")
        self._worker = threading.Thread(target=self._work, args=(target, options),
                                        name="prompt-tracking-export", daemon=True)
        self._worker.start()
        self._queue.start()
        self._update_state()

    def _on_images_toggled(self) -> None:
        """Ticking the box measures what would be copied, off the Tk thread."""
        try:
            if not self.images_var.get():
                self.images_size_var.set("")
                return
            self.images_size_var.set("Images: measuring…")
            self._measuring = True
            threading.Thread(target=self._measure, name="prompt-tracking-export-size",
                             daemon=True).start()
            self._queue.start()
        except Exception:
            log.exception("prompt-tracking: export image size failed")

    def _measure(self) -> None:
        """Worker thread: the files a with-images export would take (rated successes)."""
        try:
            found = estimate(r.result_url for r in self.tracker.records(outcome="success",
                                                                        rated=True))
        except Exception as exc:
            log.warning("prompt-tracking: cannot measure the export images: %s", exc)
            found = None
        self._queue.put(("estimate", found))

    def _work(self, target: Path, options: dict[str, Any]) -> None:
        """Worker thread: no Tk here, only the queue."""
        try:
            if options["images"]:
                self._measure()  # shown before any file is copied
            def progress(fraction: float, message: str) -> None:
                self._queue.put(("progress", fraction, message))

            report = export_training_data(self.tracker, target, consent_via="gui",
                                          progress=progress, **options)
            self._queue.put(("done", report))
        except Exception as exc:
            log.warning("prompt-tracking: export from the Export tab failed: %s", exc)
            self._queue.put(("error", str(exc)))

    def _on_message(self, message: tuple) -> None:
        """One worker message, on the Tk thread (the queue logs our errors)."""
        if self._handle(message):
            self._busy = False
            self._update_state()
            self._refresh_auto()

    def _handle(self, message: tuple) -> bool:
        """Apply one queued message; True when the export has ended."""
        kind = message[0]
        if kind == "estimate":
            self._measuring = False
            self.last_estimate = message[1]
            if self.images_var.get():
                self.images_size_var.set(describe_estimate(message[1]) if message[1] else
                                         "Images: could not be measured.")
            return False
        if kind == "progress":
            self.progress_var.set(round(100.0 * message[1], 1))
            self.status_var.set(message[2])
            return False
        if kind == "done":
            self.last_report = report = message[1]
            self.progress_var.set(100.0)
            images = report.images
            self.status_var.set(f"Exported {report.total_rows} rows from {report.records_read} "
                                f"records to {report.out_dir}" + (
                                    f", with {images['files']} images "
                                    f"({_megabytes(images['bytes'])})" if images else ""))
            self._show_counts(report.counts)
            self.open_button.state(["!disabled"])
            return True
        self.progress_var.set(0.0)
        self.status_var.set(f"Export failed, nothing was written: {message[1]}")
        return True

    def _show_counts(self, counts: dict[str, dict[str, int]]) -> None:
        self.counts_tree.delete(*self.counts_tree.get_children())
        for task, by_split in counts.items():
            self.counts_tree.insert("", "end", iid=task, text=TASK_LABELS.get(task, task),
                                    values=[by_split.get(s, "") for s in ("train", "validation",
                                                                          "test")])

    def _open_folder(self) -> None:
        if self.last_report is not None:
            open_folder(self.last_report.out_dir)

    def _refresh_auto(self) -> None:
        if self._auto_after_id is not None:
            self.after_cancel(self._auto_after_id)
        self._auto_after_id = None
        try:
            self.auto_var.set(describe_auto(auto_export_status(self.tracker)))
        except Exception:
            log.exception("prompt-tracking: auto export state failed")
        self._auto_after_id = self.after(AUTO_REFRESH_MS, self._refresh_auto)

    def destroy(self) -> None:
        self._queue.close()
        cancel_after(self, self._auto_after_id)
        self._auto_after_id = None
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
        for name in ("folder_var", "redact_var", "consent_var", "status_var", "progress_var",
                     "images_var", "images_size_var", "min_rating_var", "auto_var"):
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
