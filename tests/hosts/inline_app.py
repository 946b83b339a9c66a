"""Shape 2 and 5: the API is called on the Tk thread inside the button's command.

`generate_image()` checks its input (a warning box and `return` when the prompt is
empty: nothing starts), calls the API, then sets the image on a Label or shows an error
box. The prompt field is also bound to <Return> with the same method, which takes no
event argument: pressing Return raises a TypeError in Tk, a real bug in real apps.
"""
from __future__ import annotations

import os
import tkinter as tk
from tkinter import messagebox

from . import sdk


class App:
    def __init__(self, root: tk.Tk, output_dir: str) -> None:
        self.root = root
        self.output_dir = output_dir
        self.last_image_path = None
        root.title("Text to Image")
        tk.Label(root, text="Describe your image").pack(anchor="w", padx=8, pady=(8, 0))
        self.prompt = tk.Entry(root, width=60)
        self.prompt.pack(fill="x", padx=8)
        self.prompt.bind("<Return>", self.generate_image)
        self.size = tk.StringVar(value="512x512")
        tk.OptionMenu(root, self.size, "256x256", "512x512", "1024x1024").pack(anchor="w",
                                                                             padx=8)
        self.button = tk.Button(root, text="Generate", command=self.generate_image)
        self.button.pack(pady=4)
        self.status = tk.Label(root, text="")
        self.status.pack()
        self.image_label = tk.Label(root)
        self.image_label.pack(fill="both", expand=True)

    def generate_image(self):
        prompt = self.prompt.get().strip()
        if not prompt:
            messagebox.showwarning("Missing prompt", "Please type a prompt first.")
            return
        self.status.config(text="Generating...")
        self.root.update()
        try:
            data = sdk.generate_image(prompt, model="dall-e-2", size=self.size.get())
        except sdk.APIError as e:
            self.status.config(text="Failed")
            messagebox.showerror("Generation failed", e.message)
            return
        path = os.path.join(self.output_dir, f"{len(os.listdir(self.output_dir))}.png")
        with open(path, "wb") as f:
            f.write(data)
        self.img = tk.PhotoImage(file=path)
        self.image_label.config(image=self.img)
        self.last_image_path = path
        self.status.config(text="Done")
