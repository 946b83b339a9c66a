"""Curated training-data export (opt-in): tasks, curation, de-duplication, images, files,
automation, and reading an export back."""
from __future__ import annotations

from prompt_tracking.export.auto import AutoExporter, configure_auto_export
from prompt_tracking.export.curation import get_prompts_for_ai_training
from prompt_tracking.export.files import FORMATS
from prompt_tracking.export.loading import load_dataset
from prompt_tracking.export.run import ExportReport, export_training_data, require_consent
from prompt_tracking.export.tasks import IMAGE_COLUMNS, TASKS

__all__ = ["FORMATS", "IMAGE_COLUMNS", "TASKS", "AutoExporter", "ExportReport",
           "configure_auto_export", "export_training_data", "get_prompts_for_ai_training",
           "load_dataset", "require_consent"]
