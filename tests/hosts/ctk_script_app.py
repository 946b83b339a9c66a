"""Shape 3: a customtkinter script app: the widgets are module globals, the layout is
the module, and the functions are module-level. The worker hands its outcome to the Tk
thread with `app.after`. A plain Tk button after the CTk widgets starts it too."""
from __future__ import annotations

import os
import tempfile
import threading
import tkinter as tk

import customtkinter as ctk

from . import sdk

OUTPUT_DIR = tempfile.mkdtemp(prefix="ctk-app-")

ctk.set_appearance_mode("dark")
app = ctk.CTk()
app.title("CTk Image Studio")
app.geometry("700x560")

prompt_entry = ctk.CTkEntry(app, width=400, placeholder_text="Describe an image")
prompt_entry.pack(pady=10)
style_menu = ctk.CTkOptionMenu(app, values=["photo", "anime", "oil painting"])
style_menu.pack()
status_label = ctk.CTkLabel(app, text="")
status_label.pack()
image_label = ctk.CTkLabel(app, text="")
image_label.pack(expand=True, fill="both")


def worker(prompt, style):
    try:
        data = sdk.generate_image(f"{prompt}, {style}", model="dall-e-3", size="256x256")
        path = os.path.join(OUTPUT_DIR, f"ctk_{len(os.listdir(OUTPUT_DIR))}.png")
        with open(path, "wb") as f:
            f.write(data)
        app.after(0, show_image, path)
    except Exception as e:
        app.after(0, show_error, str(e))


def generate():
    prompt = prompt_entry.get()
    status_label.configure(text="Generating...")
    threading.Thread(target=worker, args=(prompt, style_menu.get()), daemon=True).start()


def show_image(path):
    global photo
    photo = tk.PhotoImage(file=path)
    image_label.configure(image=photo, text="")
    status_label.configure(text=f"Saved {os.path.basename(path)}")


def show_error(message):
    status_label.configure(text=f"Error: {message[:80]}")


generate_button = ctk.CTkButton(app, text="Generate", command=generate)
generate_button.pack(pady=10)
classic_button = tk.Button(app, text="Generate (classic)", command=generate)
classic_button.pack()

if __name__ == "__main__":
    app.mainloop()
