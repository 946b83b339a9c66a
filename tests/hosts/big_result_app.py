"""Shapes 5 and 6: the seed's convention, `process_model()` and
`after_processing(success, result_url, error_message)`, in a window smaller than its
result. The start returns None without starting anything when the prompt is empty or
the key is missing. The result is shown at full size (1024 px) in an 800x600 window,
packed (`PackedResultApp`) or gridded (`GriddedResultApp`) below the form.
"""
from __future__ import annotations

import os
import queue
import threading
import tkinter as tk
from tkinter import ttk

from . import sdk


class PackedResultApp(ttk.Frame):
    def __init__(self, master: tk.Misc, output_dir: str, api_key: str = "sk-test") -> None:
        super().__init__(master)
        self.output_dir = output_dir
        self.api_key = api_key
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.build()
        self.after(50, self.poll)

    def build(self) -> None:
        self.prompt_text = tk.Text(self, height=3)
        self.prompt_text.pack(fill="x")
        self.generate_button = ttk.Button(self, text="Generate", command=self.process_model)
        self.generate_button.pack(anchor="e")
        self.status = ttk.Label(self, text="Ready")
        self.status.pack(anchor="w")
        self.result_label = ttk.Label(self)
        self.result_label.pack(fill="both", expand=True)

    def process_model(self):
        prompt = self.prompt_text.get("1.0", "end-1c").strip()
        if not prompt:
            self.status.configure(text="Type a prompt first.")
            return None
        if not self.api_key:
            self.status.configure(text="Set your API key in Settings.")
            return None
        threading.Thread(target=self.work, args=(prompt,), daemon=True).start()
        self.status.configure(text="Generating...")
        return None

    def work(self, prompt):
        try:
            data = sdk.generate_image(prompt, model="dall-e-3", size="1024x1024")
            path = os.path.join(self.output_dir, f"result_{len(os.listdir(self.output_dir))}.png")
            with open(path, "wb") as f:
                f.write(data)
            self.results.put((True, path, None))
        except Exception as e:
            self.results.put((False, None, str(e)))

    def poll(self):
        while not self.results.empty():
            self.after_processing(*self.results.get_nowait())
        self.after(50, self.poll)

    def after_processing(self, success, result_url=None, error_message=None):
        if success:
            self.photo = tk.PhotoImage(file=result_url)
            self.result_label.configure(image=self.photo)
            self.status.configure(text="Done")
        else:
            self.status.configure(text=f"Failed: {error_message}")


class GriddedResultApp(PackedResultApp):
    def build(self) -> None:
        self.columnconfigure(0, weight=1)
        self.prompt_text = tk.Text(self, height=3)
        self.prompt_text.grid(row=0, column=0, sticky="we")
        self.generate_button = ttk.Button(self, text="Generate", command=self.process_model)
        self.generate_button.grid(row=1, column=0, sticky="e")
        self.status = ttk.Label(self, text="Ready")
        self.status.grid(row=2, column=0, sticky="w")
        self.result_label = ttk.Label(self)
        self.result_label.grid(row=3, column=0, sticky="nsew")
