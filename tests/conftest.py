"""Shared fixtures: a private store per test, and a real Tk root on a virtual display.

GUI tests take the `tk_root` fixture. When no DISPLAY is set, one Xvfb server is started
for the whole run (on a free display number chosen by Xvfb itself), so the suite runs the
same on a desktop, in CI and in parallel sessions.
"""
from __future__ import annotations

import gc
import os
import shutil
import subprocess
import time

import pytest


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data dir; PROMPT_TRACKING_HOME points at it so nothing touches the real store."""
    path = tmp_path / "store"
    monkeypatch.setenv("PROMPT_TRACKING_HOME", str(path))
    return path


@pytest.fixture
def tracker(data_dir):
    from prompt_tracking import EnhancedPromptTracker

    with EnhancedPromptTracker(data_dir) as t:
        yield t


@pytest.fixture(scope="session")
def display():
    """The X display for GUI tests: the existing one, or a private Xvfb."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if not shutil.which("Xvfb"):
        pytest.fail("GUI tests need Xvfb (apt-get install -y xvfb) or a DISPLAY")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1400x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 15
    with os.fdopen(read_fd, "rb") as pipe:
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = pipe.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip():
        proc.kill()
        pytest.fail("Xvfb did not start")
    os.environ["DISPLAY"] = f":{number.decode().strip()}"
    yield os.environ["DISPLAY"]
    del os.environ["DISPLAY"]
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def tk_root(display):
    """A visible Tk root; any exception in a Tk callback fails the test."""
    import tkinter as tk

    root = tk.Tk()
    root.geometry("800x600+0+0")
    errors: list[BaseException] = []
    root.report_callback_exception = lambda exc, val, tb: errors.append(val)
    root.update()
    yield root
    root.update()
    try:
        root.destroy()
    except tk.TclError:
        pass
    # Collect the dead widgets' reference cycles here, on the Tk thread: if the collector
    # ran later on the tracker's writer thread, Tcl would be torn down off its thread.
    gc.collect()
    assert not errors, f"exceptions in Tk callbacks: {errors!r}"
