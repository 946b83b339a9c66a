"""`python -m prompt_tracking.integration.demo`: run the demo app."""
from __future__ import annotations

import sys

from prompt_tracking.cli.main import main

sys.exit(main(["demo", *sys.argv[1:]]))
