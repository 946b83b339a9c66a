"""The demo host app: five example layouts in tabs, each tracked with one line.

`DemoApp` builds into any Tk root (the tests use a plain one); `open_demo` opens it in a
ttkbootstrap window (`prompt-tracker demo`), on its own store (never the user's real one), with a simulated
backend, so it needs no network and no API key.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tkinter as tk
from pathlib import Path
from tkinter import messagebox, ttk
from typing import Any

from prompt_tracking.integration import quick_integrate_tracking

from .backend import DemoBackend
from .layouts import SeedanceLayout, SeedEditLayout, SeedreamLayout, UpscalerLayout, WanLayout

log = logging.getLogger(__name__)

STATUS_POLL_MS = 1000


def default_demo_dir() -> Path:
    """`<the data dir>/demo`: beside the real store, never in it."""
    from prompt_tracking import default_data_dir

    return default_data_dir() / "demo"


class DemoApp:
    """The demo's tabs, menu and status line inside `root`.

    Args:
        root: the window to build in.
        tracker: where the layouts' generations are logged.
        backend: the simulated generation backend.
    """

    def __init__(self, root: tk.Tk, tracker: Any, backend: DemoBackend) -> None:
        self.root = root
        self.tracker = tracker
        self.backend = backend
        bootstrap = sys.modules.get("ttkbootstrap")
        # ttkbootstrap 2.x styles the tabs only for its own Notebook (built on first use).
        self.notebook: ttk.Notebook
        if bootstrap is not None and isinstance(root, bootstrap.Window):
            self.notebook = bootstrap.Notebook(root)
        else:
            self.notebook = ttk.Notebook(root)
        self.notebook.pack(fill="both", expand=True, padx=8, pady=(8, 0))
        self.seededit = SeedEditLayout(self.notebook, backend)
        self.seedream = SeedreamLayout(self.notebook, backend)
        self.wan = WanLayout(self.notebook, backend)
        self.upscaler = UpscalerLayout(self.notebook, backend)
        self.seedance = SeedanceLayout(self.notebook, backend)
        self.layouts = [self.seededit, self.seedream, self.wan, self.upscaler, self.seedance]
        for layout in self.layouts:
            self.notebook.add(layout, text=layout.title)

        # The point of the demo: one line per layout, whatever its shape.
        self.handles = [
            quick_integrate_tracking(self.seededit, "seededit-3.0",
                                     params_getter=self.seededit.parameters, tracker=tracker),
            quick_integrate_tracking(self.seedream, "seedream-4.0",
                                     params_getter=self.seedream.parameters, tracker=tracker,
                                     process_method="generate", success_method="on_images_ready",
                                     failure_method="on_generation_error"),
            quick_integrate_tracking(self.wan, self.wan.model_name,
                                     params_getter=self.wan.parameters, tracker=tracker,
                                     process_method="start_video", success_method="handle_video",
                                     failure_method="handle_error"),
            quick_integrate_tracking(self.upscaler, "real-esrgan-x4",
                                     params_getter=self.upscaler.parameters, tracker=tracker,
                                     process_method="upscale"),
            quick_integrate_tracking(self.seedance, "seedance-1.0-pro",
                                     params_getter=self.seedance.parameters, tracker=tracker,
                                     success_method="on_success", failure_method="on_failure"),
        ]

        self._accent_generate_buttons()
        self.status = ttk.Label(root, anchor="w", padding=(10, 4))
        self.status.pack(fill="x", side="bottom")
        self._build_menu()
        self._revision = -1
        self._status_after: str | None = None
        self._update_status()

    def _accent_generate_buttons(self) -> None:
        """In a ttkbootstrap window, give each Generate button the theme's primary style.

        ttkbootstrap 2.x builds a style when a widget first asks for it, so one probe
        button makes it; plain Tk roots (the tests) keep the stock look.
        """
        bootstrap = sys.modules.get("ttkbootstrap")
        if bootstrap is None or not isinstance(self.root, bootstrap.Window):
            return
        probe = bootstrap.Button(self.root, bootstyle="primary")
        style = probe.cget("style")
        probe.destroy()
        for layout in self.layouts:
            layout.generate_button.configure(style=style)

    def _build_menu(self) -> None:
        menubar = tk.Menu(self.root)
        tools = tk.Menu(menubar, tearoff=False)
        tools.add_command(label="Analytics...", command=self.open_analytics)
        tools.add_command(label="Review unrated...", command=self.open_review)
        tools.add_command(label="Training export...", command=self.open_export)
        tools.add_command(label="Import old history...", command=self.open_migration)
        tools.add_separator()
        tools.add_command(label="Where is the demo store?", command=self.show_store)
        tools.add_command(label="Quit", command=self.root.destroy)
        menubar.add_cascade(label="Tracking", menu=tools)
        self.root.configure(menu=menubar)
        self.menu = tools

    # -- menu commands (imported on first use: the demo opens before matplotlib loads) -----

    def open_analytics(self) -> Any:
        from prompt_tracking.analytics_window import open_analytics_window

        return open_analytics_window(self.root, tracker=self.tracker)

    def open_review(self) -> Any:
        from prompt_tracking.analytics_window import open_review_window

        return open_review_window(self.root, self.tracker, on_back=self.open_analytics)

    def open_export(self) -> Any:
        window = self.open_analytics()
        window.select_tab("Export")
        return window

    def open_migration(self) -> Any:
        from prompt_tracking.widgets.dialogs.migration_dialog import open_migration_dialog

        return open_migration_dialog(self.root, self.tracker)

    def show_store(self) -> None:
        messagebox.showinfo("Demo store", f"The demo logs to\n{self.tracker.data_dir}\n\n"
                            "Your real prompt history is not touched.", parent=self.root)

    # -- status line -----------------------------------------------------------------------

    def _update_status(self) -> None:
        self._status_after = None
        try:
            if self.tracker.revision != self._revision:
                self._revision = self.tracker.revision
                stats = self.tracker.stats()
                self.status.configure(text=(
                    f"Demo store {self.tracker.data_dir}  ·  {stats['total']} prompts, "
                    f"{stats['rated']} rated  ·  simulated backend, no network"))
        except Exception:
            log.exception("demo: could not update the status line")
        try:
            self._status_after = self.root.after(STATUS_POLL_MS, self._update_status)
        except tk.TclError:
            pass  # closing

    def close(self) -> None:
        """Remove the integrations and cancel our timer."""
        if self._status_after is not None:
            self.root.after_cancel(self._status_after)
            self._status_after = None
        for handle in self.handles:
            handle.remove()


def open_demo(args: argparse.Namespace) -> tuple[Any, DemoApp]:
    """Create the window, the tracker and the app from parsed arguments (not yet running)."""
    import ttkbootstrap

    from prompt_tracking import EnhancedPromptTracker

    data_dir = Path(getattr(args, "data_dir", None) or default_demo_dir())
    tracker = EnhancedPromptTracker(data_dir)
    if args.seed_history:
        from prompt_tracking.synthetic.history import fill_store

        fill_store(tracker, args.seed_history)
    window = ttkbootstrap.Window(title="prompt-tracking demo", themename=args.theme,
                                 size=(1120, 760), minsize=(900, 620))
    app = DemoApp(window, tracker, DemoBackend(data_dir / "results", delay=args.delay))
    return window, app
