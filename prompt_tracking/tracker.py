"""`EnhancedPromptTracker`: the public entry point a host app calls after each generation.

The log calls (`log_successful_prompt`, `log_failed_prompt`) never raise and never wait
for the disk: they clean the input, journal it and hand it to the background writer.
The rest of the API (rating, corrections, reads) validates its arguments and raises
`ValueError`/`KeyError` naming the bad one, writing nothing in that case.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prompt_tracking._storage import paths
from prompt_tracking.failures.categorize import describe_failure
from prompt_tracking.query import RecordQuery
from prompt_tracking.records import MAX_PROMPT_CHARS, FailureReason, PromptRecord, SaveMethod, prompt_metadata
from prompt_tracking.privacy.redact import redact_text, redact_url, sanitize_parameters
from prompt_tracking._storage.pgurl import database_url_from_env, mask_url
from prompt_tracking._storage.shared import shared_store
from prompt_tracking._storage.spool import Spool
from prompt_tracking._storage.store import SQLiteStore, summarize
from prompt_tracking._storage.writer import Writer, merge_update

if TYPE_CHECKING:
    from prompt_tracking.analytics.analysis import Analytics
    from prompt_tracking.export.run import ExportReport
    from prompt_tracking.risk.model import PromptAssessment

log = logging.getLogger(__name__)

DEFAULT_CAP = 2000
EXIT_FLUSH_SECONDS = 3.0
# Reads wait this long for the writer to catch up (it commits within ~20 ms), then merge
# the records still in memory instead: a read on the Tk thread must not stall on a lock.
READ_WAIT = 0.1
MAX_TAGS = 20
MAX_FEEDBACK_CHARS = 5000
_open_trackers: weakref.WeakSet[EnhancedPromptTracker] = weakref.WeakSet()


def _check_cap(name: str, cap: Any) -> None:
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
        raise ValueError(f"{name} must be a non-negative int or None, got {cap!r}")


def new_record_id() -> str:
    """Time-ordered and unique across processes: 12 hex digits of ms time + 10 random."""
    return f"{time.time_ns() // 1_000_000:012x}{uuid.uuid4().hex[:10]}"


def _text(value: Any, limit: int | None = None) -> tuple[str, bool]:
    """Any value as text (None -> ''); returns (text, truncated)."""
    if value is None:
        return "", False
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    elif not isinstance(value, str):
        try:
            value = str(value)
        except Exception:
            value = f"<{type(value).__name__}>"
    # Lone surrogates cannot be encoded to UTF-8 for SQLite; keep everything else as given.
    value = value.encode("utf-8", "replace").decode("utf-8")
    if limit is not None and len(value) > limit:
        return value[:limit], True
    return value, False


class EnhancedPromptTracker:
    """Logs prompts and their outcomes to a local SQLite store; safe from any thread.

    Opening is lazy: nothing touches the disk until the first call that needs the store.

    Args:
        data_dir: Where the store lives. None: `$PROMPT_TRACKING_HOME`, else the user data dir.
        max_successful: Cap on successful records kept (None: no cap).
        max_failed: Cap on failed records kept (None: no cap).
        archive: Append evicted records to `archive.jsonl.gz` instead of dropping them.
        database_url: A `postgresql://user:password@host:5432/db` URL for a store shared by
            a team (None: `$PROMPT_TRACKING_DATABASE_URL`, else SQLite in `data_dir`). The
            data dir still holds the local journal; see docs/team-store.md.
    """

    def __init__(self, data_dir: str | Path | None = None, *, max_successful: int | None = DEFAULT_CAP,
                 max_failed: int | None = DEFAULT_CAP, archive: bool = True,
                 database_url: str | None = None) -> None:
        for name, cap in (("max_successful", max_successful), ("max_failed", max_failed)):
            _check_cap(name, cap)
        self._data_dir = Path(data_dir).expanduser() if data_dir is not None else None
        self.max_successful = max_successful
        self.max_failed = max_failed
        self.archive = archive
        self._database_url = database_url
        self.session_id = uuid.uuid4().hex[:12]
        self._writer: Writer | None = None
        self._start_lock = threading.Lock()
        self._listeners: list[Callable[[str, str], None]] = []
        self.revision = 0   # bumped on every change; a GUI can poll it cheaply with after()
        self._risk_model: tuple[tuple[int, int], Any] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self._data_dir if self._data_dir is not None else paths.default_data_dir()

    @property
    def db_path(self) -> Path:
        return self.data_dir / paths.DB_NAME

    @property
    def archive_path(self) -> Path:
        return self.data_dir / paths.ARCHIVE_NAME

    def _started(self) -> Writer:
        writer = self._writer
        if writer is not None:
            return writer
        with self._start_lock:
            if self._writer is None:
                self._writer = self._start()
            return self._writer

    def _start(self) -> Writer:
        directory = self.data_dir
        self._data_dir = directory  # freeze: a later env change must not split the store
        # A fresh journal per writer: a tracker reopened after close() must not share the
        # file an old writer may still truncate or remove.
        spool = Spool(directory / paths.SPOOL_DIR, f"{self.session_id}-{uuid.uuid4().hex[:8]}")
        try:
            paths.ensure_private_dir(directory)
            spool.open()
        except OSError as exc:
            log.warning("prompt-tracking: data dir %s is not writable (%s); records are kept in "
                        "memory and retried", directory, exc)
        self._apply_saved_caps(directory)
        writer = Writer(self._make_store(directory), spool,
                        caps={True: self.max_successful, False: self.max_failed},
                        archive_path=self.archive_path if self.archive else None)
        writer.thread.start()
        _open_trackers.add(self)
        return writer

    @property
    def database_url(self) -> str | None:
        """The shared store's URL without its password, or None for the local SQLite store."""
        url = self._database_url if self._database_url is not None else database_url_from_env()
        return mask_url(url) if url else None

    def _make_store(self, directory: Path) -> Any:
        url = self._database_url if self._database_url is not None else database_url_from_env()
        self._database_url = url or ""  # freeze, like the data dir
        if not url:
            return SQLiteStore(directory / paths.DB_NAME)
        return shared_store(url, directory)

    def _apply_saved_caps(self, directory: Path) -> None:
        """Caps the user chose (e.g. while importing history) replace the built-in defaults."""
        from prompt_tracking.settings import load_settings

        try:
            saved = load_settings(directory).get("retention_caps") or {}
        except Exception:
            return
        for name in ("max_successful", "max_failed"):
            if getattr(self, name) == DEFAULT_CAP and name in saved:
                try:
                    _check_cap(name, saved[name])
                    setattr(self, name, saved[name])
                except ValueError:
                    log.warning("prompt-tracking: ignoring a bad saved %s", name)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record logged so far is in the database; False if `timeout` passed."""
        if self._writer is None:
            return True
        return self._writer.flush(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Flush (for up to `timeout` seconds) and release the store. Anything not yet
        committed stays in the journal and is recovered the next time the store opens."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        flushed = writer.stop(timeout)
        writer.spool.close(remove=flushed and writer.committed >= writer.enqueued)
        writer.store.close()
        _open_trackers.discard(self)

    def set_caps(self, max_successful: int | None | object = ..., max_failed: int | None | object = ...,
                 *, persist: bool = False) -> None:
        """Change the retention caps, also on a running tracker (`...` leaves one as it is).

        Args:
            persist: Remember the caps in the data dir's settings, so later trackers opened
                with the default caps use them (explicit constructor caps still win).

        Raises:
            ValueError: a cap is not a non-negative int or None.
        """
        caps = {"max_successful": max_successful, "max_failed": max_failed}
        caps = {name: cap for name, cap in caps.items() if cap is not ...}
        for name, cap in caps.items():
            _check_cap(name, cap)
        for name, cap in caps.items():
            setattr(self, name, cap)
        if self._writer is not None:
            self._writer.schedule_retention({True: self.max_successful, False: self.max_failed})
        if persist:
            from prompt_tracking.settings import update_settings

            update_settings(self.data_dir, retention_caps={"max_successful": self.max_successful,
                                                            "max_failed": self.max_failed})

    def enforce_retention(self, timeout: float | None = 30.0) -> bool:
        """Apply the retention caps now (normally the writer does it by itself).

        Returns:
            False if it did not finish within `timeout` seconds.
        """
        return self._started().request_retention(timeout)

    def __enter__(self) -> EnhancedPromptTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- change notifications --------------------------------------------------------------
    def subscribe(self, callback: Callable[[str, str], None]) -> Callable[[], None]:
        """Call `callback(event, record_id)` after every change; returns an unsubscribe function.

        Events: "logged", "rated", "updated", "imported" (bulk; record_id is ""). Callbacks run on the thread that made the change
        and must be quick (a GUI should only note the change and act from its own thread);
        their exceptions are logged, never raised.
        """
        self._listeners.append(callback)

        def unsubscribe() -> None:
            try:
                self._listeners.remove(callback)
            except ValueError:
                pass
        return unsubscribe

    def _notify(self, event: str, record_id: str) -> None:
        self.revision += 1
        for callback in list(self._listeners):
            try:
                callback(event, record_id)
            except Exception:
                log.exception("prompt-tracking: a change listener failed")

    # -- logging (never raises) ------------------------------------------------------------
    def log_successful_prompt(self, prompt: Any, ai_model: Any, result_url: Any = None,
                              save_method: SaveMethod | str = "auto", model_parameters: Any = None,
                              *, duration: float | None = None,
                              metadata: dict[str, Any] | None = None) -> str:
        """Record a generation that produced a result. Never raises.

        Returns:
            The new record's id.
        """
        try:
            try:
                method = SaveMethod.coerce(save_method).value
            except ValueError:
                method = SaveMethod.AUTO.value
            url, _ = _text(result_url)
            record = self._new_record(prompt, ai_model, True, model_parameters, duration, metadata)
            record.result_url = redact_url(url) if url else None
            record.save_method = method
            return self._submit_insert(record)
        except Exception:
            return self._fallback_id("log_successful_prompt")

    def log_failed_prompt(self, prompt: Any, ai_model: Any, error_message: Any = None,
                          failure_reason: FailureReason | str | None = None,
                          model_parameters: Any = None, *, duration: float | None = None,
                          metadata: dict[str, Any] | None = None) -> str:
        """Record a generation that failed. Never raises.

        Args:
            error_message: The error as text, an exception, or a parsed JSON error body.
            failure_reason: One of the ten reasons; None derives it from the error.

        Returns:
            The new record's id.
        """
        try:
            info = describe_failure(error_message)
            text, _ = _text(error_message, 20_000)
            record = self._new_record(prompt, ai_model, False, model_parameters, duration, metadata)
            record.error_message = redact_text(text) if text else None
            reason = info.reason.value
            source = "auto"
            if failure_reason is not None:
                try:
                    reason, source = FailureReason.coerce(failure_reason).value, "host"
                except ValueError:
                    record.metadata["given_failure_reason"] = _text(failure_reason, 100)[0]
            record.failure_reason = reason
            record.metadata["failure_reason_source"] = source
            for key in ("error_code", "http_status", "provider"):
                value = getattr(info, key)
                if value is not None:
                    record.metadata[key] = value
            return self._submit_insert(record)
        except Exception:
            return self._fallback_id("log_failed_prompt")

    def _new_record(self, prompt: Any, ai_model: Any, success: bool, model_parameters: Any,
                    duration: Any, metadata: Any) -> PromptRecord:
        text, truncated = _text(prompt, MAX_PROMPT_CHARS)
        model, _ = _text(ai_model, 200)
        params = sanitize_parameters(model_parameters)
        now = time.time()
        meta = prompt_metadata(text, params)
        meta["session_id"] = self.session_id
        if truncated:
            meta["truncated"] = True
            meta["original_characters"] = len(_text(prompt)[0])
        if isinstance(duration, (int, float)) and not isinstance(duration, bool) and duration >= 0:
            meta["duration"] = float(duration)
        if metadata:
            extra = sanitize_parameters(metadata)
            meta.update({k: v for k, v in extra.items() if k not in meta})
        return PromptRecord(id=new_record_id(), timestamp=now, prompt=text,
                            ai_model=model.strip() or "unknown", success=success,
                            model_parameters=params, metadata=meta)

    def _submit_insert(self, record: PromptRecord) -> str:
        self._started().submit({"op": "insert", "record": record.to_dict()})
        self._notify("logged", record.id)
        return record.id

    def _fallback_id(self, where: str) -> str:
        log.exception("prompt-tracking: %s failed; the record was not stored", where)
        return new_record_id()

    # -- corrections and ratings (validate, then write) ------------------------------------
    def rate_prompt(self, record_id: str, rating: int, feedback: str | None = None,
                    tags: Iterable[str] | None = None) -> None:
        """Set the 1-5 quality rating; `feedback` and `tags` replace the old ones when given.

        None leaves them as they are; "" clears the feedback and an empty list the tags.

        Raises:
            ValueError: `rating` is not an integer from 1 to 5, or `tags` is not a list of text.
            KeyError: no record has `record_id`.
        """
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ValueError(f"rating must be an integer from 1 to 5, got {rating!r}")
        if isinstance(tags, str):
            raise ValueError("tags must be a list of strings, not a single string")
        fields: dict[str, Any] = {"quality_rating": rating}
        if feedback is not None:
            fields["feedback"] = redact_text(_text(feedback, MAX_FEEDBACK_CHARS)[0]).strip() or None
        if tags is not None:
            clean_tags = (redact_text(_text(t, 100)[0]).strip() for t in tags)
            fields["tags"] = list(dict.fromkeys(t for t in clean_tags if t))[:MAX_TAGS]
        self._update(record_id, fields, {"rated_at": time.time()})

    def clear_rating(self, record_id: str) -> None:
        """Remove the rating (undo). Raises KeyError for an unknown `record_id`."""
        self._update(record_id, {"quality_rating": None}, {"rated_at": None})

    def mark_saved(self, record_id: str, save_method: SaveMethod | str = "user_save") -> None:
        """Record how the result was kept. Raises ValueError/KeyError for bad arguments."""
        method = SaveMethod.coerce(save_method).value
        self._update(record_id, {"save_method": method}, {"saved_at": time.time()})

    def set_failure_reason(self, record_id: str, reason: FailureReason | str) -> None:
        """The user's correction of a failure reason; it wins over the automatic one.

        Raises:
            ValueError: `reason` is not one of the ten reasons, or the record is a success.
            KeyError: no record has `record_id`.
        """
        value = FailureReason.coerce(reason).value
        record = self.get_record(record_id)
        if record is None:
            raise KeyError(f"record_id {record_id!r} is not in the store")
        if record.success:
            raise ValueError(f"record {record_id!r} is a success; it has no failure reason")
        self._submit_update(record_id, {"failure_reason": value},
                            {"failure_reason_source": "manual",
                             "auto_failure_reason": record.metadata.get(
                                 "auto_failure_reason", record.failure_reason)})

    def _update(self, record_id: str, fields: dict[str, Any], metadata: dict[str, Any]) -> None:
        if not isinstance(record_id, str) or self.get_record(record_id) is None:
            raise KeyError(f"record_id {record_id!r} is not in the store")
        self._submit_update(record_id, fields, metadata)

    def _submit_update(self, record_id: str, fields: dict[str, Any],
                       metadata: dict[str, Any]) -> None:
        # "at": when the user made the edit; on a shared store the newest edit of a field wins.
        self._started().submit({"op": "update", "id": record_id, "fields": fields,
                                "metadata": metadata, "at": time.time()})
        self._notify("rated" if "quality_rating" in fields else "updated", record_id)

    # -- reads -----------------------------------------------------------------------------
    def _read(self, fn: Any, default: Any) -> Any:
        """Run a read on the store; when it cannot be opened, return `default`."""
        writer = self._started()
        try:
            writer.first_attempt.wait(2.0)
            if not writer.store_open:
                return default
            return fn(writer.store)
        except Exception as exc:
            writer.warn_once("read", "cannot read the store (%s)", exc)
            return default

    def get_record(self, record_id: str) -> PromptRecord | None:
        """The record with this id, including changes not yet on disk; None if unknown."""
        writer = self._started()
        with writer.lock:
            entry = writer.pending.get(record_id)
            entry = dict(entry) if entry else None
        if entry and "record" in entry:
            return PromptRecord.from_dict(entry["record"])
        record = self._read(lambda store: store.get(record_id), None)
        if record is not None and entry:
            record = PromptRecord.from_dict(merge_update(record.to_dict(), entry))
        return record

    def records(self, *, models: str | Iterable[str] | None = None, outcome: str | bool | None = None,
                min_rating: int | None = None, max_rating: int | None = None,
                rated: bool | None = None, failure_reason: Any = None, since: Any = None,
                until: Any = None, text: str | None = None, ids: Iterable[str] | None = None,
                newest_first: bool = True, limit: int | None = None) -> Iterator[PromptRecord]:
        """Records matching every given filter, newest first by default.

        Raises:
            ValueError: a filter has an unusable value (the message names it).
        """
        query = RecordQuery.build(models=models, outcome=outcome, min_rating=min_rating,
                                  max_rating=max_rating, rated=rated, failure_reason=failure_reason,
                                  since=since, until=until, text=text, ids=ids)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a non-negative int, got {limit!r}")
        if self._started().flush(READ_WAIT):
            return self._iter_store(lambda s: s.query(query, newest_first=newest_first,
                                                      limit=limit))
        return iter(self._merged_records(query, newest_first, limit))

    def _iter_store(self, fn: Any) -> Iterator[PromptRecord]:
        """Records from the store; a fault part-way through ends the iteration with a warning."""
        try:
            yield from self._read(fn, iter(()))
        except Exception as exc:
            self._started().warn_once("read", "cannot read the store (%s)", exc)

    def _merged_records(self, query: RecordQuery, newest_first: bool,
                        limit: int | None) -> list[PromptRecord]:
        """Stored and not-yet-committed records together, when the writer is behind
        (the store is locked by another process, full or unavailable)."""
        writer = self._started()
        with writer.lock:
            pending = {k: dict(v) for k, v in writer.pending.items()}
        patches = {k: v for k, v in pending.items() if "record" not in v}
        fetch = None if limit is None else limit + len(patches)
        stored = self._read(lambda s: list(s.query(query, newest_first=newest_first, limit=fetch)), [])
        patched_ids = sorted(patches)
        for start in range(0, len(patched_ids), 500):  # a patch may make a record match
            chunk = RecordQuery(ids=tuple(patched_ids[start:start + 500]))
            stored += self._read(lambda s, c=chunk: list(s.query(c)), [])
        merged: dict[str, PromptRecord] = {}
        for record in stored:
            entry = patches.get(record.id)
            merged[record.id] = PromptRecord.from_dict(merge_update(record.to_dict(), entry)) \
                if entry else record
        for record_id, entry in pending.items():
            if "record" in entry:
                merged[record_id] = PromptRecord.from_dict(entry["record"])
        matching = sorted((r for r in merged.values() if query.matches(r)),
                          key=lambda r: (r.timestamp, r.id), reverse=newest_first)
        return matching[:limit] if limit is not None else matching

    def stats(self, **filters: Any) -> dict[str, Any]:
        """Counts by outcome and model, success rate and average rating (same filters as `records`)."""
        query = RecordQuery.build(**filters)
        writer = self._started()
        if writer.flush(READ_WAIT):
            result = self._read(lambda s: s.stats(query), None)
            if result is not None:
                return result
        return stats_of(self._merged_records(query, True, None))

    # -- analytics (numpy is imported on first use, so `import prompt_tracking` stays light) --
    def analytics(self, models: str | Iterable[str] | None = None, since: Any = None,
                  until: Any = None, outcome: str | None = None, **options: Any) -> Analytics:
        """Everything the analytics window shows, computed on this store's records.

        Args:
            models, since, until, outcome: filters, as for `records`.
            **options: passed to `prompt_tracking.analytics.analysis.compute_analytics`
                (e.g. `min_samples`, `include_risk_model`).
        """
        from prompt_tracking.analytics.analysis import compute_analytics

        query = RecordQuery.build(models=models, outcome=outcome, since=since, until=until)
        return compute_analytics(self, models=query.models, since=query.since, until=query.until,
                                 outcome=query.outcome, **options)

    def assess_prompt(self, prompt: str, ai_model: str,
                      model_parameters: dict[str, Any] | None = None) -> PromptAssessment:
        """Before spending a generation: failure risk, likely reason, expected rating.

        The risk model is trained on this store's history and refitted only when it changed.
        """
        from prompt_tracking.risk.model import RiskModel

        key = (self.revision, self._read(lambda s: s.count(), 0))
        with self._start_lock:
            cached = self._risk_model
        if cached is None or cached[0] != key:
            model = RiskModel.fit(list(self.records()))
            with self._start_lock:
                self._risk_model = (key, model)
        else:
            model = cached[1]
        return model.assess(_text(prompt, MAX_PROMPT_CHARS)[0], _text(ai_model, 200)[0],
                            sanitize_parameters(model_parameters))

    # -- training export (opt-in) ------------------------------------------------------------
    def get_prompts_for_ai_training(self, min_quality_rating: int = 4,
                                    max_failed_examples: int = 200,
                                    max_successful_examples: int = 200) -> dict[str, Any]:
        """Curated examples: good prompts, failed prompts by reason, and their analysis.

        See `prompt_tracking.export.curation.get_prompts_for_ai_training`.
        """
        from prompt_tracking.export.curation import get_prompts_for_ai_training

        return get_prompts_for_ai_training(self, min_quality_rating=min_quality_rating,
                                           max_failed_examples=max_failed_examples,
                                           max_successful_examples=max_successful_examples)

    def export_training_data(self, out_dir: str | Path, *, tasks: Iterable[str] | None = None,
                             formats: Iterable[str] | str = ("jsonl",), consent: bool | None = None,
                             redact_pii: bool = True, split: tuple[float, ...] = (0.8, 0.1, 0.1),
                             seed: int = 0, models: str | Iterable[str] | None = None,
                             since: Any = None, **options: Any) -> ExportReport:
        """Write curated training sets (opt-in); see `prompt_tracking.export.run.export_training_data`.

        Raises:
            ConsentRequiredError: the user has not opted in; nothing is written.
        """
        from prompt_tracking.export.run import export_training_data

        return export_training_data(self, out_dir, tasks=tasks, formats=formats, consent=consent,
                                    redact_pii=redact_pii, split=split, seed=seed, models=models,
                                    since=since, **options)

    def configure_auto_export(self, out_dir: str | Path, *, every_new_ratings: int | None = None,
                              on_exit: bool = False, interval_days: float | None = None,
                              **options: Any) -> Any:
        """Export automatically into dated folders after N ratings, on exit or every N days
        (options: keep, images, min_quality_rating; see `export.auto.configure_auto_export`)."""
        from prompt_tracking.export.auto import configure_auto_export

        return configure_auto_export(self, out_dir, every_new_ratings=every_new_ratings,
                                     on_exit=on_exit, interval_days=interval_days, **options)

    # -- export consent and DataFrames (prompt_tracking.settings, export.frame) --------------
    def grant_export_consent(self, *, via: str = "api") -> dict[str, Any]:
        """Store the user's opt-in to training export (the one the GUI and CLI use)."""
        from prompt_tracking import settings

        return settings.grant_export_consent(self.data_dir, via=via)

    def revoke_export_consent(self) -> None:
        """Withdraw the opt-in: exports raise `ConsentRequiredError` until it is given again."""
        from prompt_tracking import settings

        settings.revoke_export_consent(self.data_dir)

    def export_consent(self) -> dict[str, Any] | None:
        """The stored opt-in (`{"granted": True, "at": ..., "via": ...}`), or None."""
        from prompt_tracking import settings

        return settings.export_consent(self.data_dir)

    def to_pandas(self, **filters: Any) -> Any:
        """The history as a typed DataFrame; same filters as `records()` (needs pandas)."""
        from prompt_tracking.export.frame import records_frame

        return records_frame(self, **filters)

    def import_records(self, records: Iterable[PromptRecord]) -> int:
        """Bulk-insert complete records (migration, synthetic data); known ids are skipped.

        Returns:
            How many records were new. Retention runs afterwards as usual.

        Raises:
            StoreUnavailableError: the store cannot be written.
        """
        from prompt_tracking.errors import StoreUnavailableError

        writer = self._started()
        writer.flush(5.0)
        writer.first_attempt.wait(5.0)
        if not writer.store_open:
            raise StoreUnavailableError(f"cannot open the store at {self.db_path}")
        try:
            inserted = writer.store.insert_many(records)
        except Exception as exc:
            raise StoreUnavailableError(f"cannot import into {self.db_path}: {exc}") from exc
        writer.schedule_retention()
        if inserted:
            self._notify("imported", "")
        return inserted


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


@atexit.register
def _close_all_at_exit() -> None:
    # Bounded: a store locked by another process must not hang the host's exit; whatever
    # is not committed stays in the journal for the next start.
    for tracker in list(_open_trackers):
        try:
            tracker.close(timeout=EXIT_FLUSH_SECONDS)
        except Exception:
            log.exception("prompt-tracking: error while closing at exit")


# The default instance: opens nothing until first used, in the default data dir.
enhanced_prompt_tracker = EnhancedPromptTracker()
