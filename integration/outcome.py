"""Reading an outcome handler's arguments: success or failure, the result, the error.

Three handler shapes: ``after_processing(success, result_url=None, error_message=None)``
("after"), a success handler receiving the result ("success") and a failure handler
receiving the error ("failure"). A host's own getters override the extraction; their
errors fall back to it.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .extract import extract_error, extract_result_url, first_argument, result_from_arguments

Warn = Callable[..., None]  # (key, message, *args): logs once per key


def parse_outcome(kind: str, signature: inspect.Signature | None, args: tuple[Any, ...],
                  kwargs: dict[str, Any], *, result_getter: Callable[..., Any] | None,
                  error_getter: Callable[..., Any] | None, warn: Warn) -> tuple[bool, Any, Any]:
    """(success, result URL or None, error or None) from one outcome handler call."""
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
        result_url = result_from_arguments(args, kwargs) if success else None
        error = None if success else extract_error(error_from_arguments(args, kwargs))
    if success and result_getter is not None:
        result_url = call_getter("result", result_getter, args, kwargs, result_url, warn)
    if not success and error_getter is not None:
        error = call_getter("error", error_getter, args, kwargs, error, warn)
    return success, result_url, error


def error_from_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The error in a failure handler's arguments: the first exception among them
    (`job_failed(name, error)`), else the first argument."""
    values = list(args) + list(kwargs.values())
    return next((v for v in values if isinstance(v, BaseException)),
                first_argument(args, kwargs))


def call_getter(what: str, getter: Callable[..., Any], args: tuple[Any, ...],
                kwargs: dict[str, Any], fallback: Any, warn: Warn) -> Any:
    """`getter(*args, **kwargs)` cleaned up as a result or an error; `fallback` if it fails."""
    try:
        value = getter(*args, **kwargs)
    except Exception as exc:
        warn(what, "the %s getter failed (%s); using the default extraction", what, exc)
        return fallback
    return extract_result_url(value) if what == "result" else extract_error(value)
