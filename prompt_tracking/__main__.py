"""`python -m prompt_tracking` runs the `prompt-tracker` command line."""
import sys

from .cli import main

sys.exit(main())
