"""Small host layouts written the way real generation apps are, for the integration tests."""
from __future__ import annotations

import queue
import threading
import time
import tkinter as tk
from tkinter import ttk


def wait_until(widget: tk.Misc, condition, timeout: float = 5.0) -> None:
    """Run the Tk loop until `condition()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        widget.update()
        time.sleep(0.005)


def click(button: tk.Misc) -> None:
    """Press and release the left button at the centre of `button`, like a user."""
    button.update()
    x, y = button.winfo_width() // 2, button.winfo_height() // 2
    button.event_generate("<Enter>", x=x, y=y)
    button.event_generate("<ButtonPress-1>", x=x, y=y)
    button.event_generate("<ButtonRelease-1>", x=x, y=y)
    button.update()


class SeedLayout(ttk.Frame):
    """The seed convention: `process_model()` starts a worker; the host drains its own
    queue with `after()` and calls `after_processing(success, result_url, error_message)`
    on the Tk thread. The button and the Return key captured `process_model` at build."""

    def __init__(self, master: tk.Misc, *, use_grid: bool = False) -> None:
        super().__init__(master)
        self.prompt_text = tk.Text(self, height=3, width=40)
        self.prompt_entry = None
        self.steps = tk.IntVar(self, value=30)
        self.generate_button = tk.Button(self, text="Generate", command=self.process_model)
        self.prompt_text.bind("<Control-Return>", self.process_model)
        if use_grid:
            self.prompt_text.grid(row=0, column=0, columnspan=2)
            self.generate_button.grid(row=1, column=1)
        else:
            self.prompt_text.pack()
            self.generate_button.pack()
        self.plan: queue.SimpleQueue = queue.SimpleQueue()  # (success, url, error) per start
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.reported: list[tuple] = []
        self.gate = threading.Event()
        self.gate.set()
        self._poll_id = self.after(10, self._poll)

    def process_model(self, event: tk.Event | None = None) -> str:
        """Start one generation."""
        outcome = self.plan.get_nowait()
        threading.Thread(target=self._work, args=(outcome,), daemon=True).start()
        return "started"

    def _work(self, outcome: tuple) -> None:
        self.gate.wait(5)
        if len(outcome) > 3:  # (success, url, error, delay)
            time.sleep(outcome[3])
        self.inbox.put(outcome[:3])

    def _poll(self) -> None:
        while not self.inbox.empty():
            self.after_processing(*self.inbox.get_nowait())
        self._poll_id = self.after(10, self._poll)

    def after_processing(self, success: bool, result_url: str | None = None,
                         error_message: str | None = None) -> str:
        """Show the outcome."""
        self.reported.append((success, result_url, error_message))
        return "shown"

    def destroy(self) -> None:
        self.after_cancel(self._poll_id)
        super().destroy()


class SplitLayout(ttk.Frame):
    """Separate success and error handlers, called directly on the worker thread."""

    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master)
        self.prompt_entry = ttk.Entry(self, width=40)
        self.prompt_entry.grid(row=0, column=0)
        self.run_button = ttk.Button(self, text="Run", command=self.generate)
        self.run_button.grid(row=0, column=1)
        self.plan: queue.SimpleQueue = queue.SimpleQueue()  # (delay, "ok"|"err", payload)
        self.results: list = []
        self.errors: list = []

    def generate(self) -> None:
        delay, kind, payload = self.plan.get_nowait()
        threading.Thread(target=self._work, args=(delay, kind, payload), daemon=True).start()

    def _work(self, delay: float, kind: str, payload) -> None:
        time.sleep(delay)
        (self.on_images_ready if kind == "ok" else self.on_error)(payload)

    def on_images_ready(self, response) -> None:
        self.results.append(response)  # a real host would queue its own UI update

    def on_error(self, error) -> None:
        self.errors.append(error)
