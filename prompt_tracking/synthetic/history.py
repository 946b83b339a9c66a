"""A seeded, deterministic generator of realistic prompt histories, for tests, demos and benchmarks.

The history is built session by session: a user opens the app, sends a handful of prompts to
one or two models, and after most failures retries on the same model with an edited prompt.
Outcomes and ratings follow planted patterns (see `synthetic_vocab`): content-filter terms,
a guidance-scale limit, a step count that times out, and a lighting term users love.
"""
from __future__ import annotations

import math
import random
import time
import uuid
from typing import Any, Iterable

from prompt_tracking.synthetic import vocab as V
from prompt_tracking.records import PromptRecord, prompt_metadata

DEFAULT_START = 1_735_689_600.0  # 2025-01-01 00:00 UTC, so runs without `start` are reproducible
_SESSION_MEAN = 12  # records per session on average, used to spread sessions over the span


def generate_records(n: int, *, seed: int = 0, start: float | None = None,
                     models: Iterable[str] | None = None) -> list[PromptRecord]:
    """Generate `n` records, oldest first, deterministically from `seed`.

    Args:
        n: How many records to make.
        seed: Seed for the private random generator; equal seeds give equal histories.
        start: Epoch seconds of the first session (default 2025-01-01 UTC).
        models: Model names to use, from `synthetic_vocab.MODEL_PROFILES` (default: all).

    Returns:
        A list of `n` PromptRecord, sorted by timestamp.

    Raises:
        ValueError: a model name has no profile, or `n` is negative.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    names = list(models) if models is not None else list(V.MODEL_PROFILES)
    unknown = [m for m in names if m not in V.MODEL_PROFILES]
    if unknown or not names:
        raise ValueError(f"models must be among {sorted(V.MODEL_PROFILES)}, got {names!r}")
    rng = random.Random(seed)
    span = max(14.0, min(540.0, n / 40.0)) * 86_400
    gap = span / max(1.0, n / _SESSION_MEAN)
    t = DEFAULT_START if start is None else float(start)
    records: list[PromptRecord] = []
    while len(records) < n:
        t += rng.expovariate(1.0 / gap)
        records.extend(_session(rng, names, t, n - len(records)))
    return records


def fill_store(tracker: Any, n: int, seed: int = 0) -> int:
    """Generate `n` records ending a minute ago and bulk-insert them with `tracker.import_records`.

    Returns:
        The number of records the tracker reports as inserted.

    Raises:
        TypeError: the tracker has no `import_records` method.
    """
    importer = getattr(tracker, "import_records", None)
    if not callable(importer):
        raise TypeError(f"{type(tracker).__name__} has no import_records(records) method")
    records = generate_records(n, seed=seed)
    if records:
        # A demo or benchmark store reads as recent history: shift it to end just now.
        shift = time.time() - 60 - max(r.timestamp for r in records)
        for record in records:
            record.timestamp += shift
    return int(importer(records))


def _session(rng: random.Random, names: list[str], t: float, budget: int) -> list[PromptRecord]:
    """One sitting: a few prompts on one or two models, with retries after failures."""
    session_id = uuid.UUID(int=rng.getrandbits(128)).hex[:16]
    weights = [V.MODEL_PROFILES[m]["weight"] for m in names]
    favourites = rng.choices(names, weights, k=2)  # type: ignore[arg-type]
    length = min(budget, max(1, int(rng.expovariate(1.0 / _SESSION_MEAN)) + 1))
    out: list[PromptRecord] = []
    pending: tuple[str, str, dict[str, Any], str] | None = None
    while len(out) < length:
        if pending is not None:
            model, prompt, params = _retry(rng, *pending)
        else:
            model = rng.choice(favourites)
            prompt, params = _prompt(rng, model), _parameters(rng, model)
        t += rng.uniform(15, 150)
        record = _record(rng, model, prompt, params, t, session_id)
        out.append(record)
        retry_wanted = not record.success and record.failure_reason != "cancelled" and rng.random() < 0.7
        pending = (model, prompt, params, record.failure_reason) if retry_wanted else None  # type: ignore[assignment]
    return out


def _prompt(rng: random.Random, model: str) -> str:
    """A prompt built from subject, style, lighting and camera vocabulary (empty for upscalers)."""
    kind = V.MODEL_PROFILES[model]["kind"]
    if kind == "upscale":
        return ""
    if kind == "edit":
        parts = [rng.choice(V.EDIT_ACTIONS)]
    else:
        parts = [rng.choice(V.SUBJECTS), rng.choice(V.STYLES)]
    if rng.random() < 0.6:
        parts.append(rng.choice(V.LIGHTING))
    if rng.random() < 0.5:
        parts.append(rng.choice(V.CAMERA))
    if kind.startswith("video"):  # type: ignore[attr-defined]
        parts.append(rng.choice(V.VIDEO_MOTION))
    parts.extend(rng.sample(V.QUALITY_TAGS, k=rng.choice((0, 0, 1, 2, 3))))
    if rng.random() < 0.06:
        parts.insert(1, rng.choice(list(V.CONTENT_FILTER_TERMS)))
    return ", ".join(parts)


def _parameters(rng: random.Random, model: str) -> dict[str, Any]:
    """Parameters typical for the model's kind, with occasional out-of-range values."""
    kind = V.MODEL_PROFILES[model]["kind"]
    seed = rng.randrange(2**32)
    if kind == "upscale":
        return {"scale": rng.choice((2, 4, 4)), "face_enhance": rng.random() < 0.3, "seed": seed}
    if kind == "video_pro":
        return {"duration": rng.choice((5, 5, 10)), "resolution": rng.choice(("720p", "1080p")),
                "ratio": rng.choice(("16:9", "9:16", "1:1")), "camera_fixed": rng.random() < 0.3,
                "seed": seed}
    params: dict[str, Any] = {"seed": seed}
    if kind == "video":
        params.update(steps=rng.choice((20, 30, 30, 40, 50)), cfg=round(rng.uniform(3, 7), 1),
                      size=rng.choice(("1280*720", "832*480", "720*1280")),
                      duration=rng.choice((5, 5, 8, 10)))
    elif kind == "edit":
        params.update(strength=round(rng.uniform(0.3, 0.95), 2),
                      guidance_scale=round(rng.uniform(3, 8), 1))
    else:
        high = rng.random() < 0.12
        params.update(steps=rng.choice((20, 25, 28, 30, 30, 35, 40, 50, 60, 80)),
                      guidance_scale=round(rng.uniform(15.5, 20) if high else rng.uniform(4, 9), 1),
                      width=rng.choice((1024, 1344, 768, 2048)), height=rng.choice((1024, 768, 1344)))
    if rng.random() < 0.3:
        params["negative_prompt"] = rng.choice(V.NEGATIVE_PROMPTS)
    return params


def _retry(rng: random.Random, model: str, prompt: str, params: dict[str, Any],
           reason: str) -> tuple[str, str, dict[str, Any]]:
    """The next try after a failure: the same model, an edited prompt, parameters fixed if needed."""
    params = dict(params, seed=rng.randrange(2**32))
    if reason == "content_filter":
        for term, safe in V.SAFE_REPLACEMENTS.items():
            prompt = prompt.replace(term, safe)
    elif reason == "invalid_parameters" and "guidance_scale" in params:
        params["guidance_scale"] = round(rng.uniform(5, 9), 1)
    elif reason == "invalid_parameters" and "strength" in params:
        params["strength"] = 0.6
    elif reason == "timeout":
        params.update({k: v for k, v in (("steps", 30), ("duration", 5)) if k in params})
    if prompt and (reason != "rate_limit" or rng.random() < 0.5):
        prompt = _edit(rng, prompt)
    return model, prompt, params


def _edit(rng: random.Random, prompt: str) -> str:
    """A small edit: a segment added, dropped or swapped, as users do between tries."""
    parts = prompt.split(", ")
    choice = rng.random()
    if choice < 0.4 or len(parts) < 3:
        parts.append(rng.choice(V.QUALITY_TAGS + V.CAMERA))
    elif choice < 0.7:
        parts.pop(rng.randrange(1, len(parts)))
    else:
        parts[-1] = rng.choice(V.LIGHTING)
    return ", ".join(parts)


def _failure(rng: random.Random, model: str, prompt: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """The failure reason and a detail for the message, or None when the generation succeeds."""
    for term, rate in V.CONTENT_FILTER_TERMS.items():
        if term in prompt and rng.random() < rate:
            return "content_filter", term
    if params.get("guidance_scale", 0) > V.GUIDANCE_LIMIT and rng.random() < V.GUIDANCE_FAIL_RATE:
        return "invalid_parameters", f"guidance_scale must be between 1 and {V.GUIDANCE_LIMIT:g}"
    if params.get("strength", 0) > 0.9 and rng.random() < 0.3:
        return "invalid_parameters", "strength must be <= 0.9"
    if params.get("steps", 0) > V.STEPS_LIMIT and rng.random() < V.STEPS_TIMEOUT_RATE:
        return "timeout", "300"
    timeout_rate = V.MODEL_PROFILES[model]["timeout_rate"] * (3 if params.get("duration") == 10 else 1)  # type: ignore[operator]
    if rng.random() < timeout_rate:
        return "timeout", "600"
    roll = rng.random()
    for reason, rate in V.BASE_FAILURES.items():
        if roll < rate:
            return reason, rng.choice(("20", "60", "worker-3", "empty body"))
        roll -= rate
    return None


def _rating(rng: random.Random, prompt: str, params: dict[str, Any], meta: dict[str, Any]) -> int:
    """A 1-5 rating driven by prompt traits and parameters, plus noise."""
    score = 2.9 + rng.gauss(0, 0.85)
    score += 1.0 if V.HIGH_RATING_TERM in prompt else 0.0
    score += 0.25 if meta["has_negative_prompt"] else 0.0
    score += 0.3 if 20 <= params.get("steps", 30) <= 40 else -0.2
    score += 0.3 if 5 <= params.get("guidance_scale", 6) <= 8 else 0.0
    score -= 0.6 if prompt and meta["words"] < 6 else 0.0
    score -= 0.4 if meta["weight_syntax"] > 2 else 0.0
    score += 0.8 if not prompt else 0.0  # upscales rarely disappoint
    return max(1, min(5, int(math.floor(score + 0.5))))


def _record(rng: random.Random, model: str, prompt: str, params: dict[str, Any], t: float,
            session_id: str) -> PromptRecord:
    """One record with outcome, error details, rating, save method, tags and metadata."""
    meta = prompt_metadata(prompt, params)
    meta["session_id"] = session_id
    record = PromptRecord(id=uuid.UUID(int=rng.getrandbits(128)).hex, timestamp=round(t, 3),
                          prompt=prompt, ai_model=model, success=True, model_parameters=params,
                          metadata=meta)
    failure = _failure(rng, model, prompt, params)
    if failure is None:
        _fill_success(rng, record)
    else:
        _fill_failure(rng, record, *failure)
    if rng.random() < 0.05:
        record.tags = rng.sample(V.TAGS, k=rng.choice((1, 2)))
    return record


def _fill_success(rng: random.Random, record: PromptRecord) -> None:
    """Result URL, save method and (usually) a rating with occasional feedback."""
    ext = "mp4" if V.MODEL_PROFILES[record.ai_model]["kind"].startswith("video") else "png"  # type: ignore[attr-defined]
    record.result_url = f"https://cdn.example.com/{record.ai_model}/{record.id[:12]}.{ext}"
    if rng.random() < 0.65:
        record.quality_rating = _rating(rng, record.prompt, record.model_parameters, record.metadata)
    rating = record.quality_rating or 3
    keep = 0.05 + 0.07 * max(0, rating - 3)
    roll = rng.random()
    record.save_method = "user_save" if roll < keep else "manual" if roll < keep + 0.25 else "auto"
    if record.quality_rating is not None and rng.random() < 0.15:
        record.feedback = rng.choice(V.FEEDBACK[record.quality_rating])


def _fill_failure(rng: random.Random, record: PromptRecord, reason: str, detail: str) -> None:
    """Failure reason, a realistic provider message and the parsed error fields."""
    provider = V.MODEL_PROFILES[record.ai_model]["provider"]
    template, code, status = V.ERRORS[reason]
    record.success = False
    record.failure_reason = reason
    record.error_message = template.format(p=provider, v=detail)
    record.metadata.update(error_code=code, http_status=status,
                           provider=provider if code is not None else None)
