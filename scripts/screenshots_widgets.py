"""Screenshots of the rating widgets for the docs: assets/rating_inline_{light,dark}.png and
assets/rating_dialog.png.

Run under a virtual display so nothing else is on screen:

    Xvfb :95 -screen 0 1400x1000x24 &
    DISPLAY=:95 python scripts/screenshots_widgets.py

The light shot is a plain Tk app on ttk's "clam" theme (the widget must not restyle it);
the dark shot is a ttkbootstrap app on "darkly". Needs ImageMagick's `import`.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import tkinter as tk
import warnings
from pathlib import Path
from tkinter import ttk

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prompt_tracking import EnhancedPromptTracker  # noqa: E402
from prompt_tracking.widgets import QualityRatingWidget, RatingDialog  # noqa: E402

ASSETS = ROOT / "assets"


def result_image(path: Path, size: tuple[int, int] = (360, 220)) -> Path:
    """A stand-in for a generated image: a dusk gradient with a sun."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        t = y / size[1]
        draw.line([(0, y), (size[0], y)],
                  fill=(int(40 + 190 * t), int(50 + 90 * t), int(120 - 40 * t)))
    draw.ellipse([size[0] * 0.6, size[1] * 0.45, size[0] * 0.6 + 70, size[1] * 0.45 + 70],
                 fill=(255, 200, 90))
    draw.rectangle([0, size[1] * 0.8, size[0], size[1]], fill=(30, 35, 50))
    image.save(path)
    return path


def click_star(bar, index: int) -> None:
    """A real click on star `index`, as a user would make it."""
    x, y = bar.star_center(index)
    for sequence in ("<Motion>", "<ButtonPress-1>", "<ButtonRelease-1>"):
        bar.event_generate(sequence, x=x, y=y)
    bar.update()


def capture(window: tk.Misc, path: Path) -> None:
    window.update()
    window.after(200)  # let the X server finish painting
    window.update()
    subprocess.run(["import", "-window", hex(window.winfo_id()), str(path)], check=True)
    print("wrote", path.relative_to(ROOT))


def host_window(root: tk.Tk, tracker: EnhancedPromptTracker, image: Path,
                frame_class=ttk.Frame) -> QualityRatingWidget:
    """A host-like layout: the result, then the inline rating panel under it."""
    from PIL import ImageTk

    panel = frame_class(root, padding=14)
    panel.pack(fill="both", expand=True)
    photo = ImageTk.PhotoImage(file=str(image), master=root)
    picture = ttk.Label(panel, image=photo)
    picture.image = photo
    picture.pack(anchor="w")
    ttk.Label(panel, text="a lighthouse at dusk, oil painting  ·  sdxl").pack(anchor="w", pady=(6, 4))
    rid = tracker.log_successful_prompt("a lighthouse at dusk, oil painting", "sdxl")
    tracker.rate_prompt(rid, 3, feedback="lovely light, sky a bit flat", tags=["great composition"])
    widget = QualityRatingWidget(panel, tracker, rid)
    widget.pack(anchor="w")
    root.update()
    click_star(widget.stars, 4)  # shows the "Saved" status
    return widget


def inline_light(tracker: EnhancedPromptTracker, image: Path) -> None:
    root = tk.Tk()
    ttk.Style(root).theme_use("clam")
    root.configure(background=ttk.Style(root).lookup("TFrame", "background"))
    host_window(root, tracker, image)
    capture(root, ASSETS / "rating_inline_light.png")
    root.destroy()


def inline_dark(tracker: EnhancedPromptTracker, image: Path) -> None:
    import ttkbootstrap as tb

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 'darkly' is a legacy name
        root = tb.Window(themename="darkly")
    host_window(root, tracker, image, frame_class=tb.Frame)
    capture(root, ASSETS / "rating_inline_dark.png")
    root.destroy()


def dialog(tracker: EnhancedPromptTracker, image: Path) -> None:
    root = tk.Tk()
    ttk.Style(root).theme_use("clam")
    root.geometry("700x560+0+0")
    ttk.Frame(root).pack(fill="both", expand=True)
    root.update()
    rid = tracker.log_successful_prompt("a lighthouse at dusk, oil painting", "sdxl")
    rating_dialog = RatingDialog(root, tracker, rid, preview=image)

    def fill_in_and_capture() -> None:
        click_star(rating_dialog.stars, 4)
        rating_dialog.comment.insert("1.0", "lovely light, sky a bit flat")
        rating_dialog.tag_toggles.buttons["great composition"].invoke()
        rating_dialog.stars.focus_set()
        capture(rating_dialog, ASSETS / "rating_dialog.png")
        rating_dialog.skip()

    root.after(300, fill_in_and_capture)
    rating_dialog.show()
    root.destroy()


def main() -> None:
    ASSETS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        image = result_image(Path(tmp) / "result.png")
        with EnhancedPromptTracker(Path(tmp) / "store") as tracker:
            inline_light(tracker, image)
            dialog(tracker, image)
            inline_dark(tracker, image)


if __name__ == "__main__":
    main()
