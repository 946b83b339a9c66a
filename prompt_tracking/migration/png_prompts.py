"""Prompts out of image-generator metadata: AUTOMATIC1111's `parameters` text and ComfyUI's graphs.

Pure functions over text; each returns `(prompt, model, parameters)` or None when the
metadata holds no prompt. They never raise on odd input.
"""
from __future__ import annotations

import json
import re
from typing import Any

Parsed = tuple[str, str, dict[str, Any]]

# The settings line of AUTOMATIC1111 (and Forge, SD.Next, Fooocus' A1111 mode):
# "Steps: 20, Sampler: Euler a, CFG scale: 7, ..." where a value may be a quoted string.
# It is split by a linear scan (`_split_settings`): a regex with a repeated name group
# backtracks quadratically on a long line without a colon ("a a a ...").
_SETTINGS_LINE = re.compile(r"^(?:Steps|Sampler|CFG scale|Seed|Size|Model):\s")
_SETTING_NAME = re.compile(r"[\w ()/.+-]+")
# The settings line is short in every real image; only this much of it is parsed.
MAX_SETTINGS_CHARS = 64 * 1024
MAX_SETTINGS = 200
_NUMERIC = {"steps": int, "seed": int, "cfg_scale": float, "denoising_strength": float,
            "clip_skip": int}


def parse_a1111(text: str) -> Parsed | None:
    """AUTOMATIC1111-style `parameters`: prompt, 'Negative prompt: ...', then the settings line."""
    lines = text.strip().split("\n")
    settings: dict[str, Any] = {}
    if lines and _SETTINGS_LINE.match(lines[-1].strip()):
        settings = _settings(lines.pop().strip()[:MAX_SETTINGS_CHARS])
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    for line in lines:
        if line.startswith("Negative prompt:"):
            negative_lines.append(line[len("Negative prompt:"):].strip())
        elif negative_lines:
            negative_lines.append(line)
        else:
            prompt_lines.append(line)
    prompt = "\n".join(prompt_lines).strip()
    if not prompt:
        return None
    params: dict[str, Any] = {}
    negative = "\n".join(negative_lines).strip()
    if negative:
        params["negative_prompt"] = negative
    model = str(settings.pop("model", "") or settings.get("model_hash", "") or "unknown")
    params.update(settings)
    return prompt, model, params


def _split_settings(line: str) -> list[tuple[str, str]]:
    """("Name", "value") pairs of a settings line in one pass; a quoted value may hold commas."""
    pairs: list[tuple[str, str]] = []
    pos, end = 0, len(line)
    while pos < end and len(pairs) < MAX_SETTINGS:
        colon = line.find(":", pos)
        if colon < 0:
            break
        key = line[pos:colon]
        key = key[key.rfind(",") + 1:].strip()     # "junk, Name: value": the name after the comma
        start = colon + 1
        while start < end and line[start] == " ":
            start += 1
        if start < end and line[start] == '"':
            stop = _closing_quote(line, start)
            value, pos = line[start:stop + 1], stop + 1
            comma = line.find(",", pos)
            pos = end if comma < 0 else comma + 1
        else:
            comma = line.find(",", start)
            stop = end if comma < 0 else comma
            value, pos = line[start:stop], stop + 1
        if key and _SETTING_NAME.fullmatch(key):
            pairs.append((key, value))
    return pairs


def _closing_quote(line: str, start: int) -> int:
    """Index of the quote closing the one at `start` (the line's end if none)."""
    pos = start + 1
    while pos < len(line):
        char = line[pos]
        if char == "\\":
            pos += 2
            continue
        if char == '"':
            return pos
        pos += 1
    return len(line) - 1


def _settings(line: str) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key, value in _split_settings(line):
        name = re.sub(r"\W+", "_", key.strip().lower()).strip("_")
        value = value.strip()
        if value.startswith('"') and value.endswith('"'):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):
                value = value[1:-1]
        if name == "size" and re.fullmatch(r"\d+x\d+", str(value)):
            width, height = str(value).split("x")
            settings["width"], settings["height"] = int(width), int(height)
            continue
        convert = _NUMERIC.get(name)
        if convert is not None:
            try:
                value = convert(value)
            except (ValueError, OverflowError):
                pass
        settings[name] = value
    return settings


# -- ComfyUI -------------------------------------------------------------------------------
_SAMPLER_INPUTS = {"steps": "steps", "cfg": "cfg", "seed": "seed", "noise_seed": "seed",
                   "sampler_name": "sampler", "scheduler": "scheduler", "denoise": "denoise"}
# KSampler's widgets in a saved workflow: seed, seed control, steps, cfg, sampler, scheduler, denoise.
_KSAMPLER_WIDGETS = ("seed", None, "steps", "cfg", "sampler", "scheduler", "denoise")


def parse_comfyui(prompt_json: str | None, workflow_json: str | None) -> Parsed | None:
    """ComfyUI's `prompt` (API graph) chunk, or its `workflow` (UI graph) when that is all there is."""
    for text, parse in ((prompt_json, _from_api_graph), (workflow_json, _from_workflow)):
        if not text:
            continue
        try:
            graph = json.loads(text)
        except (ValueError, TypeError, RecursionError):
            continue
        try:
            parsed = parse(graph)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError):
            parsed = None
        if parsed is not None:
            return parsed
    return None


def _from_api_graph(graph: dict[str, Any]) -> Parsed | None:
    nodes = {str(k): v for k, v in graph.items() if isinstance(v, dict)}
    sampler = next((n for n in nodes.values() if str(n.get("class_type", "")).startswith("KSampler")),
                   None)
    params: dict[str, Any] = {}
    prompt = negative = None
    if sampler is not None:
        inputs = sampler.get("inputs", {})
        params = {name: inputs[key] for key, name in _SAMPLER_INPUTS.items()
                  if key in inputs and not isinstance(inputs[key], list)}
        prompt = _api_text(nodes, inputs.get("positive"))
        negative = _api_text(nodes, inputs.get("negative"))
    if prompt is None:  # no sampler, or an unusual graph: the first text encoder is the prompt
        texts = [_api_text(nodes, [key, 0]) for key, n in nodes.items()
                 if "CLIPTextEncode" in str(n.get("class_type", ""))]
        texts = [t for t in texts if t]
        prompt = texts[0] if texts else None
    if not prompt:
        return None
    if negative:
        params["negative_prompt"] = negative
    models = {"ckpt_name": None, "unet_name": None}
    for node in nodes.values():
        inputs = node.get("inputs", {})
        for key in models:
            if models[key] is None and isinstance(inputs.get(key), str):
                models[key] = inputs[key]
        if str(node.get("class_type")) == "EmptyLatentImage":
            params.update({k: inputs[k] for k in ("width", "height")
                           if isinstance(inputs.get(k), int)})
    return prompt, models["ckpt_name"] or models["unet_name"] or "unknown", params


def _api_text(nodes: dict[str, Any], link: Any, depth: int = 0) -> str | None:
    """The text behind a conditioning input, following links through combiners and primitives."""
    if not isinstance(link, list) or not link or depth > 8:
        return None
    node = nodes.get(str(link[0]))
    if not isinstance(node, dict):
        return None
    inputs = node.get("inputs", {})
    for key in ("text", "text_g", "string", "value", "conditioning", "conditioning_1",
                "conditioning_to"):
        value = inputs.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list):
            found = _api_text(nodes, value, depth + 1)
            if found:
                return found
    return None


def _from_workflow(workflow: dict[str, Any]) -> Parsed | None:
    nodes = {n["id"]: n for n in workflow.get("nodes", []) if isinstance(n, dict) and "id" in n}
    origin = {link[0]: link[1] for link in workflow.get("links", [])
              if isinstance(link, list) and len(link) >= 2}

    def text_into(node: dict[str, Any], name: str) -> str | None:
        for slot in node.get("inputs") or []:
            if slot.get("name") == name and slot.get("link") in origin:
                source = nodes.get(origin[slot["link"]], {})
                values = source.get("widgets_values") or []
                if values and isinstance(values[0], str):
                    return values[0]
        return None

    params: dict[str, Any] = {}
    prompt = negative = None
    model = "unknown"
    for node in nodes.values():
        kind, values = str(node.get("type", "")), node.get("widgets_values") or []
        if kind.startswith("KSampler") and prompt is None:
            prompt, negative = text_into(node, "positive"), text_into(node, "negative")
            if kind == "KSampler":
                params = {name: value for name, value in zip(_KSAMPLER_WIDGETS, values) if name}
        elif kind.startswith("CheckpointLoader") and values and isinstance(values[0], str):
            model = values[0]
    if prompt is None:
        texts = [n["widgets_values"][0] for n in nodes.values()
                 if "CLIPTextEncode" in str(n.get("type", "")) and n.get("widgets_values")
                 and isinstance(n["widgets_values"][0], str)]
        prompt = texts[0] if texts else None
    if not prompt:
        return None
    if negative:
        params["negative_prompt"] = negative
    return prompt, model, params
