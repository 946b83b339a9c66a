"""Subprocess used by the crash and concurrency tests.

usage: log_loop.py DATA_DIR COUNT TAG   (COUNT 0: forever)
Logs records and prints each acknowledged id on its own line, flushed, after the log call
returned: every printed id is a promise the store must keep.
"""
import sys

sys.path.insert(0, sys.argv[4] if len(sys.argv) > 4 else ".")

from prompt_tracking import EnhancedPromptTracker  # noqa: E402

data_dir, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tracker = EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None)
i = 0
while count == 0 or i < count:
    if i % 5 == 4:
        rid = tracker.log_failed_prompt(f"{tag} prompt {i}", f"model-{tag}", "HTTP 500")
    else:
        rid = tracker.log_successful_prompt(f"{tag} prompt {i}", f"model-{tag}",
                                            model_parameters={"i": i})
    sys.stdout.write(rid + "\n")
    sys.stdout.flush()
    i += 1
tracker.close()
print("DONE", flush=True)
