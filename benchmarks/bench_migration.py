"""Migration of 100,000 legacy records: wall time and peak memory, no asserts.

Run: python benchmarks/bench_migration.py [N]
Writes a JSON Lines prompt history of N records (default 100,000; mixed timestamp formats,
parameters, one in ten a failure) and migrates it in a fresh child process per scenario,
so each peak RSS is that scenario's own:
  - "no cap": the caps raised (the dialog's / CLI's offer accepted), everything in the store;
  - "default caps": 2,000 + 2,000 kept, the rest moved to the archive by retention;
  - "second run": the same file again into the no-cap store (imports nothing);
  - "dry run": reads and checks everything, writes nothing.
The target is <= 10 s for 100,000 records with memory that does not grow with N.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

T0 = 1_700_000_000
PROMPTS = ["a cinematic portrait of an old fisherman, golden hour, (film grain:1.2), 85mm",
           "a cozy cabin in the woods, winter, smoke from the chimney, watercolor",
           "neon city street at night, rain, reflections, cyberpunk, wide angle"]


def write_history(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            stamp = [T0 + i, (T0 + i) * 1000, f"2023-11-14T22:13:{i % 60:02d}.{i:06d}"[:26]][i % 3]
            entry = {"prompt": f"{PROMPTS[i % 3]} #{i}", "model": f"model-{i % 7}",
                     "timestamp": stamp, "steps": 20 + i % 30, "seed": i, "cfg_scale": 7}
            if i % 10 == 0:
                entry.update(status="failed", error="HTTP 429 Too Many Requests",
                             failure_reason="RateLimited")
            handle.write(json.dumps(entry) + "\n")


def run_scenario(scenario: str, source: str, store: str) -> None:
    """Child process: one migration, then a JSON line with its numbers."""
    from prompt_tracking import EnhancedPromptTracker
    from prompt_tracking.migration.run import migrate

    caps = {} if scenario == "default caps" else {"max_successful": None, "max_failed": None}
    with EnhancedPromptTracker(store, **caps) as tracker:
        start = time.perf_counter()
        report = migrate([source], tracker=tracker, dry_run=scenario == "dry run")
        seconds = time.perf_counter() - start
        tracker.flush(60)
        stats = tracker.stats()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "imported": report.imported,
                      "duplicates": report.duplicates, "would_archive": report.would_archive,
                      "in_store": stats["total"]}))


def child(scenario: str, source: Path, store: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", scenario, str(source), str(store)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "history.jsonl"
        write_history(source, n)
        print(f"{n} records, {source.stat().st_size / 1e6:.1f} MB of JSON Lines "
              f"(pid {os.getpid()})")
        print(f"{'scenario':<14}{'seconds':>9}{'rec/s':>9}{'peak MB':>9}{'imported':>10}"
              f"{'dupes':>8}{'archive':>9}{'in store':>10}")
        for scenario, store in (("dry run", "a"), ("no cap", "a"), ("second run", "a"),
                                ("default caps", "b")):
            r = child(scenario, source, root / store)
            print(f"{scenario:<14}{r['seconds']:>9.2f}{n / r['seconds']:>9.0f}{r['peak_mb']:>9.0f}"
                  f"{r['imported']:>10}{r['duplicates']:>8}{r['would_archive']:>9}"
                  f"{r['in_store']:>10}")
        small = root / "small.jsonl"
        write_history(small, n // 10)
        r = child("no cap", small, root / "c")
        print(f"peak memory for {n // 10} records: {r['peak_mb']:.0f} MB (flat memory: the peak "
              "should not scale with N)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        run_scenario(*sys.argv[2:5])
    else:
        main()
