"""Training export speed: all six tasks for 100,000 records (target <= 5 s), and with images:
10,000 rated records with 10,000 local PNGs (target <= 10 s with hard links).

Run: python benchmarks/bench_export.py [N]
     python benchmarks/bench_export.py --images [N]   (default 10,000)
Fills a temporary store with N synthetic records (the analysis branch's generator when it
is importable, else a small built-in one with sessions, retries, ratings and some PII),
then times `export_training_data` (best and median of 3 runs) for JSON Lines alone and for
JSON Lines + CSV, and prints the last run's time per stage. No asserts: the numbers are for
reading, and on a shared machine other load shows in the median.
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prompt_tracking import EnhancedPromptTracker, settings  # noqa: E402
from prompt_tracking.export.run import export_training_data  # noqa: E402
from prompt_tracking.records import PromptRecord, prompt_metadata  # noqa: E402

SUBJECTS = ["a red fox", "an old fisherman", "a neon city street", "a castle on a hill",
            "a bowl of ramen", "a dancer in motion", "a mountain lake", "a robot barista",
            "a sailing ship", "a cat on a windowsill", "a desert caravan", "a forest spirit"]
STYLES = ["oil painting", "cinematic lighting", "watercolor", "85mm photo", "anime style",
          "(film grain:1.2)", "isometric render", "golden hour", "studio portrait", "[soft focus]"]
EXTRAS = ["highly detailed", "8k", "moody", "pastel colors", "wide angle", "bokeh", "trending",
          "email me at someone@example.com", "from /home/alice/refs/ref.png", "dramatic sky"]
REPEATS = 3
MODELS = ["seedream-4.0", "flux-dev", "sdxl", "wan2.2-t2v", "kling-1.6"]
REASONS = ["content_filter", "invalid_parameters", "rate_limit", "timeout", "server_error",
           "network_error", "quota_exceeded", "unknown"]


def builtin_records(n: int, seed: int = 0) -> list[PromptRecord]:
    rng = random.Random(seed)
    records: list[PromptRecord] = []
    t = 1_735_689_600.0
    session = 0
    while len(records) < n:
        session += 1
        model = rng.choice(MODELS)
        prompt = f"{rng.choice(SUBJECTS)}, {rng.choice(STYLES)}, {rng.choice(EXTRAS)}"
        for _ in range(rng.randint(3, 20)):
            if len(records) >= n:
                break
            t += rng.expovariate(1 / 90)
            if rng.random() < 0.5:  # an edit of the previous prompt
                prompt = f"{prompt}, {rng.choice(STYLES + EXTRAS)}"[-300:]
            params = {"steps": rng.choice([20, 30, 50]), "guidance_scale": rng.choice([5, 7.5, 12]),
                      "seed": rng.randrange(10**9), "width": 1024, "height": 1024}
            success = rng.random() > 0.25
            rating = rng.randint(1, 5) if success and rng.random() < 0.4 else None
            meta = prompt_metadata(prompt, params)
            meta["session_id"] = f"s{session}"
            records.append(PromptRecord(
                id=f"{len(records):012x}", timestamp=t, prompt=prompt, ai_model=model,
                success=success, result_url=f"/home/alice/out/{len(records)}.png" if success else None,
                save_method=("user_save" if rng.random() < 0.2 else "auto") if success else None,
                model_parameters=params, error_message=None if success else "failed",
                failure_reason=None if success else rng.choice(REASONS), quality_rating=rating,
                metadata=meta))
    return records


def make_records(n: int) -> tuple[list[PromptRecord], str]:
    try:
        from prompt_tracking.synthetic.history import generate_records
    except ImportError:
        return builtin_records(n), "built-in generator"
    return generate_records(n, seed=0), "prompt_tracking.synthetic.history"


def main(n: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        records, source = make_records(n)
        tracker = EnhancedPromptTracker(Path(tmp) / "store", max_successful=None, max_failed=None)
        start = time.perf_counter()
        tracker.import_records(records)
        print(f"{n} records from the {source}, imported in {time.perf_counter() - start:.2f} s")
        settings.grant_export_consent(tracker.data_dir)
        for formats in (("jsonl",), ("jsonl", "csv")):
            times = []
            for _ in range(REPEATS):  # the same folder each time: an earlier export is replaced
                stages: list[tuple[float, str]] = []
                start = time.perf_counter()
                report = export_training_data(
                    tracker, Path(tmp) / "-".join(formats), formats=formats,
                    progress=lambda fraction, message: stages.append((time.perf_counter(), message)))
                elapsed = time.perf_counter() - start
                times.append(elapsed)
            print(f"\nall tasks, {' + '.join(formats)}: best {min(times):.2f} s, median "
                  f"{statistics.median(times):.2f} s of {REPEATS} runs "
                  f"({report.total_rows} rows, {sum(report.duplicates_removed.values())} "
                  f"duplicates removed, redactions {report.redactions})")
            print("  last run by stage:")
            marks = [s for s in stages if not s[1].startswith(("read ", "wrote", "exported"))]
            marks.append((start + elapsed, "end"))
            for (t0, label), (t1, _) in zip(marks, marks[1:]):
                print(f"  {t1 - t0:6.2f} s  {label}")
            for task, counts in report.counts.items():
                print(f"  {task:<24}" + "  ".join(f"{s} {c}" for s, c in counts.items()))
        tracker.close()


def rated_records_with_pngs(n: int, folder: Path) -> list[PromptRecord]:
    """n rated successes, each with its own 128x128 noise PNG (about 49 kB: noise does not
    compress, so the copy figure is not flattered) under a home-like folder."""
    import os

    from PIL import Image

    folder.mkdir(parents=True)
    records = []
    for record in builtin_records(n * 2, seed=1):
        if len(records) == n:
            break
        if not record.success:
            continue
        i = len(records)
        path = folder / f"{i}.png"
        Image.frombytes("RGB", (128, 128), os.urandom(128 * 128 * 3)).save(path, compress_level=1)
        record.result_url = str(path)
        record.quality_rating = record.quality_rating or (i % 5) + 1
        records.append(record)
    return records


def main_images(n: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        records = rated_records_with_pngs(n, Path(tmp) / "home" / "alice" / "out")
        print(f"{n} rated records with {n} PNGs made in {time.perf_counter() - start:.1f} s")
        tracker = EnhancedPromptTracker(Path(tmp) / "store", max_successful=None, max_failed=None)
        tracker.import_records(records)
        settings.grant_export_consent(tracker.data_dir)
        runs = {"no images (baseline)": {}, "images, hard links": {"images": True},
                "images, copies": {"images": True, "link_images": False}}
        baseline = None
        for label, options in runs.items():
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                report = export_training_data(tracker, Path(tmp) / "out", **options)
                times.append(time.perf_counter() - start)
            best = min(times)
            baseline = baseline or best
            images = report.images or {}
            print(f"{label:<22} best {best:5.2f} s, median {statistics.median(times):5.2f} s "
                  f"({best / baseline:4.1f}x baseline); {report.total_rows} rows"
                  + (f", {images['files']} files {images['bytes'] / 1e6:.1f} MB, "
                     f"{images['linked']} linked, {images['copied']} copied" if images else ""))
        tracker.close()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--images"]
    if "--images" in sys.argv[1:]:
        main_images(int(arguments[0]) if arguments else 10_000)
    else:
        main(int(arguments[0]) if arguments else 100_000)
