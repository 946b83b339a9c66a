"""Subprocess used by the crash and concurrency tests.

usage: log_loop.py DATA_DIR COUNT TAG [ROOT]   (COUNT 0: forever; -1: commands from stdin)
Logs records and prints each acknowledged id on its own line, flushed, after the log call
returned: every printed id is a promise the store must keep.

With COUNT -1 it reads one command per line and answers each with one line:
`log N` (prints the N ids, space-separated), `rate ID STARS`, `flush SECONDS` (prints
True/False), and waits for the next command, so the test decides when to kill it.
"""
import sys

sys.path.insert(0, sys.argv[4] if len(sys.argv) > 4 else ".")

from prompt_tracking import EnhancedPromptTracker  # noqa: E402

data_dir, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tracker = EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None)


def commands() -> None:
    for line in sys.stdin:
        verb, *args = line.split()
        if verb == "log":
            ids = [tracker.log_successful_prompt(f"{tag} prompt {i}", f"model-{tag}")
                   for i in range(int(args[0]))]
            print(" ".join(ids), flush=True)
        elif verb == "rate":
            tracker.rate_prompt(args[0], int(args[1]))
            print("OK", flush=True)
        elif verb == "flush":
            print(tracker.flush(float(args[0])), flush=True)


if count < 0:
    commands()
    sys.exit(0)
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
