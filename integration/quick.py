"""`quick_integrate_tracking()`: track every generation of a Tk layout in one line.

The helper wraps the layout's start method and its outcome handler(s) on the instance,
re-points Tk commands and bindings that captured the start method before (see
`rewire`), and adds an inline rating widget. Each start captures the prompt, the
parameters and the model at that moment; each outcome is matched to its own start
(the start in progress on this thread, else the start that spawned the reporting
thread, else the oldest one waiting). Nothing we do can raise into the host: our errors
are logged and the host's own return values and exceptions pass through unchanged.
"""
from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
import tkinter as tk
import weakref
from collections.abc import Callable
from typing import Any

from .extract import clean_prompt, extract_error, extract_result_url, first_argument
from .host import (attach_rating_widget, default_prompt_getter, find_anchor_widget, preview_path,
                   resolve_tracker)
from .pending import Generation, PendingGenerations
from .rewire import Rewiring
from .tk_thread import TkDispatcher

log = logging.getLogger(__name__)

RATING_MODES = ("inline", "dialog", "off")
DEFAULT_PENDING_TIMEOUT = 900.0  # seconds; video models can take minutes
EXPIRY_CHECK_SECONDS = 1.0
_handles: weakref.WeakKeyDictionary[Any, IntegrationHandle] = weakref.WeakKeyDictionary()


class IntegrationHandle:
    """What `quick_integrate_tracking` installed on one layout; `remove()` takes it out.

    Attributes:
        last_record_id: the id of the most recent record logged through this handle.
        rating_widget: the inline `QualityRatingWidget`, or None when rating is not inline.
        pending_timeout: seconds after which a start with no outcome is logged as a timeout.
    """

    def __init__(self, layout: Any, model_name: str | Callable[[], str], *,
                 prompt_getter: Callable[[], Any] | None, params_getter: Callable[[], Any] | None,
                 tracker: Any | None, result_getter: Callable[..., Any] | None,
                 error_getter: Callable[..., Any] | None, pending_timeout: float) -> None:
        self.layout = layout
        self.model_name = model_name
        self.prompt_getter = prompt_getter or default_prompt_getter(layout)
        self._reads_widgets = prompt_getter is None  # ours reads Tk: only on the Tk thread
        self.params_getter = params_getter
        self.tracker = resolve_tracker(tracker)
        self.result_getter = result_getter
        self.error_getter = error_getter
        self.pending_timeout = pending_timeout
        self.last_record_id: str | None = None
        self.rating_widget: Any | None = None
        self.prompter: Any | None = None
        self.dispatcher: TkDispatcher | None = None
        self._patched: dict[str, tuple[bool, Any, Any]] = {}  # name -> (had own attr, old, wrapper)
        self._rewiring = Rewiring()
        self._pending = PendingGenerations()
        self._warned: set[str] = set()
        self._last_expiry_check = 0.0
        self._removed = False

    # -- public ------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """How many started generations are still waiting for their outcome."""
        return len(self._pending)

    @property
    def rewired(self) -> int:
        """How many captured commands and bindings were re-pointed at the wrappers."""
        return self._rewiring.count

    def remove(self) -> None:
        """Restore the layout's methods, commands and bindings and remove the rating widget.

        Tk thread only. Generations still waiting are dropped without a record.
        """
        if self._removed:
            return
        self._removed = True
        for name, (had_own, old, wrapper) in self._patched.items():
            try:
                if self.layout.__dict__.get(name) is not wrapper:
                    continue  # the host replaced it since: theirs now, leave it
                if had_own:
                    setattr(self.layout, name, old)
                else:
                    delattr(self.layout, name)
            except Exception:
                log.exception("prompt-tracking: could not restore %s", name)
        self._patched.clear()
        self._rewiring.undo()
        if self.prompter is not None:
            self.prompter.cancel()
        if self.rating_widget is not None:
            try:
                self.rating_widget.destroy()
            except tk.TclError:
                pass
        if self.dispatcher is not None:
            self.dispatcher.stop()
        self._pending.clear()
        if _handles.get(self.layout) is self:
            del _handles[self.layout]

    def expire_stale(self, now: float | None = None) -> int:
        """Log every generation waiting longer than `pending_timeout` as a timeout failure.

        Returns:
            How many expired.
        """
        now = time.monotonic() if now is None else now
        stale = self._pending.expire(now, self.pending_timeout)
        for generation in stale:
            self._log(generation, False, None,
                      f"No result was reported within {self.pending_timeout:g} s",
                      failure_reason="timeout", extra={"expired": True})
        return len(stale)

    # -- installing ----------------------------------------------------------------------

    def install(self, process_method: str, outcome_methods: dict[str, str], rating: str,
                rating_parent: tk.Misc | None) -> None:
        anchor = find_anchor_widget(self.layout, rating_parent)
        if anchor is None:
            raise TypeError("the layout holds no Tk widget; pass rating_parent=")
        self.dispatcher = TkDispatcher(anchor, on_tick=self._tick)
        originals = {process_method: getattr(self.layout, process_method)}
        originals.update({name: getattr(self.layout, name) for name in outcome_methods})
        wrappers = {process_method: self._wrap_start(originals[process_method])}
        for name, kind in outcome_methods.items():
            wrappers[name] = self._wrap_outcome(originals[name], kind)
        for name, wrapper in wrappers.items():
            own = getattr(self.layout, "__dict__", {})
            self._patched[name] = (name in own, own.get(name), wrapper)
            setattr(self.layout, name, wrapper)
        try:
            self._rewiring.apply(anchor._root(),
                                 {originals[n]: wrappers[n] for n in wrappers})
        except Exception:
            log.exception("prompt-tracking: could not re-point captured commands")
        if rating != "off":
            try:
                self._install_rating(rating, rating_parent or anchor)
            except Exception:  # tracking still works without the rating UI
                log.exception("prompt-tracking: could not add the rating widget")

    def _install_rating(self, rating: str, parent: tk.Misc) -> None:
        from prompt_tracking.widgets import RatingPrompter

        if rating == "inline":
            self.rating_widget = attach_rating_widget(parent, self.tracker)
        self.prompter = RatingPrompter(parent.winfo_toplevel(), self.tracker, mode=rating,
                                       widget=self.rating_widget)

    # -- wrappers ------------------------------------------------------------------------

    def _wrap_start(self, original: Callable[..., Any]) -> Callable[..., Any]:
        handle = self

        @functools.wraps(original)
        def start(*args: Any, **kwargs: Any) -> Any:
            generation = handle._begin()
            try:
                result = original(*args, **kwargs)
            except Exception as exc:
                handle._end_start(generation, failed=exc)
                raise  # the host's exception, unchanged
            except BaseException:
                handle._end_start(generation, cancelled=True)
                raise
            handle._end_start(generation, cancelled=result is False)
            return result
        return start

    def _wrap_outcome(self, original: Callable[..., Any], kind: str) -> Callable[..., Any]:
        handle = self
        try:
            signature: inspect.Signature | None = inspect.signature(original)
        except (TypeError, ValueError):
            signature = None

        @functools.wraps(original)
        def outcome(*args: Any, **kwargs: Any) -> Any:
            handle._outcome(kind, signature, args, kwargs)
            return original(*args, **kwargs)
        return outcome

    # -- start ---------------------------------------------------------------------------

    def _begin(self) -> Generation | None:
        try:
            generation = Generation(prompt=self._read_prompt(), parameters=self._read_parameters(),
                                    model=self._model(), started=time.monotonic())
            self._pending.begin(generation)
            return generation
        except Exception:
            log.exception("prompt-tracking: could not capture the generation's inputs")
            return None

    def _end_start(self, generation: Generation | None, *, failed: BaseException | None = None,
                   cancelled: bool = False) -> None:
        if generation is None:
            return
        try:
            keep = failed is None and not cancelled
            waiting = self._pending.end_start(generation, keep=keep)
            if failed is not None and waiting:
                self._log(generation, False, None, failed, extra={"raised_by_start": True})
        except Exception:
            log.exception("prompt-tracking: could not finish recording the start")

    def _read_prompt(self) -> str:
        on_tk = self.dispatcher is None or self.dispatcher.on_tk_thread()
        if self._reads_widgets and not on_tk:
            self._warn_once("thread", "the start method ran off the Tk thread; the prompt "
                                      "widget was not read (pass prompt_getter=)")
            return ""
        try:
            return clean_prompt(self.prompt_getter())
        except Exception as exc:
            self._warn_once("prompt", "the prompt getter failed (%s); logging an empty prompt", exc)
            return ""

    def _read_parameters(self) -> dict[str, Any] | None:
        if self.params_getter is None:
            return None
        try:
            parameters = self.params_getter()
        except Exception as exc:
            self._warn_once("params", "the parameters getter failed (%s); logging no "
                                      "parameters", exc)
            return None
        return parameters if isinstance(parameters, dict) else {"value": parameters}

    def _model(self) -> str:
        if callable(self.model_name):
            try:
                return str(self.model_name())
            except Exception as exc:
                self._warn_once("model", "the model name getter failed (%s)", exc)
                return "unknown"
        return str(self.model_name)

    # -- outcome -------------------------------------------------------------------------

    def _outcome(self, kind: str, signature: inspect.Signature | None,
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            if self._removed:
                return
            success, result_url, error = self._parse_outcome(kind, signature, args, kwargs)
            generation = self._pending.match(threading.get_ident())
            if generation is None:
                # Reported with no start we saw: read the inputs now, on the Tk thread.
                assert self.dispatcher is not None
                self.dispatcher.call_soon(self._log_unmatched, success, result_url, error)
                return
            record_id = self._log(generation, success, result_url, error)
            if success and record_id:
                self.dispatcher.call_soon(self._result_ready, record_id, result_url)
        except Exception:
            log.exception("prompt-tracking: could not record the outcome")

    def _parse_outcome(self, kind: str, signature: inspect.Signature | None,
                       args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any, Any]:
        if kind == "after":
            values = list(args) + list(kwargs.values())
            if signature is not None:
                try:
                    bound = signature.bind(*args, **kwargs)
                    bound.apply_defaults()
                    values = list(bound.arguments.values())
                except TypeError:
                    pass
            values += [None] * (3 - len(values))
            success = bool(values[0])
            result_url = extract_result_url(values[1]) if success else None
            error = None if success else extract_error(values[2])
        else:
            success = kind == "success"
            first = first_argument(args, kwargs)
            result_url = extract_result_url(first) if success else None
            error = None if success else extract_error(first)
        if success and self.result_getter is not None:
            result_url = self._call_getter("result", self.result_getter, args, kwargs, result_url)
        if not success and self.error_getter is not None:
            error = self._call_getter("error", self.error_getter, args, kwargs, error)
        return success, result_url, error

    def _call_getter(self, what: str, getter: Callable[..., Any], args: tuple[Any, ...],
                     kwargs: dict[str, Any], fallback: Any) -> Any:
        try:
            value = getter(*args, **kwargs)
        except Exception as exc:
            self._warn_once(what, "the %s getter failed (%s); using the default extraction",
                            what, exc)
            return fallback
        return extract_result_url(value) if what == "result" else extract_error(value)

    def _log_unmatched(self, success: bool, result_url: Any, error: Any) -> None:
        generation = Generation(prompt=self._read_prompt(), parameters=self._read_parameters(),
                                model=self._model(), started=time.monotonic())
        record_id = self._log(generation, success, result_url, error, extra={"unmatched": True},
                              duration=False)
        if success and record_id:
            self._result_ready(record_id, result_url)

    def _log(self, generation: Generation, success: bool, result_url: Any, error: Any, *,
             failure_reason: str | None = None, extra: dict[str, Any] | None = None,
             duration: bool = True) -> str | None:
        """Write one record; the tracker's log calls never raise, but be sure."""
        metadata = {"integration": "quick", "layout": type(self.layout).__name__, **(extra or {})}
        seconds = time.monotonic() - generation.started if duration else None
        try:
            if success:
                record_id = self.tracker.log_successful_prompt(
                    generation.prompt, generation.model, result_url=result_url,
                    model_parameters=generation.parameters, duration=seconds, metadata=metadata)
            else:
                record_id = self.tracker.log_failed_prompt(
                    generation.prompt, generation.model, error_message=error,
                    failure_reason=failure_reason, model_parameters=generation.parameters,
                    duration=seconds, metadata=metadata)
        except Exception:
            log.exception("prompt-tracking: logging failed")
            return None
        self.last_record_id = record_id
        return record_id

    def _result_ready(self, record_id: str, result_url: Any) -> None:
        """Tk thread: point the rating widget (or dialog) at the new result."""
        if self.prompter is not None and not self._removed:
            self.prompter.result_ready(record_id, preview=preview_path(result_url))

    # -- housekeeping ----------------------------------------------------------------------

    def _tick(self) -> None:
        now = time.monotonic()
        if now - self._last_expiry_check >= EXPIRY_CHECK_SECONDS:
            self._last_expiry_check = now
            self.expire_stale(now)

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("prompt-tracking (%s): " + message, type(self.layout).__name__, *args)


def quick_integrate_tracking(
        layout: Any, model_name: str | Callable[[], str],
        prompt_getter: Callable[[], Any] | None = None,
        params_getter: Callable[[], Any] | None = None, *,
        tracker: Any | None = None,
        process_method: str = "process_model",
        after_method: str | None = "after_processing",
        success_method: str | None = None,
        failure_method: str | None = None,
        result_getter: Callable[..., Any] | None = None,
        error_getter: Callable[..., Any] | None = None,
        rating: str = "inline",
        rating_parent: tk.Misc | None = None,
        pending_timeout: float = DEFAULT_PENDING_TIMEOUT) -> IntegrationHandle:
    """Track every generation a layout starts, with its outcome, and offer a rating.

    Call it on the Tk thread once the layout is built. Integrating the same layout again
    returns the first handle and changes nothing.

    Args:
        layout: the host object (a Frame subclass or any object holding its widgets).
        model_name: the model's name, or a function returning it when the start happens.
        prompt_getter: returns the prompt; None reads `layout.get_current_prompt()` or the
            layout's `prompt_text`/`prompt_entry`/`prompt_var`-like widget.
        params_getter: returns the model parameters (a dict); None records none.
        tracker: where to log; None means the default `enhanced_prompt_tracker`.
        process_method: the method that starts a generation. If it returns `False`,
            nothing was started (e.g. the input was invalid) and nothing is logged.
        after_method: ``(success, result_url=None, error_message=None)`` outcome handler;
            optional when `success_method`/`failure_method` are given.
        success_method: handler receiving the result (URL, path, dict, list or object).
        failure_method: handler receiving the error (message, exception or dict).
        result_getter: ``(*args, **kwargs) -> url`` overriding the result extraction.
        error_getter: ``(*args, **kwargs) -> error`` overriding the error extraction.
        rating: "inline" (a star bar in the layout), "dialog" or "off".
        rating_parent: where the inline widget goes (default: inside the layout).
        pending_timeout: seconds after which a start with no outcome is logged as a
            `timeout` failure.

    Returns:
        The `IntegrationHandle`; `handle.remove()` undoes everything.

    Raises:
        ValueError: `rating` is unknown or a named method does not exist on the layout.
        TypeError: the layout holds no Tk widget and no `rating_parent` is given.
    """
    existing = _handles.get(layout)
    if existing is not None:
        return existing
    if rating not in RATING_MODES:
        raise ValueError(f"rating must be one of {RATING_MODES}, got {rating!r}")
    if not callable(getattr(layout, process_method, None)):
        raise ValueError(f"process_method {process_method!r} is not a method of the layout")
    outcome_methods = _outcome_methods(layout, after_method, success_method, failure_method)
    handle = IntegrationHandle(layout, model_name, prompt_getter=prompt_getter,
                               params_getter=params_getter, tracker=tracker,
                               result_getter=result_getter, error_getter=error_getter,
                               pending_timeout=pending_timeout)
    handle.install(process_method, outcome_methods, rating, rating_parent)
    _handles[layout] = handle
    return handle


def _outcome_methods(layout: Any, after_method: str | None, success_method: str | None,
                     failure_method: str | None) -> dict[str, str]:
    """{method name: "after" | "success" | "failure"} for the handlers the layout has.

    The default `after_method` is optional when split handlers are named.
    """
    methods: dict[str, str] = {}
    for name, kind, required in ((after_method, "after", not (success_method or failure_method)),
                                 (success_method, "success", True),
                                 (failure_method, "failure", True)):
        if not name:
            continue
        if callable(getattr(layout, name, None)):
            methods[name] = kind
        elif required:
            raise ValueError(f"{kind} method {name!r} is not a method of the layout")
    return methods
