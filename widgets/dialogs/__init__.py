"""The widgets' dialogs: the rating dialog and the migration ("Import history...") dialog.

`migration_dialog` is imported only when asked for: it loads the migration machinery.
"""
from __future__ import annotations

from .rating_dialog import RatingDialog, ask_rating

__all__ = ["RatingDialog", "ask_rating"]
