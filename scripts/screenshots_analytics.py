"""Screenshots of every analytics tab, filled with synthetic data: assets/analytics_<tab>.png.

Runs on its own Xvfb display (:98 by default) so it never draws on a desktop:

    python scripts/screenshots_analytics.py [--records 6000] [--display :98] [--dark]

With no theme flag it shoots every tab in a plain Tk host, then the Overview and Export tabs
in a light ttkbootstrap host (`_bootstrap` suffix); `--dark` shoots a `darkly` host,
`--bootstrap` only the light ttkbootstrap host.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ASSETS = ROOT / "assets"
BOOTSTRAP_TABS = ("Overview", "Export")
SUFFIXES = {None: "", "darkly": "_dark", "bootstrap-light": "_bootstrap"}
SAMPLE_PROMPT = "portrait of a woman, nude, blood splatter, dramatic lighting, 85mm lens"


def start_display(display: str) -> subprocess.Popen:
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "2000x1200x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    os.environ["DISPLAY"] = display
    return proc


def pump(root, seconds: float, until=None) -> None:
    """Run the Tk loop for up to `seconds` (less when `until()` becomes true)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        root.update()
        if until is not None and until():
            return
        time.sleep(0.01)


def capture(window, path: Path) -> None:
    window.update()
    subprocess.run(["import", "-window", hex(window.winfo_id()), str(path)], check=True)
    print("wrote", path)


def prepare_tab(window, title: str, root) -> None:
    """Tab-specific touches: an assessed prompt, a selected row."""
    widget = window.tab_widget(title)
    if title == "Patterns" and widget is not None:
        widget.check.prompt.insert("1.0", SAMPLE_PROMPT)
        widget.check.model.set("seedream-4.0")
        widget.check.assess()
        pump(root, 30, until=lambda: not window.runner.busy("assess"))
    if title == "Export" and widget is not None:
        shoot_export(widget, root)
    if title == "Records" and widget is not None:
        pump(root, 5, until=lambda: not widget.filling)
        first = widget.tree.get_children()[2]
        widget.tree.selection_set(first)


def shoot_export(tab, root) -> None:
    """An export with images just made: measured size, counts, auto-export state."""
    tracker = tab.tracker
    tab.folder_var.set(str(Path(tracker.data_dir) / "exports"))
    tracker.grant_export_consent(via="gui")
    tab.consent_var.set(True)
    tab._update_state()
    tracker.configure_auto_export(Path(tracker.data_dir) / "auto", every_new_ratings=50,
                                  interval_days=7, keep=5, images=True)
    tab.images_check.invoke()
    pump(root, 30, until=lambda: tab.last_estimate is not None)
    tab.export_button.invoke()
    pump(root, 120, until=lambda: not tab.running)
    tab._refresh_auto()


def with_result_files(records, folder: Path):
    """Real PNGs for the rated successes, so the Export tab's images are real."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for i, record in enumerate(records):
        if record.success and record.quality_rating is not None:
            path = folder / f"{record.id}.png"
            Image.new("RGB", (32, 32), (i % 256, i // 256 % 256, 150)).save(path)
            record.result_url = str(path)
    return records


def make_tracker(data_dir: str, n: int):
    from prompt_tracking import EnhancedPromptTracker
    from prompt_tracking.synthetic.history import generate_records

    tracker = EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None)
    tracker.import_records(with_result_files(generate_records(n, seed=7),
                                             Path(data_dir) / "results"))
    return tracker


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=6000)
    parser.add_argument("--display", default=":98")
    parser.add_argument("--dark", action="store_true", help="a dark ttkbootstrap host (darkly)")
    parser.add_argument("--bootstrap", action="store_true",
                        help="only the light ttkbootstrap host (bootstrap-light)")
    parser.add_argument("--tabs", nargs="*", default=None)
    parser.add_argument("--size", default="1240x860",
                        help="window size WxH (e.g. 640x420 to check the smallest layout)")
    parser.add_argument("--out", type=Path, default=ASSETS,
                        help="folder for the PNGs (default: assets/), e.g. to compare two versions")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not shutil.which("import"):
        sys.exit("needs imagemagick's `import`")
    xvfb = start_display(args.display) if not os.environ.get("SCREENSHOTS_NO_XVFB") else None
    try:
        if args.dark or args.bootstrap:
            return shoot(args, "darkly" if args.dark else "bootstrap-light")
        shoot(args, None)
        # a fresh process: a ttkbootstrap Window cannot follow a plain Tk root in one interpreter
        return subprocess.call([sys.executable, __file__, "--bootstrap", "--display",
                                args.display, "--records", str(args.records), "--size", args.size, "--out",
                                str(args.out), "--tabs",
                                *(args.tabs or BOOTSTRAP_TABS)], env={**os.environ,
                                                                      "SCREENSHOTS_NO_XVFB": "1"})
    finally:
        if xvfb is not None:
            xvfb.terminate()


def shoot(args: argparse.Namespace, theme: str | None) -> int:
    import tkinter as tk

    from prompt_tracking.analytics_window import AnalyticsWindow

    if theme:
        import ttkbootstrap as tb
        root = tb.Window(themename=theme)
    else:
        root = tk.Tk()
    width = int(args.size.split("x")[0])
    root.geometry(f"140x100+{width + 15}+0")  # beside the window: no WM, so it must not overlap
    with tempfile.TemporaryDirectory() as data_dir:
        tracker = make_tracker(data_dir, args.records)
        window = AnalyticsWindow(root, tracker)
        window.geometry(f"{args.size}+0+0")
        pump(root, 60, until=lambda: window.loaded)
        suffix = SUFFIXES[theme]
        for title in args.tabs or window.tab_titles():
            window.select_tab(title)
            pump(root, 1.5)
            prepare_tab(window, title, root)
            pump(root, 1.0)
            capture(window, args.out / f"analytics_{title.lower()}{suffix}.png")
        window.destroy()
        tracker.close()
    root.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
