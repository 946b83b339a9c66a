"""Shape 4: one click submits one job per selected model to a thread pool; each job
reports `add_to_carousel(image, name, filepath)` on the Tk thread (through `root.after`),
a failed job `job_failed(name, error)`."""
from __future__ import annotations

import os
import tkinter as tk
from concurrent.futures import ThreadPoolExecutor
from tkinter import ttk

from . import sdk

MODELS = ("dall-e-2", "dall-e-3", "gpt-image-1")


class MultiModelApp(ttk.Frame):
    def __init__(self, master: tk.Misc, output_dir: str) -> None:
        super().__init__(master, padding=8)
        self.output_dir = output_dir
        self.pool = ThreadPoolExecutor(max_workers=4)
        self.prompt_text = tk.Text(self, height=3, width=50)
        self.prompt_text.pack(fill="x")
        self.model_vars = {}
        row = ttk.Frame(self)
        row.pack(fill="x")
        for name in MODELS:
            var = tk.BooleanVar(self, value=name != "gpt-image-1")
            ttk.Checkbutton(row, text=name, variable=var).pack(side="left")
            self.model_vars[name] = var
        self.quality = ttk.Combobox(self, values=["standard", "hd"], state="readonly")
        self.quality.set("standard")
        self.quality.pack(anchor="w")
        self.generate_button = ttk.Button(self, text="Generate", command=self.generate_all)
        self.generate_button.pack(anchor="e")
        self.carousel = ttk.Frame(self)
        self.carousel.pack(fill="both", expand=True)
        self.thumbs = []
        self.errors = []

    def selected_models(self):
        return [name for name, var in self.model_vars.items() if var.get()]

    def generate_all(self):
        prompt = self.prompt_text.get("1.0", "end").strip()
        for name in self.selected_models():
            self.pool.submit(self.run_job, name, prompt)

    def run_job(self, name, prompt):
        try:
            data = sdk.generate_image(prompt, model=name, size="64x64")
        except Exception as e:
            self.after(0, self.job_failed, name, e)
            return
        filepath = os.path.join(self.output_dir, f"{name}_{len(os.listdir(self.output_dir))}.png")
        with open(filepath, "wb") as f:
            f.write(data)
        self.after(0, self.add_to_carousel, data, name, filepath)

    def add_to_carousel(self, image, name, filepath):
        photo = tk.PhotoImage(master=self, data=image)
        label = ttk.Label(self.carousel, image=photo, text=name, compound="top")
        label.image = photo
        label.pack(side="left", padx=4)
        self.thumbs.append((name, filepath))

    def job_failed(self, name, error):
        self.errors.append((name, str(error)))

    def destroy(self):
        self.pool.shutdown(wait=False)
        super().destroy()
