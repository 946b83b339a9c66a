"""The six training tasks: which records each one takes and the row each record becomes.

Every builder reads `Prepared` records (a record with its group key, its redacted text and
parameters) and yields `(identity, group, row)`: rows with the same identity are
near-duplicates and only the first (newest) is kept; `group` decides the split.
Parameters travel as one JSON string per row so every line has the same flat keys, which
is what the pandas and Hugging Face JSON loaders want.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prompt_tracking.export.dedupe import GroupKeys, jaccard, token_set
from prompt_tracking.export.media import Media, MediaStore, is_remote
from prompt_tracking.privacy.pii import PiiRedactor
from prompt_tracking.records import FailureReason, PromptRecord, normalize_prompt

GOOD_RATING = 4          # at or above: a good result (chosen, or the "after" of a repair)
BAD_RATING = 2           # at or below: a poor result (rejected, or the "before" of a repair)
REPAIR_WINDOW_SECONDS = 3600.0
REPAIR_MIN_OVERLAP = 0.3  # token-set Jaccard: below it the next prompt is a new idea, not an edit
_SEED_PARAMETERS = frozenset({"seed", "noise_seed", "random_seed", "manual_seed"})

Row = dict[str, Any]
Built = tuple[tuple[Any, ...], str, Row]

TASK_COLUMNS: dict[str, tuple[str, ...]] = {
    "content_safety": ("id", "group", "text", "model", "label"),
    "quality": ("id", "group", "text", "model", "parameters", "rating", "image", "result"),
    "error_prevention": ("id", "group", "text", "model", "parameters", "outcome", "reason"),
    "parameter_optimization": ("id", "group", "model", "parameters", "outcome", "rating"),
    "preference_pairs": ("group", "prompt", "chosen", "rejected", "model", "chosen_prompt",
                         "rejected_prompt", "chosen_rating", "rejected_rating",
                         "chosen_parameters", "rejected_parameters", "chosen_id", "rejected_id",
                         "chosen_image", "rejected_image", "image_0", "image_1", "label_0",
                         "label_1"),
    "repair_pairs": ("group", "before", "after", "model", "before_outcome", "before_reason",
                     "before_rating", "after_rating", "before_parameters", "after_parameters",
                     "before_id", "after_id", "before_image", "after_image"),
}
# Columns holding an image path relative to the export: `datasets.Image` features in the card.
IMAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "quality": ("image",),
    "preference_pairs": ("chosen_image", "rejected_image", "image_0", "image_1"),
    "repair_pairs": ("before_image", "after_image"),
}
# Tasks whose rows are about a picture: a record whose file is missing is left out of them.
IMAGE_TASKS = ("quality", "preference_pairs")
TASKS = tuple(TASK_COLUMNS)


class Prepared:
    """A record ready for export: group key, redacted prompt and parameters, computed once."""

    __slots__ = ("record", "group", "text", "model", "parameters", "parameters_identity", "_redactor",
                 "_tokens", "_result", "_media")

    def __init__(self, record: PromptRecord, group: str, redactor: PiiRedactor | None,
                 media: MediaStore | None = None) -> None:
        self.record = record
        self.group = group
        self._redactor = redactor
        self._media = media
        self.text = redactor.text(record.prompt) if redactor else record.prompt
        # A model name can be a local checkpoint path under the user's home.
        self.model = redactor.text(record.ai_model) if redactor else record.ai_model
        params = redactor.value(record.model_parameters) if redactor else record.model_parameters
        self.parameters = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
        # Rows that differ only in the seed parameter are near-duplicates too.
        try:
            self.parameters_identity: Any = frozenset(
                (k, v) for k, v in params.items() if k not in _SEED_PARAMETERS)
        except TypeError:  # a list or dict value: compare by text instead
            self.parameters_identity = tuple(sorted(
                (k, repr(v)) for k, v in params.items() if k not in _SEED_PARAMETERS))
        self._tokens: frozenset[str] | None = None
        self._result: str | None = None

    @property
    def tokens(self) -> frozenset[str]:
        if self._tokens is None:
            self._tokens = token_set(self.record.prompt)
        return self._tokens

    @property
    def media(self) -> Media | None:
        """The result in the export (images on), collected on first use; else None."""
        if self._media is None or not self.record.success:
            return None
        return self._media.resolve(self.record.result_url)

    @property
    def missing_file(self) -> bool:
        """Images on, and the record's local result file is missing or unreadable."""
        return self._media is not None and self.record.success and self._media.unusable(
            self.record.result_url)

    @property
    def image(self) -> str | None:
        media = self.media
        return media.image if media else None

    @property
    def result(self) -> str | None:
        """The result reference: with images, the path inside the export (never redacted:
        it names no one) or the URL; without, the original reference, redacted."""
        if self._result is None and self.record.result_url:
            if self._media is not None:
                media = self.media
                url = media.ref if media else None
                if url is not None and is_remote(url) and self._redactor:
                    url = self._redactor.text(url)  # a token in a signed URL is still masked
                self._result = url
            else:
                url = self.record.result_url
                self._result = self._redactor.text(url) if self._redactor else url
        return self._result


def prepare(records: Sequence[PromptRecord], redactor: PiiRedactor | None,
            media: MediaStore | None = None) -> list[Prepared]:
    keys = GroupKeys()
    return [Prepared(r, keys(r.prompt), redactor, media) for r in records]


def _is_good(r: PromptRecord, good: int = GOOD_RATING) -> bool:
    return r.success and r.quality_rating is not None and r.quality_rating >= good


def _is_bad(r: PromptRecord) -> bool:
    return not r.success or (r.quality_rating is not None and r.quality_rating <= BAD_RATING)


# -- one row per record --------------------------------------------------------------------
def content_safety(items: Sequence[Prepared]) -> Iterator[Built]:
    """Successes are "safe", content-filter failures "blocked"; other failures say nothing."""
    for p in items:
        r = p.record
        if r.success:
            label = "safe"
        elif r.failure_reason == FailureReason.CONTENT_FILTER.value:
            label = "blocked"
        else:
            continue
        yield (p.group, r.ai_model, label), p.group, {
            "id": r.id, "group": p.group, "text": p.text, "model": p.model, "label": label}


def quality(items: Sequence[Prepared]) -> Iterator[Built]:
    """Rated successes with their 1-5 rating."""
    for p in items:
        r = p.record
        if r.success and r.quality_rating is not None and not p.missing_file:
            yield (p.group, r.ai_model, p.parameters_identity, r.quality_rating), p.group, {
                "id": r.id, "group": p.group, "text": p.text, "model": p.model,
                "parameters": p.parameters, "rating": r.quality_rating, "image": p.image,
                "result": p.result if p._media is not None else None}


def error_prevention(items: Sequence[Prepared]) -> Iterator[Built]:
    """Every record with its outcome and, for failures, the failure reason."""
    for p in items:
        r = p.record
        reason = None if r.success else (r.failure_reason or FailureReason.UNKNOWN.value)
        yield (p.group, r.ai_model, p.parameters_identity, r.success, reason), p.group, {
            "id": r.id, "group": p.group, "text": p.text, "model": p.model,
            "parameters": p.parameters, "outcome": r.outcome, "reason": reason}


def parameter_optimization(items: Sequence[Prepared]) -> Iterator[Built]:
    """Model and parameters against outcome and rating (the prompt only decides the split)."""
    for p in items:
        r = p.record
        yield (p.group, r.ai_model, p.parameters_identity, r.success, r.quality_rating), p.group, {
            "id": r.id, "group": p.group, "model": p.model, "parameters": p.parameters,
            "outcome": r.outcome, "rating": r.quality_rating}


# -- pairs ---------------------------------------------------------------------------------
def _order(good: Prepared, bad: Prepared) -> bool:
    """Whether the chosen result is shown as image_0: a fixed coin per pair, so a model
    cannot learn "the first one wins" (Pick-a-Pic shows its pairs in random order too)."""
    return hashlib.blake2b(f"{good.record.id}|{bad.record.id}".encode(), digest_size=1).digest()[0] < 128


def preference_pairs(items: Sequence[Prepared], good: int = GOOD_RATING) -> Iterator[Built]:
    """Per (model, prompt group): the best results paired with the worst, each used once.

    Chosen results are rated >= `good` (best first: rating, kept, newest); rejected are
    rated <= BAD_RATING (worst first, then newest). The i-th chosen meets the i-th rejected.
    With images on, a result whose file is missing takes part in no pair.
    """
    intents: dict[tuple[str, str], tuple[list[Prepared], list[Prepared]]] = defaultdict(
        lambda: ([], []))
    for p in items:
        r = p.record
        if r.success and r.quality_rating is not None and not p.missing_file:
            chosen, rejected = intents[(r.ai_model, p.group)]
            if r.quality_rating >= good:
                chosen.append(p)
            elif r.quality_rating <= BAD_RATING:
                rejected.append(p)
    for (model, group), (chosen, rejected) in intents.items():
        chosen.sort(key=lambda p: (p.record.quality_rating, p.record.is_kept, p.record.timestamp),
                    reverse=True)
        rejected.sort(key=lambda p: (p.record.quality_rating, -p.record.timestamp))
        for best, worst in zip(chosen, rejected):
            first_is_chosen = _order(best, worst)
            yield (best.record.id, worst.record.id), group, {
                "group": group, "prompt": best.text, "chosen": best.result,
                "rejected": worst.result, "model": best.model, "chosen_prompt": best.text,
                "rejected_prompt": worst.text, "chosen_rating": best.record.quality_rating,
                "rejected_rating": worst.record.quality_rating,
                "chosen_parameters": best.parameters, "rejected_parameters": worst.parameters,
                "chosen_id": best.record.id, "rejected_id": worst.record.id,
                "chosen_image": best.image, "rejected_image": worst.image,
                "image_0": (best if first_is_chosen else worst).image,
                "image_1": (worst if first_is_chosen else best).image,
                "label_0": 1.0 if first_is_chosen else 0.0,
                "label_1": 0.0 if first_is_chosen else 1.0}


def _is_edit(before: Prepared, after: Prepared) -> bool:
    if after.record.timestamp - before.record.timestamp > REPAIR_WINDOW_SECONDS:
        return False
    if normalize_prompt(before.record.prompt) == normalize_prompt(after.record.prompt):
        return False  # a plain retry of the same text teaches no rewrite
    return jaccard(before.tokens, after.tokens) >= REPAIR_MIN_OVERLAP


def repair_pairs(items: Sequence[Prepared], good: int = GOOD_RATING) -> Iterator[Built]:
    """A failed or poorly rated prompt, then an edit of it that succeeded with a good rating.

    Both on the same model in the same session (metadata "session_id"), at most
    REPAIR_WINDOW_SECONDS apart, sharing at least REPAIR_MIN_OVERLAP of their tokens. Every
    poor prompt since the previous good one on that stream pairs with the next good one.
    """
    streams: dict[tuple[Any, str], list[Prepared]] = defaultdict(list)
    for p in items:
        if _is_bad(p.record) or _is_good(p.record, good):
            streams[(p.record.metadata.get("session_id"), p.record.ai_model)].append(p)
    for stream in streams.values():
        stream.sort(key=lambda p: (p.record.timestamp, p.record.id))
        waiting: list[Prepared] = []
        for p in stream:
            if _is_bad(p.record):
                waiting.append(p)
                continue
            for before in waiting:
                if _is_edit(before, p):
                    yield (before.group, p.group, p.record.ai_model), before.group, _repair_row(
                        before, p)
            waiting = []


def _repair_row(before: Prepared, after: Prepared) -> Row:
    b = before.record
    return {"group": before.group, "before": before.text, "after": after.text, "model": before.model,
            "before_outcome": b.outcome,
            "before_reason": None if b.success else (b.failure_reason or "unknown"),
            "before_rating": b.quality_rating, "after_rating": after.record.quality_rating,
            "before_parameters": before.parameters, "after_parameters": after.parameters,
            "before_id": b.id, "after_id": after.record.id,
            # Images only where both exist: half a pair of pictures teaches nothing.
            **_both_images(before, after)}


def _both_images(before: Prepared, after: Prepared) -> Row:
    if before._media is None:
        return {"before_image": None, "after_image": None}
    first, second = before.image, after.image
    if first is None or second is None:
        return {"before_image": None, "after_image": None}
    return {"before_image": first, "after_image": second}


# The builders that take the "good" threshold (`min_quality_rating`) as a second argument.
THRESHOLD_TASKS = frozenset({"preference_pairs", "repair_pairs"})
BUILDERS: dict[str, Callable[..., Iterator[Built]]] = {
    "content_safety": content_safety,
    "quality": quality,
    "error_prevention": error_prevention,
    "parameter_optimization": parameter_optimization,
    "preference_pairs": preference_pairs,
    "repair_pairs": repair_pairs,
}
