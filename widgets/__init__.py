"""Rating widgets for the host app: a star bar, an inline rating panel and a dialog.

Importing this package loads only tkinter; the tracker core is imported on first use,
when a widget needs the default `enhanced_prompt_tracker`.
"""
from __future__ import annotations

from .star_bar import StarBar

__all__ = ["StarBar"]
