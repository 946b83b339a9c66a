"""`IntegrationHandle`: what `quick_integrate_tracking` installs on one layout.

The handle wraps the layout's start method and its outcome handler(s) on the instance,
re-points Tk commands and bindings that captured the start method before (see
`rewire`), and keeps an inline rating widget pointed at the latest outcome. Each start
captures the prompt, the parameters and the model at that moment; each outcome is
matched to its own start (see `pending`). A layout with no outcome handler reports
through message boxes or inline, and the handle watches those instead (see `watch`,
`probe`). Nothing we do can raise into the host: our errors are logged and the host's
own return values and exceptions pass through unchanged.
"""
from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
import tkinter as tk
from collections.abc import Callable
from typing import Any

from . import registry, watch
from .extract import clean_prompt, result_in_text
from .host import default_prompt_getter, find_anchor_widget, resolve_tracker
from .outcome import parse_outcome
from .pending import Generation, PendingGenerations
from .probe import StartProbe
from .rating_ui import RatingUI
from .rewire import Rewiring
from .tk_thread import TkDispatcher

log = logging.getLogger(__name__)

EXPIRY_CHECK_SECONDS = 1.0


class IntegrationHandle:
    """What `quick_integrate_tracking` installed on one layout; `remove()` takes it out.

    Attributes:
        last_record_id: the id of the most recent record logged through this handle.
        rating_widget: the inline `QualityRatingWidget`, or None when rating is not inline.
        pending_timeout: seconds after which a start with no outcome is logged as a timeout.
        watches_message_boxes: whether message boxes are read as outcomes (the layout
            has no outcome handler and the option was not turned off).
    """

    def __init__(self, layout: Any, model_name: str | Callable[[], str], *,
                 prompt_getter: Callable[[], Any] | None, params_getter: Callable[[], Any] | None,
                 tracker: Any | None, result_getter: Callable[..., Any] | None,
                 error_getter: Callable[..., Any] | None, pending_timeout: float,
                 model_getter: Callable[..., Any] | None = None,
                 did_start: Callable[[Any], Any] | None = None,
                 watch_message_boxes: bool = True) -> None:
        self.layout = layout
        self.model_name = model_name
        self.prompt_getter = prompt_getter or default_prompt_getter(layout)
        self._reads_widgets = prompt_getter is None  # ours reads Tk: only on the Tk thread
        self.params_getter = params_getter
        self.tracker = resolve_tracker(tracker)
        self.result_getter = result_getter
        self.error_getter = error_getter
        self.model_getter = model_getter
        self.did_start = did_start
        self.pending_timeout = pending_timeout
        self.watches_message_boxes = False
        self._want_boxes = watch_message_boxes
        self.last_record_id: str | None = None
        self.rating: RatingUI | None = None
        self.dispatcher: TkDispatcher | None = None
        self._anchor: tk.Misc | None = None
        self._inline_outcomes = False  # no outcome handler: outcomes come inline or in boxes
        self._patched: dict[str, tuple[bool, Any, Any]] = {}  # name -> (had own attr, old, wrapper)
        self._rewiring = Rewiring()
        self._pending = PendingGenerations()
        self._warned: set[str] = set()
        self._last_expiry_check = 0.0
        self._watching = False
        self._removed = False

    # -- public ------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """How many started generations are still waiting for their first outcome."""
        return len(self._pending)

    @property
    def rating_widget(self) -> Any | None:
        """The inline `QualityRatingWidget`, or None when rating is not inline."""
        return self.rating.widget if self.rating is not None else None

    @property
    def prompter(self) -> Any | None:
        """The `RatingPrompter` deciding when to ask, or None with rating "off"."""
        return self.rating.prompter if self.rating is not None else None

    @property
    def rewired(self) -> int:
        """How many captured commands and bindings were re-pointed at the wrappers."""
        return self._rewiring.count

    def remove(self) -> None:
        """Restore the layout's methods, commands, bindings and message boxes, and remove
        the rating widget. Tk thread only. Generations still waiting are dropped."""
        if self._removed:
            return
        self._removed = True
        for name, (had_own, old, wrapper) in self._patched.items():
            try:
                if getattr(self.layout, "__dict__", {}).get(name) is not wrapper:
                    continue  # the host replaced it since: theirs now, leave it
                if had_own:
                    setattr(self.layout, name, old)
                else:
                    delattr(self.layout, name)
            except Exception:
                log.exception("prompt-tracking: could not restore %s", name)
        self._patched.clear()
        self._rewiring.undo()
        if self._watching:
            watch.remove_box_listener(self._on_message_box)
            watch.release()
            self._watching = False
        if self.rating is not None:
            self.rating.remove()
        if self.dispatcher is not None:
            self.dispatcher.stop()
        self._pending.clear()
        registry.forget(self)

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
        self._anchor = anchor
        self.dispatcher = TkDispatcher(anchor, on_tick=self._tick)
        self._inline_outcomes = not outcome_methods
        watch.acquire()  # counts the work a start hands off, on every shape
        self._watching = True
        if self._inline_outcomes and self._want_boxes:
            watch.add_box_listener(self._on_message_box)
            self.watches_message_boxes = True
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
            self._rewiring.apply(anchor._root(),  # type: ignore[attr-defined]
                                 {originals[n]: wrappers[n] for n in wrappers})
        except Exception:
            log.exception("prompt-tracking: could not re-point captured commands")
        if rating != "off":
            try:
                self.rating = RatingUI(rating_parent or self._rating_container(anchor),
                                       self.tracker, rating, _layout_name(self.layout))
            except Exception:  # tracking still works without the rating UI
                log.exception("prompt-tracking: could not add the rating widget")

    def _rating_container(self, anchor: tk.Misc) -> tk.Misc:
        """The layout itself when it is a widget; for a module or plain object, its window."""
        return anchor if isinstance(self.layout, tk.Misc) else anchor.winfo_toplevel()

    # -- wrappers ------------------------------------------------------------------------

    def _wrap_start(self, original: Callable[..., Any]) -> Callable[..., Any]:
        handle = self
        signature = _signature(original)

        @functools.wraps(original)
        def start(*args: Any, **kwargs: Any) -> Any:
            if handle._removed or not _fits(signature, args, kwargs):
                return original(*args, **kwargs)  # raises exactly as before, not a generation
            generation = handle._begin()
            probe = handle._probe()
            with watch.counting_handoffs() as handoffs:
                try:
                    result = original(*args, **kwargs)
                except Exception as exc:
                    handle._end_start(generation, failed=exc)
                    raise  # the host's exception, unchanged
                except BaseException:
                    handle._end_start(generation, cancelled=True)
                    raise
            handle._end_start(generation, result=result, probe=probe, handoffs=handoffs[0])
            return result
        return start

    def _wrap_outcome(self, original: Callable[..., Any], kind: str) -> Callable[..., Any]:
        handle = self
        signature = _signature(original)

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

    def _probe(self) -> StartProbe | None:
        try:
            on_tk = self.dispatcher is not None and self.dispatcher.on_tk_thread()
            root = self._anchor if on_tk and self._anchor is not None else None
            return StartProbe(root, self.layout, watch_results=self._inline_outcomes)
        except Exception:
            log.exception("prompt-tracking: could not observe the start")
            return None

    def _end_start(self, generation: Generation | None, *, failed: BaseException | None = None,
                   cancelled: bool = False, result: Any = None, probe: StartProbe | None = None,
                   handoffs: int = 0) -> None:
        if generation is None:
            return
        try:
            if failed is not None or cancelled or result is False:
                waiting = self._pending.end_start(generation, keep=False)
                if failed is not None and waiting:
                    self._log(generation, False, None, failed, extra={"raised_by_start": True})
                return
            started = generation.outcomes > 0 or self._started(generation, result, probe,
                                                               handoffs)
            self._pending.end_start(generation, keep=started, forget=False)
            if not started and self._inline_outcomes:
                self._finish_inline(generation, probe)
        except Exception:
            log.exception("prompt-tracking: could not finish recording the start")

    def _started(self, generation: Generation, result: Any, probe: StartProbe | None,
                 handoffs: int) -> bool:
        """Whether the start left work running: a thread, a pool job or an `after()`
        it scheduled itself (see `watch.counting_handoffs`)."""
        if self.did_start is not None:
            try:
                return bool(self.did_start(result))
            except Exception as exc:
                self._warn_once("did_start", "the did_start check failed (%s)", exc)
        return bool(handoffs)

    def _finish_inline(self, generation: Generation, probe: StartProbe | None) -> None:
        """The start ran the whole generation inline (or started nothing): decide which."""
        kinds = [kind for kind, _ in generation.boxes]
        if "error" in kinds and generation.prompt:
            message = next(text for kind, text in generation.boxes if kind == "error")
            self._record(generation, False, None, message, extra={"inline": True})
            return
        if "error" in kinds or "warning" in kinds:
            return  # the inputs were refused: no generation ran
        changed, path = probe.inline_result() if probe is not None else (False, None)
        infos = [text for kind, text in generation.boxes if kind == "info"]
        if infos or changed:
            result = next((r for r in map(result_in_text, infos) if r), None) or path
            self._record(generation, True, result, None, extra={"inline": True})

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
            success, result_url, error = parse_outcome(
                kind, signature, args, kwargs, result_getter=self.result_getter,
                error_getter=self.error_getter, warn=self._warn_once)
            model = self._outcome_model(args, kwargs)
            generation = self._pending.match(threading.get_ident())
            if generation is None:
                generation = self._pending.last
                if generation is None:  # no start seen at all: read the inputs on the Tk thread
                    assert self.dispatcher is not None
                    self.dispatcher.call_soon(self._log_unmatched, success, result_url, error,
                                              model)
                    return
                self._record(generation, success, result_url, error, model=model,
                             extra={"unmatched": True}, duration=False)
                return
            self._record(generation, success, result_url, error, model=model)
        except Exception:
            log.exception("prompt-tracking: could not record the outcome")

    def _outcome_model(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        if self.model_getter is None:
            return None
        try:
            model = self.model_getter(*args, **kwargs)
        except Exception as exc:
            self._warn_once("model_getter", "the model getter failed (%s)", exc)
            return None
        return None if model is None else str(model)

    def _on_message_box(self, kind: str, title: str, message: str) -> None:
        """A message box is about to show (any thread): an outcome of a pending start?"""
        if self._removed:
            return
        text = message or title
        running = self._pending.in_progress()
        if running is not None:
            running.boxes.append((kind, text))  # decided when the start returns
            return
        generation = self._pending.match(threading.get_ident(), waiting_only=True)
        if generation is None:
            return  # not about a generation we are waiting for
        if kind == "info":
            self._record(generation, True, result_in_text(text), None, extra={"message_box": True})
        else:
            self._record(generation, False, None, text, extra={"message_box": True})

    def _log_unmatched(self, success: bool, result_url: Any, error: Any,
                       model: str | None) -> None:
        generation = Generation(prompt=self._read_prompt(), parameters=self._read_parameters(),
                                model=self._model(), started=time.monotonic())
        self._record(generation, success, result_url, error, model=model,
                     extra={"unmatched": True}, duration=False)

    def _record(self, generation: Generation, success: bool, result_url: Any, error: Any, *,
                model: str | None = None, extra: dict[str, Any] | None = None,
                duration: bool = True) -> None:
        """Log one outcome and point the rating UI at its record (on the Tk thread)."""
        record_id = self._log(generation, success, result_url, error, model=model, extra=extra,
                              duration=duration)
        if record_id and self.dispatcher is not None and self.rating is not None:
            self.dispatcher.call_soon(self.rating.show_outcome, record_id, success, result_url)

    def _log(self, generation: Generation, success: bool, result_url: Any, error: Any, *,
             model: str | None = None, failure_reason: str | None = None,
             extra: dict[str, Any] | None = None, duration: bool = True) -> str | None:
        """Write one record; the tracker's log calls never raise, but be sure."""
        metadata = {"integration": "quick", "layout": _layout_name(self.layout), **(extra or {})}
        seconds = time.monotonic() - generation.started if duration else None
        try:
            if success:
                record_id = self.tracker.log_successful_prompt(
                    generation.prompt, model or generation.model, result_url=result_url,
                    model_parameters=generation.parameters, duration=seconds, metadata=metadata)
            else:
                record_id = self.tracker.log_failed_prompt(
                    generation.prompt, model or generation.model, error_message=error,
                    failure_reason=failure_reason, model_parameters=generation.parameters,
                    duration=seconds, metadata=metadata)
        except Exception:
            log.exception("prompt-tracking: logging failed")
            return None
        self.last_record_id = record_id
        return record_id

    # -- housekeeping ----------------------------------------------------------------------

    def _tick(self) -> None:
        now = time.monotonic()
        if now - self._last_expiry_check >= EXPIRY_CHECK_SECONDS:
            self._last_expiry_check = now
            self.expire_stale(now)

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("prompt-tracking (%s): " + message, _layout_name(self.layout), *args)


def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None


def _fits(signature: inspect.Signature | None, args: tuple[Any, ...],
          kwargs: dict[str, Any]) -> bool:
    """Whether the call's arguments fit the method (a `<Return>` binding passing an Event
    to a method taking none does not: it raises as before and is no generation)."""
    if signature is None:
        return True
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _layout_name(layout: Any) -> str:
    name = getattr(layout, "__name__", None) if inspect.ismodule(layout) else None
    return str(name or type(layout).__name__)
