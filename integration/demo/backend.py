"""The demo's simulated generation backend: no network, no API key, realistic behaviour.

Each job runs on a worker thread, waits a model-specific delay, and then either draws a
placeholder result with Pillow (an image, a video thumbnail strip, an upscaled copy) or
fails with a real provider error message at a model-specific rate. The messages are
quoted from the sources noted beside them (the same ones as `tests/data/error_corpus.jsonl`).
The worker thread never touches Tk: it calls the job's callback with an `Outcome`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import random
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

log = logging.getLogger(__name__)

ENV_DELAY = "PROMPT_TRACKING_DEMO_DELAY"  # seconds per job, overriding the realistic delays
RESULT_SIZE = (512, 384)


@dataclasses.dataclass(frozen=True)
class ProviderError:
    """A real error message, the failure reason it stands for, and where it was found."""

    message: str
    reason: str
    source: str


# Volcengine Ark / BytePlus ModelArk (SeedEdit, Seedream, SeedDance).
_ARK = "https://volcengine.com/docs/82379/1299023"
_ARK_CSD = "https://www.volcengine.com/docs/82379/1099476"
ARK_ERRORS = (
    ProviderError("The request could not be processed because the input text includes sensitive "
                  "content that violates ContentSecurityDetection.ARKRequest ID:{id};CSDRequestId:"
                  "{id2};Label:{label};SubLabel:{label}", "content_filter", _ARK_CSD),
    ProviderError("火山引擎风险识别产品检测到输入文本可能包含敏感信息,请您更换后重试。",
                  "content_filter", _ARK_CSD),
    ProviderError("One or more parameters specified in the request are not valid. Request ID: {id}",
                  "invalid_parameters", _ARK),
    ProviderError("The request failed because your account has an overdue balance. "
                  "Request ID: {id}", "quota_exceeded", _ARK),
    # Client-side errors any provider produces (requests / httpx).
    ProviderError("httpx.ConnectTimeout: timed out", "timeout",
                  "https://github.com/basic-bgnr/NepseUnofficialApi/issues/9"),
    ProviderError("httpx.ConnectError: [Errno -2] Name or service not known", "network_error",
                  "https://github.com/HFrost0/bilix/issues/2"),
)
ARK_IMAGE_ERRORS = ARK_ERRORS + (
    ProviderError("The request could not be processed because the input image includes "
                  "sensitive content that violates ContentSecurityDetection.ARKRequest ID:{id};"
                  "CSDRequestId:{id2};Label:{label};SubLabel:{label}", "content_filter", _ARK_CSD),
)
# Alibaba Cloud Model Studio / DashScope (WAN 2.2).
_DASHSCOPE = "https://www.alibabacloud.com/help/en/model-studio/developer-reference/error-code"
_ALIYUN_STATUS = ("https://help.aliyun.com/en/open-search/search-platform/developer-reference/"
                  "status-code-description")
DASHSCOPE_ERRORS = (
    ProviderError("Input or output data may contain inappropriate content.", "content_filter",
                  _DASHSCOPE),
    ProviderError("Required parameter(s) missing or invalid, please check the request parameters.",
                  "invalid_parameters", _DASHSCOPE),
    ProviderError("Requests rate limit exceeded, please try again later.", "rate_limit",
                  _ALIYUN_STATUS),
    ProviderError("Free allocated quota exceeded.", "quota_exceeded", _ALIYUN_STATUS),
    ProviderError("TimeoutError: [Errno 110] Operation timed out", "timeout",
                  "https://github.com/psf/requests/issues/4610"),
)
# Replicate (the Real-ESRGAN upscaler).
REPLICATE_ERRORS = (
    ProviderError('429 Too Many Requests\n{"detail":"Request was throttled. Your rate limit for '
                  'creating predictions is\nreduced to 6 requests per minute with a burst of 1 '
                  'requests while you have less\nthan $5.0 in credit. Your rate limit resets in '
                  '~5s.","status":429,"retry_after":5}', "rate_limit",
                  "https://github.com/nodetool-ai/nodetool/issues/5196"),
    ProviderError("error Request to https://api.replicate.com/v1/predictions failed with status "
                  "402 Payment Required", "quota_exceeded",
                  "https://github.com/replicate/scribble-diffusion/issues/88"),
    ProviderError("replicate.exceptions.ModelError", "unknown",
                  "https://github.com/replicate/replicate-python/issues/306"),
    ProviderError("Prediction was canceled.", "cancelled",
                  "https://github.com/zai-org/CogView2/issues/20"),
)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """How one simulated model behaves."""

    kind: str  # "image", "edit", "video" or "upscale"
    failure_rate: float
    delay: tuple[float, float]  # seconds, uniform
    errors: tuple[ProviderError, ...]


# Video fails most (long jobs, strict moderation on people in motion), upscaling least.
MODELS: dict[str, ModelSpec] = {
    "seededit": ModelSpec("edit", 0.12, (1.5, 3.0), ARK_IMAGE_ERRORS),
    "seedream": ModelSpec("image", 0.10, (1.5, 3.5), ARK_ERRORS),
    "wan": ModelSpec("video", 0.18, (3.0, 6.0), DASHSCOPE_ERRORS),
    "upscaler": ModelSpec("upscale", 0.05, (1.0, 2.0), REPLICATE_ERRORS),
    "seedance": ModelSpec("video", 0.20, (3.0, 6.0), ARK_IMAGE_ERRORS),
}


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a job produced: a result file, or an error."""

    success: bool
    path: str | None = None
    error: ProviderError | None = None

    @property
    def error_message(self) -> str | None:
        return self.error.message if self.error else None


class DemoBackend:
    """Runs simulated jobs on worker threads.

    Args:
        out_dir: where result files are written (created if missing).
        delay: seconds per job; None reads `$PROMPT_TRACKING_DEMO_DELAY`, else the
            model's realistic range.
        seed: seed for outcomes, delays and request ids (None: unpredictable).

    Attributes:
        forced: None, "success" or "failure": overrides the random outcome (tests).
        forced_error: the error a forced failure reports (default: the model's first).
    """

    def __init__(self, out_dir: str | os.PathLike[str], *, delay: float | None = None,
                 seed: int | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if delay is None and os.environ.get(ENV_DELAY):
            try:
                delay = float(os.environ[ENV_DELAY])
            except ValueError:
                log.warning("ignoring %s=%r: not a number", ENV_DELAY, os.environ[ENV_DELAY])
        self.delay = delay
        self.forced: str | None = None
        self.forced_error: ProviderError | None = None
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._counter = 0

    def submit(self, model: str, prompt: str, parameters: dict[str, Any],
               callback: Callable[[Outcome], Any]) -> threading.Thread:
        """Start a job; `callback(outcome)` runs on the worker thread when it is done."""
        spec = MODELS[model]
        with self._lock:
            self._counter += 1
            number = self._counter
            wait = self.delay if self.delay is not None else self._random.uniform(*spec.delay)
            fails = self._random.random() < spec.failure_rate if self.forced is None \
                else self.forced == "failure"
            error = self.forced_error or (self._random.choice(spec.errors) if fails else None)
            request_id = f"{self._random.getrandbits(64):016x}"
        thread = threading.Thread(
            target=self._run, name=f"demo-{model}-{number}", daemon=True,
            args=(spec, model, number, prompt, dict(parameters), wait,
                  _filled(error, request_id) if fails else None, callback))
        thread.start()
        return thread

    def sample_image(self, name: str = "sample-input.png") -> str:
        """A stand-in input photo for the edit, video and upscale layouts."""
        path = self.out_dir / name
        if not path.exists():
            draw_scene("a quiet harbour at dusk, boats and a lighthouse", "input").save(path)
        return str(path)

    def _run(self, spec: ModelSpec, model: str, number: int, prompt: str,
             parameters: dict[str, Any], wait: float, error: ProviderError | None,
             callback: Callable[[Outcome], Any]) -> None:
        time.sleep(wait)
        try:
            outcome = Outcome(False, error=error) if error else \
                Outcome(True, path=self._make_result(spec, model, number, prompt, parameters))
        except Exception as exc:  # Pillow or the disk: report it as the job's error
            log.exception("demo backend: could not write the result")
            outcome = Outcome(False, error=ProviderError(f"{type(exc).__name__}: {exc}",
                                                         "unknown", "demo backend"))
        try:
            callback(outcome)
        except Exception:
            log.exception("demo backend: the job's callback failed")

    def _make_result(self, spec: ModelSpec, model: str, number: int, prompt: str,
                     parameters: dict[str, Any]) -> str:
        path = self.out_dir / f"{model}-{int(time.time())}-{number:04d}.png"
        if spec.kind == "upscale":
            image = upscaled(parameters.get("input_image"), int(parameters.get("scale", 2)))
        elif spec.kind == "video":
            image = film_strip(draw_scene(prompt, model))
        else:
            image = draw_scene(prompt, model)
        image.save(path)
        return str(path)


def _filled(error: ProviderError | None, request_id: str) -> ProviderError | None:
    if error is None:
        return None
    text = error.message.replace("{id}", request_id).replace("{id2}", request_id[::-1])
    return dataclasses.replace(error, message=text.replace("{label}", "Other"))


def _palette(text: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(text.encode("utf-8", "replace")).digest()
    top = (40 + digest[0] % 120, 60 + digest[1] % 120, 90 + digest[2] % 140)
    bottom = (200 + digest[3] % 55, 120 + digest[4] % 100, 60 + digest[5] % 80)
    return top, bottom


def draw_scene(prompt: str, label: str, size: tuple[int, int] = RESULT_SIZE) -> Image.Image:
    """A sky-and-hills placeholder coloured by the prompt, with the prompt written on it."""
    width, height = size
    top, bottom = _palette(prompt or label)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    sun = (int(width * 0.72), int(height * 0.3))
    draw.ellipse([sun[0] - 38, sun[1] - 38, sun[0] + 38, sun[1] + 38], fill=(255, 236, 170))
    for offset, shade in ((0.62, 0.55), (0.74, 0.35)):
        base = int(height * offset)
        points = [(0, height)] + [(x, base - int(40 * abs(((x / width * 3) % 2) - 1)))
                                  for x in range(0, width + 16, 16)] + [(width, height)]
        draw.polygon(points, fill=tuple(int(c * shade) for c in top))
    image = image.filter(ImageFilter.SMOOTH)
    draw = ImageDraw.Draw(image)
    font_size = max(12, width // 32)  # an int; the font's own .size is typed float
    font = _font(font_size)
    caption = textwrap.shorten(prompt, 140, placeholder="...") if prompt else "(no prompt)"
    lines = textwrap.wrap(caption, max(20, width // (font_size // 2 + 1)))[:3]
    step = font_size + 4
    box_top = height - 16 - step * len(lines)
    draw.rectangle([0, box_top, width, height], fill=(0, 0, 0))
    for index, line in enumerate(lines):
        draw.text((12, box_top + 8 + step * index), line, fill=(255, 255, 255), font=font)
    draw.text((12, 10), f"demo placeholder · {label}", fill=(255, 255, 255), font=font)
    return image


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font at `size` (no system font needed; `size` needs Pillow >= 10.1)."""
    return ImageFont.load_default(size=size)


def film_strip(frame: Image.Image) -> Image.Image:
    """A video thumbnail: the frame between sprocket rows, with a play mark."""
    width, height = frame.size
    strip = Image.new("RGB", (width, height + 48), (18, 18, 18))
    strip.paste(frame, (0, 24))
    draw = ImageDraw.Draw(strip)
    for x in range(8, width, 28):
        for y in (6, height + 30):
            draw.rounded_rectangle([x, y, x + 14, y + 12], radius=2, fill=(235, 235, 235))
    cx, cy = width // 2, height // 2 + 24
    draw.ellipse([cx - 34, cy - 34, cx + 34, cy + 34], fill=(0, 0, 0))
    draw.polygon([(cx - 12, cy - 18), (cx - 12, cy + 18), (cx + 20, cy)], fill=(255, 255, 255))
    return strip


def upscaled(source: str | None, scale: int) -> Image.Image:
    """`source` resized by `scale` (capped to 2048 px wide), sharpened."""
    image = Image.open(source).convert("RGB") if source and os.path.isfile(source) \
        else draw_scene("upscaler input", "upscaler", (256, 192))
    scale = max(1, min(scale, 8))
    width = min(image.width * scale, 2048)
    height = round(image.height * width / image.width)
    return image.resize((width, height), Image.Resampling.LANCZOS).filter(ImageFilter.SHARPEN)
