"""prompt-tracking: local prompt feedback for desktop apps that generate images and video.

The core package: records, the store, the tracker and the headless analyses. It imports
no tkinter, ttkbootstrap or matplotlib, so it loads fast and works headless.
"""
from __future__ import annotations

from .failures import FailureInfo, categorize_failure, describe_failure, register_failure_rule
from .records import FailureReason, PromptRecord, SaveMethod

__all__ = [
    "EnhancedPromptTracker",
    "FailureInfo",
    "FailureReason",
    "PromptRecord",
    "SaveMethod",
    "categorize_failure",
    "describe_failure",
    "enhanced_prompt_tracker",
    "register_failure_rule",
]
__version__ = "0.1.0"

from .tracker import EnhancedPromptTracker  # noqa: E402

# The default instance: opens nothing until first used, in the default data dir.
enhanced_prompt_tracker = EnhancedPromptTracker()
