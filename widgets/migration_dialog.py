"""Where callers outside the widgets find the migration dialog; it lives in `dialogs/`.

Kept so `prompt_tracking.widgets.migration_dialog.open_migration_dialog` (the demo's
"Import history..." menu, the analytics window's button) keeps working.
"""
from __future__ import annotations

from .dialogs.migration_dialog import MigrationDialog, open_migration_dialog

__all__ = ["MigrationDialog", "open_migration_dialog"]
