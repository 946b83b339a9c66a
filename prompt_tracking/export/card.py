"""The dataset card (README.md) of an export: YAML configs and features, then what it holds.

The YAML header lists every task as a config, so `datasets.load_dataset(folder, task)`
finds its splits; with images, it also declares the image columns as `datasets.Image`
features (and every other column's type, as the loader then wants them all).
"""
from __future__ import annotations

import json
from typing import Any

from prompt_tracking.export.tasks import IMAGE_COLUMNS

_INT_COLUMNS = frozenset({"rating", "chosen_rating", "rejected_rating", "before_rating",
                          "after_rating"})
_FLOAT_COLUMNS = frozenset({"label_0", "label_1"})

_TASK_DESCRIPTIONS = {
    "content_safety": "prompt text -> `label` (`safe`: generated, `blocked`: refused by a "
                      "content filter). Other failures are left out: they say nothing about safety.",
    "quality": "prompt text, model and parameters -> the user's 1-5 `rating` (rated results "
               "only), with the rated `image` when images were exported.",
    "error_prevention": "prompt text, model and parameters -> `outcome` (`success`/`failure`) "
                        "and the failure `reason`.",
    "parameter_optimization": "model and parameters -> `outcome` and `rating` (null when unrated).",
    "preference_pairs": "same model and prompt group: a `chosen` result rated at or above the "
                        "good threshold and a `rejected` result rated 1-2, with `prompt` (TRL's "
                        "DPO shape: prompt / chosen / rejected). With images, `chosen_image` and "
                        "`rejected_image`, and the Pick-a-Pic shape: `image_0`, `image_1` in a "
                        "fixed random order per pair, `label_0`/`label_1` = 1.0 for the preferred.",
    "repair_pairs": "`before`: a failed or 1-2 rated prompt; `after`: the user's edit of it, on "
                    "the same model in the same session within an hour, that succeeded with a "
                    "good rating; `before_image`/`after_image` where both results have one.",
}


def _dtype(column: str, task: str) -> str:
    if column in IMAGE_COLUMNS.get(task, ()):
        return "image"
    if column in _INT_COLUMNS:
        return "int64"
    if column in _FLOAT_COLUMNS:
        return "float64"
    return "string"


def _yaml(manifest: dict[str, Any], extension: str) -> list[str]:
    lines = ["---", "configs:"]
    # The loader cannot read an empty split (nor a config without one): only splits with rows.
    loadable = {task: [s for s in manifest["split"]["names"] if counts[s]]
                for task, counts in manifest["tasks"].items()}
    loadable = {task: splits for task, splits in loadable.items() if splits}
    for task, splits in loadable.items():
        lines += [f"- config_name: {task}", "  data_files:"]
        lines += [f"  - split: {split}\n    path: {task}/{split}.{extension}" for split in splits]
    if not loadable:
        lines[-1] = "configs: []"
    image_tasks = [t for t in loadable if t in IMAGE_COLUMNS]
    # Declared only for JSON Lines: the CSV loader reads an empty cell as NaN, which an
    # int64 or image feature refuses.
    if manifest.get("images") and extension == "jsonl" and image_tasks:
        lines.append("dataset_info:")
        for task in image_tasks:
            lines += [f"- config_name: {task}", "  features:"]
            for column in manifest["tasks"][task]["columns"]:
                lines += [f"  - name: {column}", f"    dtype: {_dtype(column, task)}"]
    lines.append("---")
    return lines


def _images_section(manifest: dict[str, Any]) -> list[str]:
    images = manifest.get("images")
    if not images:
        return ["## Images", "", "Not exported (`images=False`): result columns hold the "
                "original references, with home-folder names masked.", ""]
    return [
        "## Images", "",
        f"{images['files']} result files ({images['bytes']:,} bytes; {images['linked']} hard "
        f"links, {images['copied']} copies) under `images/<sha256>.<ext>` (videos under "
        "`videos/`, with their first frame as the image when it could be read), each content "
        "once. Image columns hold paths relative to this folder. Remote results "
        f"({images['remote']}) are kept as URLs in the result columns, never downloaded; "
        f"{images['missing']} missing and {images['unreadable']} unreadable local files were "
        "left out of the image tasks.", "",
        "```python",
        "import datasets",
        "ds = datasets.load_dataset(folder, \"quality\")   # `image` is a datasets.Image feature",
        "```", "",
        "`datasets` opens an image path as given, that is relative to the working directory: "
        "run from this folder, or use `prompt_tracking.export.load_dataset(folder, \"quality\")`, "
        "which makes the paths absolute first. With pandas: "
        "`pandas.read_json(folder / \"quality/train.jsonl\", lines=True)`, then "
        "`folder / row.image`.", ""]


def dataset_card(manifest: dict[str, Any]) -> str:
    """The README.md of an export: what each task holds, counts, and how it was made."""
    formats = manifest["formats"]
    extension = "jsonl" if "jsonl" in formats else formats[0]
    names = manifest["split"]["names"]
    lines = _yaml(manifest, extension)
    lines += ["", "# Prompt-tracking training export", "",
              f"Exported {manifest['created_at']} by prompt-tracking {manifest['generator_version']}"
              f" from {manifest['records_read']} records, with the user's opt-in.", "",
              "## Tasks", "", "| task | " + " | ".join(names) + " | duplicates removed |",
              "|---|" + "---|" * (len(names) + 1)]
    for task, counts in manifest["tasks"].items():
        cells = " | ".join(str(counts[s]) for s in names)
        lines.append(f"| {task} | {cells} | {counts['duplicates_removed']} |")
    lines += ["", "Empty splits are left out of the loader configs above (the `datasets` loader "
              "cannot read an empty file); their files are still written.", ""]
    for task, counts in manifest["tasks"].items():
        lines += [f"- **{task}**: {_TASK_DESCRIPTIONS[task]} Columns: "
                  + ", ".join(f"`{c}`" for c in counts["columns"]) + "."]
    lines += [""] + _images_section(manifest)
    lines += ["## Files", "",
              f"`<task>/<split>.<format>` for formats {', '.join(formats)}. Every JSON line has the "
              "same keys; `parameters` columns hold a JSON object as text "
              "(`json.loads(row['parameters'])`). CSV files are UTF-8 with a BOM; text cells "
              "starting with = + - @ tab or CR are prefixed with an apostrophe. Files are "
              "readable by their owner only (0600, folders 0700).", "",
              "## How it was made", "",
              f"- Filters: `{json.dumps(manifest['filters'], ensure_ascii=False)}`.",
              f"- Good results (chosen, repair `after`): rated >= "
              f"{manifest.get('min_quality_rating', 4)}.",
              f"- Near-duplicates: {manifest['dedupe_rule']}",
              f"- Splits: {manifest['split']['rule']}",
              "- Privacy: " + ("personal data masked: " + ", ".join(
                  f"{k} {v}" for k, v in manifest["redactions"].items()) + "."
                  if manifest["redact_pii"] else "personal data was NOT masked (redact_pii=False)."),
              "  API keys and tokens were already masked when the prompts were logged.", ""]
    return "\n".join(lines)
