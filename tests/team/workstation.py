"""One workstation for the team-store tests, run as its own process.

    workstation.py log N PREFIX [SHARED_IDS_FILE ROUNDS]   log N records, rate shared ones
    workstation.py hang N                                  log N records, print ids, sleep
    workstation.py open START_AT                           open the store at START_AT (epoch)
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    from prompt_tracking import EnhancedPromptTracker

    mode = argv[0]
    if mode == "open":
        from prompt_tracking._storage.shared import shared_store
        import os

        store = shared_store(os.environ["PROMPT_TRACKING_DATABASE_URL"],
                             Path(os.environ["PROMPT_TRACKING_HOME"]))
        time.sleep(max(0.0, float(argv[1]) - time.time()))
        store.open()
        store.close()
        print("opened")
        return 0
    tracker = EnhancedPromptTracker(max_successful=None, max_failed=None)
    n = int(argv[1])
    if mode == "hang":
        ids = [tracker.log_successful_prompt(f"offline {i}", "m-off") for i in range(n)]
        tracker.rate_prompt(ids[0], 5)
        print(json.dumps(ids), flush=True)
        time.sleep(600)
        return 1
    prefix = argv[2]
    rng = random.Random(prefix)
    own = [tracker.log_successful_prompt(f"{prefix} prompt {i}", f"model-{i % 3}",
                                         model_parameters={"steps": i}) for i in range(n)]
    last: dict[str, int] = {}
    if len(argv) > 3:
        shared = json.loads(Path(argv[3]).read_text())
        for _ in range(int(argv[4])):
            for record_id in shared:
                rating = rng.randint(1, 5)
                tracker.rate_prompt(record_id, rating)
                last[record_id] = rating
    ok = tracker.flush(60)
    tracker.close()
    print(json.dumps({"own": own, "last": last, "flushed": ok}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
