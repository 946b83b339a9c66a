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

from prompt_tracking import _cleaning as clean, settings
from prompt_tracking._listeners import Listeners
from prompt_tracking._warm import Warmer
from prompt_tracking._storage import merge, paths
from prompt_tracking._storage.clock import CLOCK
from prompt_tracking._storage.writer import Writer, open_writer
from prompt_tracking.query import RecordQuery
from prompt_tracking.errors import StoreUnavailableError
from prompt_tracking.records import FailureReason, PromptRecord, SaveMethod
from prompt_tracking._storage.pgurl import database_url_from_env, mask_url
from prompt_tracking._storage.shared import shared_store

if TYPE_CHECKING:
    from prompt_tracking.analytics.analysis import Analytics
    from prompt_tracking.export.run import ExportReport
    from prompt_tracking.risk.model import PromptAssessment

log = logging.getLogger(__name__)

DEFAULT_CAP = 2000
EXIT_FLUSH_SECONDS = 3.0
_open_trackers: weakref.WeakSet[EnhancedPromptTracker] = weakref.WeakSet()


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

    #: Seconds after the last change before analytics are folded in the background; None: never.
    warm_delay: float | None = 3.0

    def __init__(self, data_dir: str | Path | None = None, *, max_successful: int | None = DEFAULT_CAP,
                 max_failed: int | None = DEFAULT_CAP, archive: bool = True,
                 database_url: str | None = None) -> None:
        for name, cap in (("max_successful", max_successful), ("max_failed", max_failed)):
            clean.check_cap(name, cap)
        self._data_dir = Path(data_dir).expanduser() if data_dir is not None else None
        self.max_successful = max_successful
        self.max_failed = max_failed
        self.archive = archive
        self._database_url = database_url
        self.session_id = uuid.uuid4().hex[:12]
        self._writer: Writer | None = None
        self._start_lock = threading.Lock()
        self._listeners = Listeners()
        self.revision = 0   # bumped on every change; a GUI can poll it cheaply with after()
        self._risk_models: Any = None  # a RiskModelCache once used (the risk package needs numpy)
        self._warmer: Warmer | None = None

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
        for name, cap in clean.saved_caps(directory).items():  # saved caps beat the defaults
            if getattr(self, name) == DEFAULT_CAP:
                setattr(self, name, cap)
        writer = open_writer(directory, self.session_id, store=self._make_store(directory),
                             caps={True: self.max_successful, False: self.max_failed},
                             archive=self.archive)
        _open_trackers.add(self)
        self._warmer = Warmer(self, self.warm_delay) if self.warm_delay is not None else None
        return writer

    @property
    def database_url(self) -> str | None:
        """The shared store's URL without its password, or None for the local SQLite store."""
        url = self._database_url if self._database_url is not None else database_url_from_env()
        return mask_url(url) if url else None

    def _make_store(self, directory: Path) -> Any:
        """The shared PostgreSQL store when a URL is set, else None (the local SQLite file)."""
        url = self._database_url if self._database_url is not None else database_url_from_env()
        self._database_url = url or ""  # freeze, like the data dir
        return shared_store(url, directory) if url else None

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record logged so far (and every one recovered from the journals
        of processes that died) is in the database; False if `timeout` passed."""
        return self._started().flush(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Flush (for up to `timeout` seconds) and release the store. Anything not yet
        committed stays in the journal and is recovered the next time the store opens."""
        writer, self._writer = self._writer, None
        if self._warmer is not None:
            self._warmer.close()
        if writer is not None:
            writer.close(timeout)
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
        caps = {name: cap for name, cap in (("max_successful", max_successful),
                                            ("max_failed", max_failed)) if cap is not ...}
        for name, cap in caps.items():
            clean.check_cap(name, cap)
        for name, cap in caps.items():
            setattr(self, name, cap)
        if self._writer is not None:
            self._writer.schedule_retention({True: self.max_successful, False: self.max_failed})
        if persist:
            clean.persist_caps(self.data_dir, {"max_successful": self.max_successful,
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

        Events: "logged", "rated", "updated", "imported" (bulk; record_id is ""). Callbacks
        run on the thread that made the change and must be quick (a GUI should only note the change and act from its own thread);
        their exceptions are logged, never raised.
        """
        return self._listeners.add(callback)

    def _notify(self, event: str, record_id: str) -> None:
        self.revision += 1
        self._listeners.notify(event, record_id)
        if self._warmer is not None:
            self._warmer.poke()

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
            record = clean.successful_record(self.session_id, prompt, ai_model, result_url,
                                             save_method, model_parameters, duration, metadata)
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
            record = clean.failed_record(self.session_id, prompt, ai_model, error_message,
                                         failure_reason, model_parameters, duration, metadata)
            return self._submit_insert(record)
        except Exception:
            return self._fallback_id("log_failed_prompt")

    def _submit_insert(self, record: PromptRecord) -> str:
        self._started().submit({"op": "insert", "record": record.to_dict()})
        self._notify("logged", record.id)
        return record.id

    def _fallback_id(self, where: str) -> str:
        log.exception("prompt-tracking: %s failed; the record was not stored", where)
        return clean.new_record_id()

    # -- corrections and ratings (validate, then write) ------------------------------------
    def rate_prompt(self, record_id: str, rating: int, feedback: str | None = None,
                    tags: Iterable[str] | None = None) -> None:
        """Set the 1-5 quality rating; `feedback` and `tags` replace the old ones when given.

        None leaves them as they are; "" clears the feedback and an empty list the tags.

        Raises:
            ValueError: `rating` is not an integer from 1 to 5, or `tags` is a single string.
            TypeError: `feedback` or a tag cannot be converted to text.
            KeyError: no record has `record_id`.
        """
        fields: dict[str, Any] = {"quality_rating": clean.clean_rating(rating)}
        if feedback is not None:
            fields["feedback"] = clean.clean_feedback(feedback)
        if tags is not None:
            fields["tags"] = clean.clean_tags(tags)
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
            raise KeyError(f"record_id {clean.safe_repr(record_id)} is not in the store")
        if record.success:
            raise ValueError(f"record {record_id} is a success; it has no failure reason")
        self._submit_update(record_id, {"failure_reason": value},
                            {"failure_reason_source": "manual",
                             "auto_failure_reason": record.metadata.get(
                                 "auto_failure_reason", record.failure_reason)})

    def _update(self, record_id: str, fields: dict[str, Any], metadata: dict[str, Any]) -> None:
        if not isinstance(record_id, str) or self.get_record(record_id) is None:
            raise KeyError(f"record_id {clean.safe_repr(record_id)} is not in the store")
        self._submit_update(record_id, fields, metadata)

    def _submit_update(self, record_id: str, fields: dict[str, Any],
                       metadata: dict[str, Any]) -> None:
        # The edit stamp orders this change against every other edit of the record, also
        # ones made by other processes and replayed later (see _storage/clock.py).
        self._started().submit({"op": "update", "id": record_id, "ts": CLOCK.now(),
                                "fields": fields, "metadata": metadata})
        self._notify("rated" if "quality_rating" in fields else "updated", record_id)

    # -- reads -----------------------------------------------------------------------------
    def get_record(self, record_id: str) -> PromptRecord | None:
        """The record with this id, including changes not yet on disk; None if unknown."""
        if not isinstance(record_id, str):
            return None
        entry = self._started().pending_entry(record_id)
        if entry and "record" in entry:
            return merge.pending_insert(entry)
        stored = self._started().read(lambda store: store.get(record_id), None)
        return merge.merged_record(stored, entry)

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
        clean.check_cap("limit", limit)
        return merge.read_records(self._started(), query, newest_first, limit)

    def stats(self, **filters: Any) -> dict[str, Any]:
        """Counts by outcome and model, success rate and average rating (same filters as `records`)."""
        return merge.read_stats(self._started(), RecordQuery.build(**filters))

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
        from prompt_tracking.risk.cache import RiskModelCache

        with self._start_lock:
            self._risk_models = self._risk_models or RiskModelCache()
        key = (self.revision, self._started().read(lambda s: s.count(), 0))
        return self._risk_models.assess(key, lambda: list(self.records()), prompt, ai_model,
                                        model_parameters)

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
        return settings.grant_export_consent(self.data_dir, via=via)

    def revoke_export_consent(self) -> None:
        """Withdraw the opt-in: exports raise `ConsentRequiredError` until it is given again."""
        settings.revoke_export_consent(self.data_dir)

    def export_consent(self) -> dict[str, Any] | None:
        """The stored opt-in (`{"granted": True, "at": ..., "via": ...}`), or None."""
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
        try:
            inserted = self._started().import_records(records)
        except Exception as exc:
            raise StoreUnavailableError(f"cannot import into {self.db_path}: {exc}") from exc
        if inserted:
            self._notify("imported", "")
        return inserted


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
