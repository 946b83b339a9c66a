"""Screenshots of the review window, the Records browser and the rating dialog, light and dark:
assets/review_{light,dark}.png, assets/records_browser_{light,dark}.png,
assets/rating_dialog_{light,dark}.png.

    Xvfb :95 -screen 0 1400x1000x24 &
    DISPLAY=:95 python scripts/screenshots_review.py [--out assets]

Light is a plain Tk app on ttk's "clam" theme, dark a ttkbootstrap app on "darkly"; each
runs in its own process (a ttkbootstrap Style cannot be undone). Needs ImageMagick's `import`.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROMPTS = [
    ("a lighthouse on a cliff at dusk, long exposure, dramatic clouds", "sdxl"),
    ("portrait of an old fisherman, rembrandt lighting, oil on canvas", "flux-dev"),
    ("isometric cozy library with plants, soft light, 3d render", "sdxl"),
    ("a red fox in fresh snow, telephoto, morning light", "dalle3"),
    ("neon city street in the rain, cinematic, 35mm", "flux-dev"),
    ("watercolor map of an imaginary island, muted palette", "sdxl"),
]


def picture(path: Path, n: int) -> str:
    from PIL import Image, ImageDraw

    w, h = 640, 420
    image = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(image)
    top = [(40, 50, 120), (90, 60, 40), (30, 90, 70), (120, 130, 160), (20, 20, 60), (160, 140, 100)][n % 6]
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(c + (230 - c) * t * 0.8) for c in top))
    draw.ellipse([w * 0.55, h * 0.3, w * 0.55 + 110, h * 0.3 + 110], fill=(255, 200 - 20 * (n % 4), 90))
    draw.polygon([(0, h), (w * 0.35, h * 0.55), (w * 0.7, h)], fill=(30, 35, 50))
    image.save(path)
    return str(path)


def capture(window, path: Path) -> None:
    window.update()
    time.sleep(0.3)
    window.update()
    subprocess.run(["import", "-window", hex(window.winfo_id()), str(path)], check=True)


def pump(root, until, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        root.update()
        time.sleep(0.01)


def shoot(theme: str, out: Path) -> None:
    import tkinter as tk
    from tkinter import ttk

    from prompt_tracking import EnhancedPromptTracker
    from prompt_tracking.analytics_window import AnalyticsWindow, open_review_window
    from prompt_tracking.widgets import RatingDialog

    if theme == "dark":
        import ttkbootstrap as tb

        warnings.simplefilter("ignore", DeprecationWarning)
        root = tb.Window(themename="darkly")
    else:
        root = tk.Tk()
        ttk.Style(root).theme_use("clam")
    root.geometry("200x100+1150+880")  # out of the shots
    with tempfile.TemporaryDirectory() as tmp:
        with EnhancedPromptTracker(Path(tmp) / "store", max_successful=None, max_failed=None) as tracker:
            ids = []
            for i in range(18):
                prompt, model = PROMPTS[i % len(PROMPTS)]
                ids.append(tracker.log_successful_prompt(
                    prompt, model, result_url=picture(Path(tmp) / f"{i}.png", i),
                    model_parameters={"steps": 20 + i, "cfg_scale": 7, "seed": 1000 + i}))
            tracker.log_failed_prompt("a famous actor at a protest", "dalle3",
                                      "Error 400: your request was rejected by the safety system")
            for i, stars in ((3, 5), (4, 2), (7, 4)):
                tracker.rate_prompt(ids[i], stars, feedback="great light" if stars > 3 else None,
                                    tags=["great composition"] if stars > 3 else ["artifacts"])
            tracker.flush()
            review = open_review_window(root, tracker)
            pump(root, lambda: review.loaded)
            review.geometry("980x760+20+20")
            review.rate(4)
            pump(root, lambda: review._photo is not None, 10)
            capture(review, out / f"review_{theme}.png")
            review.destroy()
            window = AnalyticsWindow(root, tracker)
            window.geometry("1180x820+10+10")
            pump(root, lambda: window.loaded)
            window.select_tab("Records")
            pump(root, lambda: window.tab_widget("Records") is not None and not window.drawing)
            tab = window.tab_widget("Records")
            pump(root, lambda: not tab.filling)
            tab.tree.selection_set(ids[7])
            pump(root, lambda: tab.detail._photo is not None and not tab.images.busy, 10)
            capture(window, out / f"records_browser_{theme}.png")
            window.destroy()
            dialog = RatingDialog(root, tracker, ids[5])
            dialog.after(600, lambda: (capture(dialog, out / f"rating_dialog_{theme}.png"), dialog.close()))
            dialog.show()
    root.destroy()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "assets")
    parser.add_argument("--theme", choices=("light", "dark"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.theme:
        shoot(args.theme, args.out)
        return 0
    for theme in ("light", "dark"):
        subprocess.run([sys.executable, __file__, "--theme", theme, "--out", str(args.out)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
