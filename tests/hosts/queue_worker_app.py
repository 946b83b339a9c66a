"""A start that hands its job to a worker thread the app started once, through a queue:
nothing visible is started per click. The worker reports `on_result(path)` /
`on_error(message)` on the Tk thread through `after`."""
from __future__ import annotations

import os
import queue
import threading
import tkinter as tk
from tkinter import ttk

from . import sdk


class QueueWorkerApp(ttk.Frame):
    def __init__(self, master: tk.Misc, output_dir: str) -> None:
        super().__init__(master)
        self.output_dir = output_dir
        self.jobs: queue.Queue = queue.Queue()
        self.prompt_entry = ttk.Entry(self)
        self.prompt_entry.pack()
        self.button = ttk.Button(self, text="Generate", command=self.enqueue)
        self.button.pack()
        self.shown = []
        threading.Thread(target=self.serve, name="job-worker", daemon=True).start()

    def enqueue(self):
        self.jobs.put(self.prompt_entry.get())

    def serve(self):
        while True:
            prompt = self.jobs.get()
            if prompt is None:
                return
            try:
                data = sdk.generate_image(prompt, size="32x32")
            except Exception as e:
                self.after(0, self.on_error, str(e))
                continue
            path = os.path.join(self.output_dir, f"q{len(os.listdir(self.output_dir))}.png")
            with open(path, "wb") as f:
                f.write(data)
            self.after(0, self.on_result, path)

    def on_result(self, path):
        self.shown.append(path)

    def on_error(self, message):
        self.shown.append(message)

    def destroy(self):
        self.jobs.put(None)
        super().destroy()
