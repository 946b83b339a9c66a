"""Shape 7: the explicit style. The app mixes in `TrackingMixin`, logs from its worker
thread with `log_success(None, path)` / `log_failure(None, error)` and asks for the
rating on the Tk thread. It is a plain class holding its window, not a widget, and
names no `rating_parent`."""
from __future__ import annotations

import os
import threading
import tkinter as tk
from tkinter import ttk

from prompt_tracking.integration import TrackingMixin

from . import sdk


class TrackedApp(TrackingMixin):
    tracking_model = "dall-e-3"

    def __init__(self, root: tk.Tk, output_dir: str, tracker) -> None:
        self.tracker = tracker
        self.root = root
        self.output_dir = output_dir
        self.prompt_entry = ttk.Entry(root, width=50)
        self.prompt_entry.pack(fill="x")
        self.generate_button = ttk.Button(root, text="Generate", command=self.process_model)
        self.generate_button.pack()
        self.result_label = ttk.Label(root)
        self.result_label.pack(fill="both", expand=True)

    def process_model(self):
        threading.Thread(target=self.work, args=(self.prompt_entry.get(),), daemon=True).start()

    def work(self, prompt):
        try:
            data = sdk.generate_image(prompt, size="128x128")
        except Exception as e:
            self.log_failure(None, e, parameters={"size": "128x128"})
            self.root.after(0, self.show_failure, str(e))
            return
        path = os.path.join(self.output_dir, f"m_{len(os.listdir(self.output_dir))}.png")
        with open(path, "wb") as f:
            f.write(data)
        self.log_success(None, path, parameters={"size": "128x128"})
        self.root.after(0, self.show_result, path)

    def show_result(self, path):
        self.photo = tk.PhotoImage(file=path)
        self.result_label.configure(image=self.photo, text="")
        self.show_quality_rating(path)

    def show_failure(self, message):
        self.result_label.configure(image="", text=message)
