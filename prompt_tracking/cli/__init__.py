"""The `prompt-tracker` command line. Headless commands import no Tk; GUI ones load it when run."""
from __future__ import annotations

from prompt_tracking.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
