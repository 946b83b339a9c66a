"""prompt-tracking: local prompt feedback for desktop apps that generate images and video.

This package is the headless core and its public API: the tracker, records and enums, the
failure categorizer, analytics, the risk model, export and migration. It imports no tkinter,
ttkbootstrap or matplotlib, so it loads fast and works headless. The GUI lives in the
subpackages `prompt_tracking.widgets`, `prompt_tracking.analytics_window` and
`prompt_tracking.integration`, which load Tk when imported.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from prompt_tracking._storage.paths import default_data_dir
from prompt_tracking._version import __version__
from prompt_tracking.errors import (ConsentRequiredError, PromptTrackingError,
                                    StoreUnavailableError)
from prompt_tracking.failures import (FailureInfo, categorize_failure, describe_failure,
                                      register_failure_rule)
from prompt_tracking.query import RecordQuery
from prompt_tracking.records import FailureReason, PromptRecord, SaveMethod
from prompt_tracking.tracker import EnhancedPromptTracker, enhanced_prompt_tracker

if TYPE_CHECKING:
    from prompt_tracking.analytics import Analytics, register_analysis
    from prompt_tracking.export import ExportReport
    from prompt_tracking.migration import MigrationReport, migrate, run_migration
    from prompt_tracking.risk import PromptAssessment

# Names whose modules load numpy or the export machinery: imported on first use, so that
# `import prompt_tracking` (and every log call of a host app) stays fast.
_LAZY = {"Analytics": "analytics", "register_analysis": "analytics", "ExportReport": "export",
         "MigrationReport": "migration", "migrate": "migration", "run_migration": "migration",
         "PromptAssessment": "risk"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Analytics",
    "ConsentRequiredError",
    "EnhancedPromptTracker",
    "ExportReport",
    "FailureInfo",
    "FailureReason",
    "MigrationReport",
    "PromptAssessment",
    "PromptRecord",
    "PromptTrackingError",
    "RecordQuery",
    "SaveMethod",
    "StoreUnavailableError",
    "__version__",
    "default_data_dir",
    "categorize_failure",
    "describe_failure",
    "enhanced_prompt_tracker",
    "migrate",
    "register_analysis",
    "register_failure_rule",
    "run_migration",
]
