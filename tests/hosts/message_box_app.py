"""Shape 1: the outcome only reaches the user through a message box.

Generate starts a worker thread; the worker saves the image and ends with
`messagebox.showinfo("Done", f"Saved to {path}")` or `messagebox.showerror("Error", str(e))`,
called from the worker thread itself (`ImageGeneratorApp`) or handed to the Tk thread
with `root.after` (`AfterImageGeneratorApp`). No method receives the outcome.
"""
from __future__ import annotations

import os
import threading
import tkinter as tk
from tkinter import messagebox, ttk

from . import sdk


class ImageGeneratorApp:
    def __init__(self, root: tk.Tk, output_dir: str) -> None:
        self.root = root
        self.output_dir = output_dir
        self.count = 0
        root.title("AI Image Generator")
        frame = ttk.Frame(root, padding=10)
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text="Prompt:").grid(row=0, column=0, sticky="w")
        self.prompt_entry = ttk.Entry(frame, width=50)
        self.prompt_entry.grid(row=0, column=1, sticky="we", padx=5)
        ttk.Label(frame, text="Size:").grid(row=1, column=0, sticky="w")
        self.size_var = tk.StringVar(value="256x256")
        ttk.Combobox(frame, textvariable=self.size_var, state="readonly",
                     values=["256x256", "512x512", "1024x1024"]).grid(row=1, column=1, sticky="w",
                                                                      padx=5)
        self.generate_btn = ttk.Button(frame, text="Generate", command=self.generate)
        self.generate_btn.grid(row=2, column=1, sticky="e", pady=5)
        self.image_label = ttk.Label(frame)
        self.image_label.grid(row=3, column=0, columnspan=2)

    def generate(self) -> None:
        prompt = self.prompt_entry.get()
        threading.Thread(target=self.worker, args=(prompt, self.size_var.get()),
                         daemon=True).start()

    def worker(self, prompt: str, size: str) -> None:
        try:
            data = sdk.generate_image(prompt, size=size)
            self.count += 1
            path = os.path.join(self.output_dir, f"image_{self.count}.png")
            with open(path, "wb") as file:
                file.write(data)
            self.root.after(0, self.show_image, path)
            self.report_done(path)
        except Exception as e:
            self.report_error(e)

    def report_done(self, path: str) -> None:
        messagebox.showinfo("Done", f"Saved to {path}")

    def report_error(self, error: Exception) -> None:
        messagebox.showerror("Error", str(error))

    def show_image(self, path: str) -> None:
        self.photo = tk.PhotoImage(file=path)
        self.image_label.configure(image=self.photo)


class AfterImageGeneratorApp(ImageGeneratorApp):
    """The same app, but the boxes are shown on the Tk thread through `root.after`."""

    def report_done(self, path: str) -> None:
        self.root.after(0, lambda: messagebox.showinfo("Done", f"Saved to {path}"))

    def report_error(self, error: Exception) -> None:
        message = str(error)
        self.root.after(0, lambda: messagebox.showerror("Error", message))
