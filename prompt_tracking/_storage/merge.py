"""Reads that see changes not yet committed: stored records merged with the writer's pending ops.

A read on the Tk thread must not wait for a store that another process holds locked, so
when the writer is behind, the tracker reads what is stored and lays the pending inserts
and updates (`Writer.pending_snapshot()`) over it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from prompt_tracking.query import RecordQuery
from prompt_tracking.records import PromptRecord, with_derived_metadata
from prompt_tracking._storage.summary import summarize

Pending = dict[str, dict[str, Any]]
Reader = Callable[[RecordQuery, int | None], list[PromptRecord]]
_ID_CHUNK = 500  # stay under SQLite's parameter limit
# Reads wait this long for the writer to catch up (it commits within ~20 ms), then merge
# the records still in memory instead: a read on the Tk thread must not stall on a lock.
READ_WAIT = 0.1


def merge_update(record: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """A record dict with an update op applied (metadata keys set to None are removed)."""
    merged = {**record, **op.get("fields", {})}
    metadata = {**record.get("metadata", {}), **op.get("metadata", {})}
    merged["metadata"] = {k: v for k, v in metadata.items() if v is not None}
    return merged


def pending_insert(entry: dict[str, Any]) -> PromptRecord:
    """The record of a pending insert, as it will be stored."""
    return PromptRecord.from_dict(with_derived_metadata(entry["record"]))


def merged_record(stored: PromptRecord | None, entry: dict[str, Any] | None) -> PromptRecord | None:
    """One record with its pending change (if any) applied."""
    if entry and "record" in entry:
        return pending_insert(entry)
    if stored is not None and entry:
        return PromptRecord.from_dict(merge_update(stored.to_dict(), entry))
    return stored


def merged_records(pending: Pending, read: Reader, query: RecordQuery, newest_first: bool,
                   limit: int | None) -> list[PromptRecord]:
    """Stored and pending records together, filtered, sorted and limited like a store query.

    Args:
        read: `read(query, limit)` returns stored records (newest first when `newest_first`).
    """
    patches = {k: v for k, v in pending.items() if "record" not in v}
    stored = read(query, None if limit is None else limit + len(patches))
    patched_ids = sorted(patches)
    for start in range(0, len(patched_ids), _ID_CHUNK):  # a patch may make a record match
        stored += read(RecordQuery(ids=tuple(patched_ids[start:start + _ID_CHUNK])), None)
    merged: dict[str, PromptRecord] = {}
    for record in stored:
        merged[record.id] = merged_record(record, patches.get(record.id)) or record
    for record_id, entry in pending.items():
        if "record" in entry:
            merged[record_id] = pending_insert(entry)
    matching = sorted((r for r in merged.values() if query.matches(r)),
                      key=lambda r: (r.timestamp, r.id), reverse=newest_first)
    return matching[:limit] if limit is not None else matching


def stats_of(records: Iterable[PromptRecord]) -> dict[str, Any]:
    """`stats()` computed in Python, for records not (yet) in the database."""
    models: dict[str, list[Any]] = {}
    reasons: dict[str | None, int] = {}
    for r in records:
        entry = models.setdefault(r.ai_model, [r.ai_model, 0, 0, 0, 0.0])
        entry[1] += 1
        entry[2] += int(r.success)
        if r.quality_rating is not None:
            entry[3] += 1
            entry[4] += r.quality_rating
        if not r.success:
            reasons[r.failure_reason] = reasons.get(r.failure_reason, 0) + 1
    rows = [(m, n, ok, rated, (total / rated) if rated else None)
            for m, n, ok, rated, total in sorted(models.values(), key=lambda e: -e[1])]
    return summarize(rows, sorted(reasons.items(), key=lambda kv: -kv[1]))


class _WriterReads(Protocol):
    def flush(self, timeout: float | None) -> bool: ...
    def read(self, fn: Callable[[Any], Any], default: Any) -> Any: ...
    def pending_snapshot(self) -> Pending: ...
    def warn_once(self, key: str, message: str, *args: Any) -> None: ...


def read_records(writer: _WriterReads, query: RecordQuery, newest_first: bool,
                 limit: int | None) -> Iterator[PromptRecord]:
    """Records for a query: straight from the store once the writer caught up (within
    READ_WAIT), else stored and pending records merged, so a read never stalls on a lock."""
    if writer.flush(READ_WAIT):
        return _iter_store(writer, lambda s: s.query(query, newest_first=newest_first, limit=limit))
    return iter(_merged(writer, query, newest_first, limit))


def read_stats(writer: _WriterReads, query: RecordQuery) -> dict[str, Any]:
    """`stats()` for a query, from SQL when the writer caught up, else from merged records."""
    if writer.flush(READ_WAIT):
        result = writer.read(lambda s: s.stats(query), None)
        if result is not None:
            return result
    return stats_of(_merged(writer, query, True, None))


def _iter_store(writer: _WriterReads, fn: Callable[[Any], Any]) -> Iterator[PromptRecord]:
    """Records from the store; a fault part-way through ends the iteration with a warning."""
    try:
        yield from writer.read(fn, iter(()))
    except Exception as exc:
        writer.warn_once("read", "cannot read the store (%s)", exc)


def _merged(writer: _WriterReads, query: RecordQuery, newest_first: bool,
            limit: int | None) -> list[PromptRecord]:
    def read(q: RecordQuery, n: int | None) -> list[PromptRecord]:
        return writer.read(lambda s: list(s.query(q, newest_first=newest_first, limit=n)), [])
    return merged_records(writer.pending_snapshot(), read, query, newest_first, limit)
