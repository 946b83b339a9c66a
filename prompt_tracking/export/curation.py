"""`get_prompts_for_ai_training`: the best prompts and a balanced set of failures, in memory.

Unlike the file export this returns plain dicts to the host (no consent needed: nothing
leaves the process) and applies no PII masking; secrets were masked when logged.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from prompt_tracking.export.dedupe import GroupKeys
from prompt_tracking.records import FailureReason, PromptRecord, prompt_metadata


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
            high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bound}, got {value!r}")
    return value


def is_good(record: PromptRecord, min_quality_rating: int) -> bool:
    """Rated at or above the threshold, or kept by the user and not rated.

    A low rating wins over a Keep: the rating is the more deliberate judgement.
    """
    if not record.success:
        return False
    if record.quality_rating is not None:
        return record.quality_rating >= min_quality_rating
    return record.is_kept


def balanced_quotas(available: dict[str, int], cap: int) -> dict[str, int]:
    """Split `cap` across reasons as evenly as their counts allow (round robin).

    A reason with fewer examples than its even share gives the rest to the others;
    leftover units go to the most common reasons first.
    """
    quotas = dict.fromkeys(available, 0)
    order = sorted(available, key=lambda k: (-available[k], k))
    remaining = cap
    while remaining > 0:
        progressed = False
        for reason in order:
            if remaining and quotas[reason] < available[reason]:
                quotas[reason] += 1
                remaining -= 1
                progressed = True
        if not progressed:
            break
    return quotas


def _traits(records: Sequence[PromptRecord]) -> dict[str, Any]:
    if not records:
        return {"count": 0}
    metas = [r.metadata if "characters" in r.metadata else prompt_metadata(r.prompt,
                                                                           r.model_parameters)
             for r in records]
    n = len(metas)

    def mean(key: str) -> float:
        return round(sum(float(m.get(key) or 0) for m in metas) / n, 3)

    def share(test: Any) -> float:
        return round(sum(1 for m in metas if test(m)) / n, 3)

    return {"count": n, "mean_characters": mean("characters"), "mean_words": mean("words"),
            "mean_segments": mean("segments"),
            "weight_syntax_share": share(lambda m: (m.get("weight_syntax") or 0) > 0),
            "negative_prompt_share": share(lambda m: bool(m.get("has_negative_prompt"))),
            "non_ascii_share": share(lambda m: bool(m.get("non_ascii")))}


def get_prompts_for_ai_training(tracker: Any, min_quality_rating: int = 4,
                                max_failed_examples: int = 200,
                                max_successful_examples: int = 200) -> dict[str, Any]:
    """Curated examples for training: good prompts, failures by reason, and an analysis.

    Args:
        tracker: The `EnhancedPromptTracker` to read.
        min_quality_rating: Lowest rating (1-5) that makes a prompt good.
        max_failed_examples: Cap on failures, shared evenly across reasons.
        max_successful_examples: Cap on good prompts.

    Returns:
        `{"good_prompts": [record dict, ...], "failed_prompts_by_category": {reason: [...]},
        "analysis": {...}}`. Good prompts are best first (rating, kept, newest); failures
        newest first. Near-duplicate prompts (see `dedupe`) appear once per list.

    Raises:
        ValueError: an argument is out of range.
    """
    _check_int("min_quality_rating", min_quality_rating, 1, 5)
    _check_int("max_failed_examples", max_failed_examples, 0)
    _check_int("max_successful_examples", max_successful_examples, 0)
    records = list(tracker.records(newest_first=True))
    keys = GroupKeys()
    good, good_duplicates = select_good(records, min_quality_rating, keys)
    by_reason, failed_duplicates = failures_by_reason(records, keys)
    quotas = balanced_quotas({k: len(v) for k, v in by_reason.items()}, max_failed_examples)
    failed = {reason: items[:quotas[reason]] for reason, items in by_reason.items()
              if quotas[reason]}
    analysis = analyse(records, good, by_reason, good[:max_successful_examples], failed, quotas,
                       duplicates=good_duplicates + failed_duplicates,
                       thresholds={"min_quality_rating": min_quality_rating,
                                   "max_successful_examples": max_successful_examples,
                                   "max_failed_examples": max_failed_examples})
    return {"good_prompts": [r.to_dict() for r in good[:max_successful_examples]],
            "failed_prompts_by_category": {k: [r.to_dict() for r in v] for k, v in failed.items()},
            "analysis": analysis}


def select_good(records: Sequence[PromptRecord], min_quality_rating: int,
                keys: GroupKeys) -> tuple[list[PromptRecord], int]:
    """Good records best first (rating, kept, newest), one per near-duplicate group.

    Returns:
        The candidates and how many near-duplicates were left out.
    """
    candidates = sorted((r for r in records if is_good(r, min_quality_rating)),
                        key=lambda r: (r.quality_rating or 0, r.is_kept, r.timestamp), reverse=True)
    good, seen, duplicates = [], set(), 0
    for record in candidates:
        key = keys(record.prompt)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        good.append(record)
    return good, duplicates


def failures_by_reason(records: Sequence[PromptRecord],
                       keys: GroupKeys) -> tuple[dict[str, list[PromptRecord]], int]:
    """Failed records per failure reason, in the order given (newest first), one per
    near-duplicate group and reason.

    Returns:
        The failures per reason and how many near-duplicates were left out.
    """
    by_reason: dict[str, list[PromptRecord]] = {}
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    for record in records:
        if record.success:
            continue
        reason = record.failure_reason or FailureReason.UNKNOWN.value
        key = keys(record.prompt)
        if (reason, key) in seen:
            duplicates += 1
            continue
        seen.add((reason, key))
        by_reason.setdefault(reason, []).append(record)
    return by_reason, duplicates


def analyse(records: Sequence[PromptRecord], good: Sequence[PromptRecord],
            by_reason: dict[str, list[PromptRecord]], good_selected: Sequence[PromptRecord],
            failed: dict[str, list[PromptRecord]], quotas: dict[str, int], *, duplicates: int,
            thresholds: dict[str, int]) -> dict[str, Any]:
    """The "analysis" part: counts, rating histogram, reason balance, model mix and the
    prompt traits of the selected good against the selected failed prompts."""
    failed_selected = [r for items in failed.values() for r in items]
    return {
        "counts": {
            "records": len(records), "successful": sum(r.success for r in records),
            "failed": sum(not r.success for r in records),
            "rated": sum(r.quality_rating is not None for r in records),
            "kept": sum(r.is_kept for r in records),
            "good_candidates": len(good), "good_selected": len(good_selected),
            "failed_candidates": sum(len(v) for v in by_reason.values()),
            "failed_selected": len(failed_selected), "duplicates_removed": duplicates},
        "thresholds": dict(thresholds),
        "rating_histogram": {str(k): sum(r.quality_rating == k for r in records)
                             for k in range(1, 6)},
        "reason_balance": {reason: {"available": len(items), "selected": quotas[reason]}
                           for reason, items in sorted(by_reason.items())},
        "model_mix": {"good": dict(Counter(r.ai_model for r in good_selected).most_common()),
                      "failed": dict(Counter(r.ai_model for r in failed_selected).most_common())},
        "prompt_traits": {"good": _traits(good_selected), "failed": _traits(failed_selected)},
    }
