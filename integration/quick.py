"""`quick_integrate_tracking()`: track every generation of a Tk layout in one line.

The layout is any object holding the host's widgets: a Frame subclass, a plain class, or
a module (a script app whose widgets are module globals). What the one line installs,
and how each outcome finds its start, lives in `handle`.
"""
from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from typing import Any

from . import registry
from .handle import IntegrationHandle

RATING_MODES = ("inline", "dialog", "off")
DEFAULT_PENDING_TIMEOUT = 900.0  # seconds; video models can take minutes
DEFAULT_AFTER_METHOD = "after_processing"  # the seed's name: optional, unlike a name given

__all__ = ["DEFAULT_PENDING_TIMEOUT", "IntegrationHandle", "RATING_MODES",
           "quick_integrate_tracking"]


def quick_integrate_tracking(
        layout: Any, model_name: str | Callable[[], str],
        prompt_getter: Callable[[], Any] | None = None,
        params_getter: Callable[[], Any] | None = None, *,
        tracker: Any | None = None,
        process_method: str = "process_model",
        after_method: str | None = DEFAULT_AFTER_METHOD,
        success_method: str | None = None,
        failure_method: str | None = None,
        result_getter: Callable[..., Any] | None = None,
        error_getter: Callable[..., Any] | None = None,
        model_getter: Callable[..., Any] | None = None,
        did_start: Callable[[Any], Any] | None = None,
        watch_message_boxes: bool = True,
        rating: str = "inline",
        rating_parent: tk.Misc | None = None,
        pending_timeout: float = DEFAULT_PENDING_TIMEOUT) -> IntegrationHandle:
    """Track every generation a layout starts, with its outcome, and offer a rating.

    Call it on the Tk thread once the layout is built. Integrating the same layout again
    returns the first handle and changes nothing. With no outcome handler on the layout
    (no `after_processing` and none named), outcomes are read from the message boxes
    shown after a start (an error or warning box is a failure, an info box a success
    with the path or URL in its text) and from starts that finish inline.

    Args:
        layout: the host object (a Frame subclass, any object holding its widgets, or
            the module of a script app).
        model_name: the model's name, or a function returning it when the start happens.
        prompt_getter: returns the prompt; None reads `layout.get_current_prompt()` or the
            layout's `prompt_text`/`prompt_entry`/`prompt_var`-like widget.
        params_getter: returns the model parameters (a dict); None records none.
        tracker: where to log; None means the default `enhanced_prompt_tracker`.
        process_method: the method that starts a generation. If it returns `False`, or
            returns having started no thread, pool job or `after()` and reported nothing,
            no generation is pending.
        after_method: ``(success, result_url=None, error_message=None)`` outcome handler;
            skipped when the layout has no such method.
        success_method: handler receiving the result (URL, path, dict, list or object;
            with several arguments, the one naming a URL or file).
        failure_method: handler receiving the error (message, exception or dict).
        result_getter: ``(*args, **kwargs) -> url`` overriding the result extraction.
        error_getter: ``(*args, **kwargs) -> error`` overriding the error extraction.
        model_getter: ``(*args, **kwargs) -> model name`` called with each outcome
            handler's arguments, for one start that reports one outcome per model.
        did_start: ``(start's return value) -> bool`` saying whether a generation
            started, when the automatic check (threads, pools, `after()`) is wrong.
        watch_message_boxes: False stops reading message boxes as outcomes.
        rating: "inline" (a star bar in the layout), "dialog" or "off".
        rating_parent: where the inline widget goes (default: inside the layout, or the
            window of a layout that is not a widget).
        pending_timeout: seconds after which a start with no outcome is logged as a
            `timeout` failure.

    Returns:
        The `IntegrationHandle`; `handle.remove()` undoes everything.

    Raises:
        ValueError: `rating` is unknown or a named method does not exist on the layout.
        TypeError: the layout holds no Tk widget and no `rating_parent` is given.
    """
    existing = registry.handle_for(layout)
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
                               pending_timeout=pending_timeout, model_getter=model_getter,
                               did_start=did_start, watch_message_boxes=watch_message_boxes)
    handle.install(process_method, outcome_methods, rating, rating_parent)
    registry.remember(layout, handle)
    return handle


def _outcome_methods(layout: Any, after_method: str | None, success_method: str | None,
                     failure_method: str | None) -> dict[str, str]:
    """{method name: "after" | "success" | "failure"} for the handlers the layout has.

    The default `after_method` is optional; named split handlers must exist.
    """
    methods: dict[str, str] = {}
    for name, kind, required in ((after_method, "after", after_method != DEFAULT_AFTER_METHOD),
                                 (success_method, "success", True),
                                 (failure_method, "failure", True)):
        if not name:
            continue
        if callable(getattr(layout, name, None)):
            methods[name] = kind
        elif required:
            raise ValueError(f"{kind} method {name!r} is not a method of the layout")
    return methods
