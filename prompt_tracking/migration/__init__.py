"""Importing older history: legacy JSON, prompt histories, exports and PNG metadata."""
from __future__ import annotations

from prompt_tracking.migration.run import (MigrationReport, SourceReport, find_legacy_files, migrate,
                                           raise_cap, run_migration)

__all__ = ["MigrationReport", "SourceReport", "find_legacy_files", "migrate", "raise_cap",
           "run_migration"]
