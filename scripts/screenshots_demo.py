"""Screenshot of the demo app for the README: `python scripts/screenshots_demo.py [out.png]`.

Starts its own Xvfb on display :97 (so it never disturbs a desktop or a test run), opens
the demo on a throwaway store pre-filled with synthetic history, drives the Seedream tab
like a user (types a prompt, clicks Generate, waits for the result, rates it) and saves
the window to assets/demo.png with ImageMagick's `import`.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISPLAY = ":97"
PROMPT = "a lighthouse on a rocky coast at blue hour, volumetric fog, 35mm film photo"


def drive(out: Path, tab: str = "seedream", theme: str = "bootstrap-light") -> int:
    """Child process: build the demo, use it, grab the window."""
    sys.path.insert(0, str(ROOT))
    from prompt_tracking.cli import build_parser
    from prompt_tracking.integration.demo.app import open_demo

    data_dir = tempfile.mkdtemp(prefix="demo-shot-")
    args = build_parser().parse_args(["demo", "--data-dir", data_dir, "--seed-history", "400",
                                      "--delay", "0.3", "--theme", theme])
    window, app = open_demo(args)
    window.geometry("1120x760+0+0")
    app.backend.forced = "success"
    layout = getattr(app, tab)
    app.notebook.select(layout)
    prompt_widget = getattr(layout, "prompt_text", None)
    if prompt_widget is not None:
        prompt_widget.insert("1.0", PROMPT)
    if tab == "seedream":
        layout.negative_entry.insert(0, "blurry, text, watermark")
    pump(window, 0.5)
    layout.generate_button.invoke()
    handle = app.handles[app.layouts.index(layout)]
    deadline = time.monotonic() + 10
    while handle.rating_widget.record_id is None and time.monotonic() < deadline:
        pump(window, 0.05)
    stars = handle.rating_widget.stars
    x, y = stars.star_center(4)
    for sequence in ("<Motion>", "<ButtonPress-1>", "<ButtonRelease-1>"):
        stars.event_generate(sequence, x=x, y=y)
    pump(window, 1.2)
    app._revision = -1
    app._update_status()
    pump(window, 0.5)
    # From the screen's corner: the menubar sits above the window's client area.
    geometry = f"{window.winfo_width()}x{window.winfo_rooty() + window.winfo_height()}+0+0"
    subprocess.run(["import", "-window", "root", "-crop", geometry, "+repage", str(out)], check=True)
    app.close()
    app.tracker.close()
    window.destroy()
    return 0


def pump(window, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        window.update()
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "assets" / "demo.png"))
    parser.add_argument("--tab", default="seedream", help="layout to show (seededit, seedream, "
                                                             "wan, upscaler, seedance)")
    parser.add_argument("--theme", default="bootstrap-light", help="ttkbootstrap theme (e.g. darkly)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = Path(args.out).resolve()
    if args.child:
        return drive(out, args.tab, args.theme)
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        env = dict(os.environ, DISPLAY=DISPLAY)
        env.pop("PROMPT_TRACKING_HOME", None)
        result = subprocess.run([sys.executable, __file__, str(out), "--tab", args.tab, "--theme", args.theme, "--child"], env=env,
                                timeout=120)
        if result.returncode == 0:
            print(f"wrote {out}")
        return result.returncode
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
