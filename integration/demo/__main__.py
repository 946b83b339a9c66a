"""`python -m integration.demo`: run the demo app."""
from __future__ import annotations

import sys

from .app import run_demo

sys.exit(run_demo())
