"""Screenshot of the history-import dialog for the README: `python scripts/screenshots_migration.py`.

Runs on its own Xvfb display (:96), opens the dialog in a plain Tk host on a throwaway store,
adds the test fixtures (an old tracker file, a history list and a truncated file), runs a dry
run and saves assets/migration_dialog.png with ImageMagick's `import`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "migration"


def shoot(out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    import tkinter as tk

    from prompt_tracking import EnhancedPromptTracker
    from prompt_tracking.widgets.dialogs.migration_dialog import open_migration_dialog

    root = tk.Tk()
    root.geometry("300x200+700+600")
    tracker = EnhancedPromptTracker(tempfile.mkdtemp(prefix="migration-shot-"))
    dialog = open_migration_dialog(root, tracker, paths=[
        FIXTURES / "legacy_tracker.json", FIXTURES / "history_list.json",
        FIXTURES / "truncated.json"])
    dialog.geometry("+0+0")
    dialog.start_dry_run()
    deadline = time.monotonic() + 20
    while dialog.running and time.monotonic() < deadline:
        root.update()
        time.sleep(0.02)
    for _ in range(20):
        root.update()
        time.sleep(0.02)
    size = f"{dialog.winfo_width()}x{dialog.winfo_height()}+0+0"
    subprocess.run(["import", "-window", "root", "-crop", size, "+repage", str(out)], check=True)
    dialog.destroy()
    root.destroy()
    tracker.close()


def main() -> int:
    out = ROOT / "assets" / "migration_dialog.png"
    if os.environ.get("SCREENSHOT_CHILD"):
        shoot(out)
        return 0
    xvfb = subprocess.Popen(["Xvfb", ":96", "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        env = dict(os.environ, DISPLAY=":96", SCREENSHOT_CHILD="1")
        return subprocess.run([sys.executable, __file__], env=env).returncode
    finally:
        xvfb.terminate()


if __name__ == "__main__":
    sys.exit(main())
