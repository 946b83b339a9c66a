"""A realistic, seeded synthetic history for demos, tests and benchmarks."""
from __future__ import annotations

from prompt_tracking.synthetic.history import fill_store, generate_records

__all__ = ["fill_store", "generate_records"]
