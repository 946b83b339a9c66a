"""Rating widgets for the host app: a star bar, an inline rating panel, a dialog and the
policy that decides when to ask.

Importing this package loads only tkinter; the tracker core is imported on first use,
when a widget needs the default `enhanced_prompt_tracker`.
"""
from __future__ import annotations

from .dialogs.rating_dialog import RatingDialog, ask_rating
from .prompter import RatingPrompter
from .rating_widget import QualityRatingWidget
from .star_bar import StarBar

__all__ = ["QualityRatingWidget", "RatingDialog", "RatingPrompter", "StarBar", "ask_rating"]
