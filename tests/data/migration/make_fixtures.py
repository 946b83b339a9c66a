"""Writes the migration fixture files in this folder; PNG images are made by `make_images`.

Run `python tests/data/migration/make_fixtures.py` to regenerate the JSON files (they are
committed). The tests call `make_images(folder)` to build PNGs with Pillow's PngInfo.
Expected counts per file are in EXPECTED; tests/core/test_migration.py checks them exactly.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
T0 = 1714564800  # 2024-05-01T12:00:00Z

# file -> (found, imported, duplicates, invalid) when imported in the order of this dict
EXPECTED = {
    "legacy_tracker.json": (18, 14, 1, 3),
    "legacy_copy.json": (4, 1, 3, 0),
    "truncated.json": (2, 2, 0, 0),
    "cp1252_history.json": (2, 2, 0, 0),
    "history_list.json": (4, 3, 0, 1),
    "history_wrapped.json": (2, 1, 1, 0),
    "history.jsonl": (5, 3, 0, 2),
    "export.jsonl": (2, 2, 0, 0),
    "images": (5, 4, 1, 0),
}

A1111 = ("a castle on a hill, dramatic sky\nNegative prompt: lowres, watermark\n"
         "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Model hash: abc123, "
         "Model: sd_xl_base_1.0")
A1111_UNICODE = "東京の夜景, neon reflections\nSteps: 12, Sampler: DPM++ 2M, CFG scale: 4.5, Seed: 9, " \
                "Size: 768x512, Model: animagine-xl"
COMFY_PROMPT = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "dreamshaper_8.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 640, "height": 960, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cozy cabin in the woods", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "people, text", "clip": ["4", 1]}},
    "3": {"class_type": "KSampler", "inputs": {"seed": 156680208700286, "steps": 25, "cfg": 8.0,
                                               "sampler_name": "euler", "scheduler": "normal",
                                               "denoise": 1.0, "model": ["4", 0],
                                               "positive": ["6", 0], "negative": ["7", 0],
                                               "latent_image": ["5", 0]}},
}
COMFY_WORKFLOW = {
    "nodes": [
        {"id": 4, "type": "CheckpointLoaderSimple", "widgets_values": ["juggernaut_xl.safetensors"]},
        {"id": 6, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "link": 3}],
         "widgets_values": ["a paper boat on a puddle"]},
        {"id": 7, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "link": 5}],
         "widgets_values": ["blurry"]},
        {"id": 3, "type": "KSampler", "inputs": [{"name": "positive", "link": 4},
                                                 {"name": "negative", "link": 6}],
         "widgets_values": [77, "fixed", 30, 5.5, "dpmpp_2m", "karras", 1]},
    ],
    "links": [[3, 4, 1, 6, 0, "CLIP"], [4, 6, 0, 3, 1, "CONDITIONING"],
              [5, 4, 1, 7, 0, "CLIP"], [6, 7, 0, 3, 2, "CONDITIONING"]],
}


def legacy_tracker() -> dict:
    ok = [
        {"prompt": "a red fox in snow, golden hour", "ai_model": "seedream-4.0",
         "timestamp": "2024-05-01T12:00:00Z",
         "result_url": "https://cdn.example.com/fox.png?token=abc123secret&w=1", "save_method": "auto",
         "model_parameters": {"steps": 30, "seed": 7, "api_key": "sk-live-abcdefghijklmnopqrstuvwxyz"},
         "quality_rating": 5, "feedback": "lovely light", "metadata": {"session": "old"}},
        {"prompt": "a blue whale", "model": "flux-dev", "timestamp": T0 + 60, "rating": 4,
         "extra_field": "kept"},
        {"prompt": "city at night, neon", "model": "flux-dev", "timestamp": (T0 + 120) * 1000},
        {"prompt": "no time here", "model": "flux-dev"},
        {"model": "flux-dev", "timestamp": T0 + 200},                      # invalid: no prompt
        {"prompt": {"text": "nested"}, "timestamp": T0 + 201},             # invalid: not text
        {"prompt": "rating seven", "ai_model": "m", "timestamp": "2024-05-01 12:10:00+00:00",
         "quality_rating": 7},
        {"prompt": "a blue whale", "model": "flux-dev", "timestamp": "2024-05-01T12:01:00Z"},  # dup
        42,                                                                 # invalid: not an object
    ]
    reasons = ["CONTENT_FILTER", "ContentFilter", "safety", "nsfw", "network", "api_error",
               "SomethingNew", None, "FailureReason.TIMEOUT"]
    failed = []
    for i, reason in enumerate(reasons):
        entry = {"prompt": f"failing prompt {i}", "ai_model": "seedream-4.0",
                 "timestamp": f"2024-05-02T08:0{i}:00Z",
                 "error_message": "Authorization: Bearer abcdefghijklmnop1234 rejected" if reason is None
                 else f"error {i}"}
        if reason is not None:
            entry["failure_reason"] = reason
        failed.append(entry)
    return {"successful_prompts": ok, "failed_prompts": failed, "version": 1}


def legacy_copy() -> dict:
    return {"successful_prompts": [
        {"prompt": "a red fox in snow, golden hour", "ai_model": "seedream-4.0", "timestamp": float(T0)},
        {"prompt": "city at night, neon", "model": "flux-dev", "timestamp": "2024-05-01T12:02:00Z"},
        {"prompt": "a new one", "model": "sdxl", "timestamp": "2024-06-01T00:00:00Z"},
    ], "failed_prompts": [
        {"prompt": "failing prompt 0", "ai_model": "seedream-4.0", "timestamp": (T0 + 72000) * 1000,
         "failure_reason": "content_filter"},
    ]}


def write_all(folder: Path = HERE) -> None:
    def dump(name: str, data: object) -> None:
        (folder / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")

    dump("legacy_tracker.json", legacy_tracker())
    dump("legacy_copy.json", legacy_copy())
    full = json.dumps({"successful_prompts": [
        {"prompt": "truncated one", "model": "sdxl", "timestamp": T0 + 1000},
        {"prompt": "truncated two", "model": "sdxl", "timestamp": T0 + 1001},
        {"prompt": "truncated three", "model": "sdxl", "timestamp": T0 + 1002}]}, indent=1)
    (folder / "truncated.json").write_text(full[: full.index("truncated three") + 8])
    cp1252 = json.dumps([
        {"prompt": "café au lait, “soft light”", "model": "sdxl", "timestamp": "2024-07-01T10:00:00Z"},
        {"prompt": "crème brûlée", "model": "sdxl", "timestamp": "2024-07-01T10:01:00Z"}],
        ensure_ascii=False)
    (folder / "cp1252_history.json").write_bytes(cp1252.encode("cp1252"))
    dump("history_list.json", [
        {"prompt": "portrait of an astronaut", "negative_prompt": "blurry",
         "timestamp": "2024-08-01T09:00:00Z", "model": "sdxl", "steps": 25, "seed": 42,
         "cfg_scale": 6.5, "favorite": True},
        {"prompt": "a lighthouse in a storm", "timestamp": 1722502800, "model": "sdxl",
         "status": "failed", "error": "CUDA out of memory"},
        {"prompt": "", "timestamp": 1722502900, "model": "sdxl"},            # invalid: empty
        "just a bare prompt string",
    ])
    dump("history_wrapped.json", {"version": 3, "app": "SomeApp", "history": [
        {"prompt": "a koi pond, top view", "timestamp": "2024-08-02T09:00:00Z", "model": "sdxl"},
        {"prompt": "portrait of an astronaut", "negative_prompt": "blurry",          # dup of history_list
         "timestamp": "2024-08-01T09:00:00Z", "model": "sdxl"},
    ]})
    (folder / "history.jsonl").write_text("\n".join([
        json.dumps({"prompt": "jsonl one", "model": "wan2.2-t2v", "timestamp": "2024-09-01T00:00:00Z",
                    "duration": 5}),
        "",
        json.dumps({"prompt": "jsonl two", "model": "wan2.2-t2v", "timestamp": 1725148800500}),
        '{"prompt": "broken line", "model": ',
        "[1, 2]",
        json.dumps({"prompt": "jsonl three", "model": "wan2.2-t2v", "timestamp": "1725148801"}),
    ]) + "\n")
    export = [
        {"id": "018f3a0c0a00aaaaaaaaaa", "timestamp": T0 + 5000.5, "prompt": "exported success",
         "ai_model": "seedream-4.0", "success": True, "result_url": "/out/e0.png",
         "save_method": "user_save", "model_parameters": {"steps": 4}, "error_message": None,
         "failure_reason": None, "quality_rating": 3, "feedback": "ok", "tags": ["keep"],
         "metadata": {"session_id": "abc"}},
        {"id": "018f3a0c0a00bbbbbbbbbb", "timestamp": T0 + 5001.25, "prompt": "exported failure",
         "ai_model": "seedream-4.0", "success": False, "result_url": None, "save_method": None,
         "model_parameters": {}, "error_message": "429 Too Many Requests",
         "failure_reason": "rate_limit", "quality_rating": None, "feedback": None, "tags": [],
         "metadata": {"failure_reason_source": "auto"}},
    ]
    (folder / "export.jsonl").write_text("".join(json.dumps(r) + "\n" for r in export))


def make_images(folder: Path) -> Path:
    """A folder of PNGs: AUTOMATIC1111 (tEXt and iTXt), ComfyUI prompt and workflow-only,
    one without metadata, and a copy of the first in a subfolder (a duplicate)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    folder.mkdir(parents=True, exist_ok=True)

    def save(name: str, **chunks: tuple[str, bool]) -> None:
        info = PngInfo()
        for key, (text, itxt) in chunks.items():
            (info.add_itxt if itxt else info.add_text)(key, text)
        Image.new("RGB", (8, 8), (200, 120, 40)).save(folder / name, pnginfo=info)

    save("a1111.png", parameters=(A1111, False))
    save("unicode.png", parameters=(A1111_UNICODE, True))
    save("comfy.png", prompt=(json.dumps(COMFY_PROMPT), False),
         workflow=(json.dumps(COMFY_WORKFLOW), False))
    save("comfy_workflow.png", workflow=(json.dumps(COMFY_WORKFLOW), False))
    save("plain.png")
    (folder / "sub").mkdir(exist_ok=True)
    shutil.copy(folder / "a1111.png", folder / "sub" / "a1111.png")
    return folder


if __name__ == "__main__":
    write_all()
