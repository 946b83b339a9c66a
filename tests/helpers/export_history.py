"""A small fixed history for the export tests, with known near-duplicates, pairs and PII.

Ids say what a record is for: a* the fox prompts (a repair, a preference pair and
near-duplicates), b* other failures and PII, c* a rating repair, d* and e* non-pairs.
"""
from __future__ import annotations

from prompt_tracking.records import PromptRecord, prompt_metadata

T0 = 1_760_000_000.0

# (id, prompt, success, rating, save_method, failure_reason, model, session, parameters)
ROWS = [
    ("a1", "a red fox in snow", False, None, None, "content_filter", "flux", "s1", None),
    ("a2", "a red fox in snow, golden hour", True, 5, "user_save", None, "flux", "s1",
     {"steps": 30, "seed": 1}),
    ("a3", "Golden hour, a red fox in snow!!", True, 1, "auto", None, "flux", "s1", None),
    ("b1", "portrait of a woman, nsfw", False, None, None, "content_filter", "sdxl", "s3", None),
    ("b2", "castle on a hill", False, None, None, "timeout", "sdxl", "s3", None),
    ("b3", "castle on a hill at dawn", True, 4, "auto", None, "sdxl", "s3", None),
    ("b4", "a cat, email me at jane@example.com", True, None, "auto", None, "sdxl", "s4", None),
    ("b5", '=HYPERLINK("http://evil.example","x")', True, 3, "auto", None, "sdxl", "s4", None),
    ("b6", "  A RED FOX IN SNOW ", False, None, None, "content_filter", "flux", "s5", None),
    ("c1", "a dog on the beach", True, 2, "auto", None, "flux", "s6", None),
    ("c2", "a dog on the moon", True, 5, "auto", None, "flux", "s6", None),
    ("d1", "a tree", False, None, None, "timeout", "flux", "s7", None),
    ("d2", "spaceship interior neon", True, 5, "auto", None, "flux", "s7", None),
    ("e1", "a bird", False, None, None, "server_error", "flux", "s8", None),
    ("e2", "a bird flying", True, 5, "auto", None, "sdxl", "s8", None),
    ("a4", "a red fox in snow golden hour --seed 42", True, 5, "auto", None, "flux", "s2",
     {"steps": 30, "seed": 2}),
]


def make_record(record_id: str, prompt: str, success: bool, rating: int | None = None,
                save_method: str | None = "auto", reason: str | None = None,
                model: str = "flux", session: str | None = "s1",
                parameters: dict | None = None, timestamp: float = T0) -> PromptRecord:
    params = parameters if parameters is not None else {"steps": 30}
    meta = prompt_metadata(prompt, params)
    if session is not None:
        meta["session_id"] = session
    return PromptRecord(
        id=record_id, timestamp=timestamp, prompt=prompt, ai_model=model, success=success,
        result_url=f"/home/alice/out/{record_id}.png" if success else None,
        save_method=save_method if success else None, model_parameters=params,
        error_message=None if success else f"{reason} error", failure_reason=reason,
        quality_rating=rating, metadata=meta)


def fixed_history() -> list[PromptRecord]:
    """The ROWS as records, one minute apart in list order."""
    return [make_record(rid, prompt, ok, rating, save, reason, model, session, params,
                        timestamp=T0 + 60 * i)
            for i, (rid, prompt, ok, rating, save, reason, model, session, params)
            in enumerate(ROWS)]


def with_images(records: list[PromptRecord], home) -> list[PromptRecord]:
    """The records with their results as real PNG files under a home-like folder.

    Each success gets `<home>/out/<id>.png`, sized by its position (so a test can tell
    which picture a row carries); the returned records point at them.
    """
    from PIL import Image

    out = home / "out"
    out.mkdir(parents=True, exist_ok=True)
    for i, record in enumerate(records):
        if record.success:
            path = out / f"{record.id}.png"
            Image.new("RGB", (16 + i, 8 + i), (10 * i % 256, 80, 160)).save(path)
            record.result_url = str(path)
    return records


def image_size_of(record_id: str) -> tuple[int, int]:
    """The size `with_images` gave the fixed history's record `record_id`."""
    i = [row[0] for row in ROWS].index(record_id)
    return 16 + i, 8 + i
