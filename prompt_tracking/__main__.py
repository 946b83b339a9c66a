"""`python -m prompt_tracking` runs the `prompt-tracker` command line."""
import sys

from prompt_tracking.cli.main import main

sys.exit(main())
