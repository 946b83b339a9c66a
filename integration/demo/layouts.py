"""Five example layouts, stand-ins for the tabs of a real image/video generation app.

They are written the way host apps really are, knowing nothing of prompt tracking: the
Generate button captured the start method when the layout was built, and each layout
reports outcomes its own way (one `after_processing` on the Tk thread, split handlers,
handlers called on the worker thread). Each hands its own UI work to the Tk thread
through a queue drained with `after()`. Plain ttk only: the app chooses the theme.
"""
from __future__ import annotations

import logging
import os
import queue
import textwrap
import tkinter as tk
from collections.abc import Callable
from tkinter import filedialog, ttk
from typing import Any, TypeVar, cast

from prompt_tracking import categorize_failure
from prompt_tracking.widgets._tk import widget_classes  # the host kit's Spinbox: themed in dark apps

from .backend import DemoBackend, Outcome

log = logging.getLogger(__name__)

POLL_MS = 50
PREVIEW_MAX = (620, 470)
THUMB_MAX = 120

_W = TypeVar("_W", bound=tk.Widget)


def fit_photo(master: tk.Misc, path: str, max_size: tuple[int, int]) -> tk.PhotoImage:
    """A PhotoImage of the PNG at `path`, shrunk by an integer factor to fit `max_size`."""
    photo = tk.PhotoImage(master=master, file=path)
    factor = max(1, -(-photo.width() // max_size[0]), -(-photo.height() // max_size[1]))
    return photo.subsample(factor) if factor > 1 else photo


class DemoLayout(ttk.Frame):
    """What the five layouts share: a form on the left, the result on the right."""

    title = ""
    description = ""
    backend_model = ""
    uses_input_image = False
    generate_button: ttk.Button  # made by each layout's build_form()

    def __init__(self, master: tk.Misc, backend: DemoBackend) -> None:
        super().__init__(master, padding=12)
        self.backend = backend
        self.input_image: str | None = backend.sample_image() if self.uses_input_image else None
        self._ui_queue: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = \
            queue.SimpleQueue()
        self._photos: dict[str, tk.PhotoImage] = {}
        self.columnconfigure(1, weight=1)
        self.rowconfigure(1, weight=1)
        ttk.Label(self, text=self.title, font="-size 14 -weight bold").grid(
            row=0, column=0, sticky="w")
        ttk.Label(self, text=self.description, wraplength=520).grid(
            row=0, column=1, sticky="w", padx=(16, 0))
        self.form = ttk.Frame(self)
        self.form.grid(row=1, column=0, sticky="nw", pady=(10, 0))
        self.form.columnconfigure(1, weight=1)
        self.result_label = ttk.Label(self, text="The result will appear here.", anchor="center",
                                      relief="groove", padding=8)
        self.result_label.grid(row=1, column=1, sticky="nsew", padx=(16, 0), pady=(10, 0))
        self.status = ttk.Label(self, text="Ready")
        self.status.grid(row=2, column=0, columnspan=2, sticky="w", pady=(8, 0))
        self._row = 0
        if self.uses_input_image:
            self._build_input_image_row()
        self.build_form()
        self._poll_id: str | None = self.after(POLL_MS, self._poll_ui)

    # -- pieces the layouts use ----------------------------------------------------------

    def build_form(self) -> None:
        raise NotImplementedError

    def add_row(self, label: str, widget: _W) -> _W:
        ttk.Label(self.form, text=label).grid(row=self._row, column=0, sticky="nw", pady=3,
                                              padx=(0, 8))
        widget.grid(row=self._row, column=1, sticky="we", pady=3)
        self._row += 1
        return widget

    def add_text(self, label: str) -> tk.Text:
        text = tk.Text(self.form, height=4, width=40, wrap="word", relief="flat",
                       highlightthickness=1)
        # tk.Text is not a themed widget: give it the theme's entry colours, so a dark theme
        # has no white box in it.
        style = ttk.Style(self)
        background = style.lookup("TEntry", "fieldbackground") or None
        foreground = style.lookup("TEntry", "foreground") or None
        border = style.lookup("TEntry", "bordercolor") or "#adb5bd"
        if background and foreground:
            text.configure(background=background, foreground=foreground,
                           insertbackground=foreground, highlightbackground=border,
                           highlightcolor=border)
        return self.add_row(label, text)

    def add_choice(self, label: str, values: tuple[str, ...], value: str) -> ttk.Combobox:
        box = ttk.Combobox(self.form, values=values, state="readonly", width=14)
        box.set(value)
        return self.add_row(label, box)

    def add_generate_button(self, text: str, command: Callable[..., Any]) -> ttk.Button:
        button = ttk.Button(self.form, text=text, command=command)
        button.grid(row=self._row, column=1, sticky="e", pady=(10, 0))
        self._row += 1
        return button

    def _build_input_image_row(self) -> None:
        row = ttk.Frame(self.form)
        self.input_thumb = ttk.Label(row)
        self.input_thumb.pack(side="left")
        ttk.Button(row, text="Choose...", command=self.choose_input_image).pack(
            side="left", padx=8, anchor="s")
        self.add_row("Input image", row)
        self._show_input()

    def choose_input_image(self) -> None:
        path = filedialog.askopenfilename(parent=self, filetypes=[("Images", "*.png *.gif")])
        if path:
            self.input_image = path
            self._show_input()

    def _show_input(self) -> None:
        if self.input_image:
            self._photos["input"] = fit_photo(self, self.input_image, (THUMB_MAX, THUMB_MAX))
            self.input_thumb.configure(image=self._photos["input"])

    def run_on_ui(self, func: Callable[..., Any], *args: Any) -> None:
        """The host's own hand-off: worker threads queue UI work for the Tk thread."""
        self._ui_queue.put((func, args))

    def submit(self, prompt: str, parameters: dict[str, Any],
               callback: Callable[[Outcome], Any]) -> None:
        self.status.configure(text=f"Generating with {self.title}...")
        self.backend.submit(self.backend_model, prompt, parameters, callback)

    def show_result(self, path: str) -> None:
        try:
            self._photos["result"] = fit_photo(self, path, PREVIEW_MAX)
        except tk.TclError as exc:
            self.show_error(f"cannot show {os.path.basename(path)}: {exc}")
            return
        self.result_label.configure(image=self._photos["result"], text="")
        self.status.configure(text=f"Done: {os.path.basename(path)}")

    def show_error(self, message: Any) -> None:
        text = str(message)
        self.status.configure(text=f"Failed: {text.splitlines()[0][:110] if text else ''}")
        # The demo shows off categorization: the reason the tracker derives, then the raw error.
        reason = categorize_failure(message).value.replace("_", " ")
        self._photos.pop("result", None)
        self.result_label.configure(
            image="", text=f"Generation failed: {reason}\n\n{textwrap.shorten(text, 400)}",
            wraplength=max(200, self.result_label.winfo_width() - 40), justify="center")

    def _poll_ui(self) -> None:
        while True:
            try:
                func, args = self._ui_queue.get_nowait()
            except queue.Empty:
                break
            try:
                func(*args)
            except Exception:
                log.exception("demo layout: UI update failed")
        self._poll_id = self.after(POLL_MS, self._poll_ui)

    def destroy(self) -> None:
        if self._poll_id is not None:
            self.after_cancel(self._poll_id)
            self._poll_id = None
        super().destroy()


class SeedEditLayout(DemoLayout):
    """Image edit. Reports through one `after_processing`, on the Tk thread."""

    title = "SeedEdit"
    description = "Edit a photo with an instruction: describe the change you want."
    backend_model = "seededit"
    uses_input_image = True

    def build_form(self) -> None:
        self.prompt_text = self.add_text("Instruction")
        self.strength = self.add_row("Strength", widget_classes(self.form).Spinbox(self.form, from_=0.1, to=1.0,
                                                             increment=0.1, width=6))
        self.strength.set("0.7")
        self.generate_button = self.add_generate_button("Apply edit", self.process_model)

    def parameters(self) -> dict[str, Any]:
        return {"strength": float(self.strength.get()), "input_image": self.input_image}

    def process_model(self) -> bool | None:
        instruction = self.prompt_text.get("1.0", "end-1c").strip()
        if not instruction:
            self.status.configure(text="Type an instruction first.")
            return False  # nothing started
        self.submit(instruction, self.parameters(), lambda o: self.run_on_ui(
            self.after_processing, o.success, o.path, o.error_message))
        return None

    def after_processing(self, success: bool, result_url: str | None = None,
                         error_message: str | None = None) -> None:
        if success and result_url:
            self.show_result(result_url)
        else:
            self.show_error(error_message)


class SeedreamLayout(DemoLayout):
    """Text to image. Split handlers (a response dict, an exception), on the Tk thread."""

    title = "Seedream"
    description = "Text to image: describe the picture, pick a size and a guidance."
    backend_model = "seedream"
    # The size choice shadows Misc.size (an alias of grid_size), as host apps' attributes do;
    # nothing calls grid_size through it.
    size: ttk.Combobox  # type: ignore[assignment]

    def build_form(self) -> None:
        self.prompt_text = self.add_text("Prompt")
        self.negative_entry = self.add_row("Negative", ttk.Entry(self.form, width=40))
        self.size = self.add_choice("Size", ("1024x1024", "1664x936", "936x1664"), "1024x1024")
        self.guidance = self.add_row("Guidance", widget_classes(self.form).Spinbox(self.form, from_=1, to=20, width=6))
        self.guidance.set("7.5")
        self.references: list[str] = []
        self.reference_label = ttk.Label(self.form, text="none")
        self.add_row("References", self.reference_label)
        ttk.Button(self.form, text="Add reference...", command=self.add_reference).grid(
            row=self._row, column=1, sticky="w")
        self._row += 1
        self.generate_button = self.add_generate_button("Generate", self.generate)

    def add_reference(self) -> None:
        path = filedialog.askopenfilename(parent=self, filetypes=[("Images", "*.png *.gif")])
        if path:
            self.references.append(path)
            self.reference_label.configure(text=", ".join(map(os.path.basename, self.references)))

    def parameters(self) -> dict[str, Any]:
        return {"size": self.size.get(), "guidance_scale": float(self.guidance.get()),
                "negative_prompt": self.negative_entry.get(), "reference_images": self.references}

    def generate(self) -> None:
        prompt = self.prompt_text.get("1.0", "end").strip()
        if not prompt:  # nothing to send: the integration logs no generation for it
            self.status.configure(text="Enter a prompt first.")
            return
        self.submit(prompt, self.parameters(), self._done)

    def _done(self, outcome: Outcome) -> None:  # worker thread
        if outcome.success:
            self.run_on_ui(self.on_images_ready, {"images": [{"url": outcome.path}]})
        else:
            self.run_on_ui(self.on_generation_error, RuntimeError(outcome.error_message))

    def on_images_ready(self, response: dict[str, Any]) -> None:
        self.show_result(response["images"][0]["url"])

    def on_generation_error(self, error: Exception) -> None:
        self.show_error(error)


class WanLayout(DemoLayout):
    """Text or image to video. Split handlers called on the worker thread."""

    title = "WAN 2.2"
    description = "Text or image to video: describe the scene and its motion."
    backend_model = "wan"
    uses_input_image = True

    def build_form(self) -> None:
        self.mode = self.add_choice("Mode", ("text-to-video", "image-to-video"), "text-to-video")
        self.prompt_text = self.add_text("Prompt")
        self.duration = self.add_choice("Duration", ("5 s", "10 s"), "5 s")
        self.resolution = self.add_choice("Resolution", ("480p", "720p"), "720p")
        self.generate_button = self.add_generate_button("Make video", self.start_video)

    def model_name(self) -> str:
        return "wan2.2-i2v" if self.mode.get() == "image-to-video" else "wan2.2-t2v"

    def parameters(self) -> dict[str, Any]:
        params: dict[str, Any] = {"duration": int(self.duration.get().split()[0]),
                                  "resolution": self.resolution.get()}
        if self.mode.get() == "image-to-video":
            params["input_image"] = self.input_image
        return params

    def start_video(self) -> None:
        prompt = self.prompt_text.get("1.0", "end-1c")
        if not prompt.strip():  # nothing to send: the integration logs no generation for it
            self.status.configure(text="Enter a prompt first.")
            return
        # A successful Outcome always carries its result path.
        self.submit(prompt, self.parameters(), lambda o: self.handle_video(cast(str, o.path))
                    if o.success else self.handle_error(o.error_message))

    def handle_video(self, path: str) -> None:  # worker thread
        self.run_on_ui(self.show_result, path)

    def handle_error(self, message: str | None) -> None:  # worker thread
        self.run_on_ui(self.show_error, message)


class UpscalerLayout(DemoLayout):
    """Image upscaling: no prompt; `after_processing` called on the worker thread."""

    title = "Upscaler"
    description = "Upscale an image: choose one and a factor; no prompt needed."
    backend_model = "upscaler"
    uses_input_image = True

    def build_form(self) -> None:
        self.scale = self.add_choice("Scale", ("2", "4"), "4")
        self.face_enhance = self.add_row("Face enhance", ttk.Checkbutton(self.form))
        self.face_enhance.state(["!alternate"])
        self.generate_button = self.add_generate_button("Upscale", self.upscale)

    def parameters(self) -> dict[str, Any]:
        return {"scale": int(self.scale.get()), "input_image": self.input_image,
                "face_enhance": self.face_enhance.instate(["selected"])}

    def upscale(self) -> None:
        self.submit("", self.parameters(), lambda o: self.after_processing(
            o.success, o.path, o.error_message))

    def after_processing(self, success: bool, result_url: str | None = None,
                         error_message: str | None = None) -> None:  # worker thread
        if success:
            self.run_on_ui(self.show_result, result_url)
        else:
            self.run_on_ui(self.show_error, error_message)


class SeedanceLayout(DemoLayout):
    """Dance video from a reference image and a motion prompt; Return also starts it.
    Success gets a list of outputs, failure an exception, both on the worker thread."""

    title = "SeedDance"
    description = "Dance video from a reference image and a motion prompt (Return starts it)."
    backend_model = "seedance"
    uses_input_image = True

    def build_form(self) -> None:
        self.prompt_entry = self.add_row("Motion", ttk.Entry(self.form, width=40))
        self.prompt_entry.bind("<Return>", self.process_model)
        self.style_choice = self.add_choice("Style", ("hip-hop", "ballet", "k-pop", "salsa"),
                                            "hip-hop")
        self.duration = self.add_choice("Duration", ("5 s", "10 s"), "5 s")
        self.generate_button = self.add_generate_button("Animate", self.process_model)

    def parameters(self) -> dict[str, Any]:
        return {"dance_style": self.style_choice.get(),
                "duration": int(self.duration.get().split()[0]),
                "reference_image": self.input_image}

    def process_model(self, event: tk.Event | None = None) -> None:
        self.submit(self.prompt_entry.get(), self.parameters(), self._done)

    def _done(self, outcome: Outcome) -> None:  # worker thread
        if outcome.success:
            self.on_success([cast(str, outcome.path)])  # success always has a path
        else:
            self.on_failure(RuntimeError(outcome.error_message))

    def on_success(self, outputs: list[str]) -> None:  # worker thread
        self.run_on_ui(self.show_result, outputs[0])

    def on_failure(self, error: Exception) -> None:  # worker thread
        self.run_on_ui(self.show_error, error)
