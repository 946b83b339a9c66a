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

`--hostile` instead measures per-file bounds (issue 18): folders of crafted files, each
kind migrated in its own child process, against a folder of ordinary PNGs measured in
the same run. Kinds: 100 zTXt bombs per PNG (16 MB each when inflated), an A1111
settings line of "a a a ..." (60 KB and 1 MB), oversized and truncated text chunks, and
JSON nested 100,000 deep. Time per file and peak memory should stay within a small
factor of the ordinary files, and not grow with the number of files.
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


def run_hostile(folder: str, store: str) -> None:
    """Child process: migrate one folder of crafted files; print time and peak memory."""
    from prompt_tracking import EnhancedPromptTracker
    from prompt_tracking.migration.run import migrate

    files = sorted(Path(folder).iterdir())
    with EnhancedPromptTracker(store) as tracker:
        start = time.perf_counter()
        report = migrate(files, tracker=tracker, backup=False)
        seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "files": len(files),
                      "imported": report.imported, "issues": len(report.issues)}))


def _png(*chunks: bytes) -> bytes:
    import struct
    import zlib

    ihdr = _text_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(chunks) + \
        _text_chunk(b"IDAT", zlib.compress(b"\0\0")) + _text_chunk(b"IEND", b"")


def _text_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def hostile_files(kind: str, i: int) -> tuple[str, bytes]:
    """One crafted file of `kind` (the i-th, so each is a distinct record)."""
    import zlib

    params = f"a calm lake at dawn #{i}\nSteps: 20, Sampler: Euler a, Seed: {i}".encode()
    if kind == "ordinary png":
        return f"{i}.png", _png(_text_chunk(b"tEXt", b"parameters\0" + params))
    if kind == "ztxt bombs":
        bomb = zlib.compress(b"a" * (16 * 1024 * 1024), 9)
        chunks = [_text_chunk(b"zTXt", f"c{k}".encode() + b"\0\0" + bomb) for k in range(100)]
        chunks += [_text_chunk(b"zTXt", b"workflow\0\0" + bomb)]  # inflated: within the budget
        return f"{i}.png", _png(*chunks, _text_chunk(b"tEXt", b"parameters\0" + params))
    if kind.startswith("a1111 line"):
        size = 60_000 if "60" in kind else 1_000_000
        line = params + b", " + b"a " * (size // 2)
        return f"{i}.png", _png(_text_chunk(b"tEXt", b"parameters\0" + line))
    if kind == "bad chunks":
        oversized = (17 * 1024 * 1024).to_bytes(4, "big") + b"tEXt" + b"parameters\0" + b"x" * 64
        return f"{i}.png", _png(_text_chunk(b"tEXt", b"prompt\0{not json"))[:-12] + oversized
    if kind == "deep json":
        return f"{i}.json", ("[" * 100_000 + "]" * 100_000).encode()
    raise ValueError(kind)


HOSTILE_KINDS = ("ordinary png", "ztxt bombs", "a1111 line 60 KB", "a1111 line 1 MB",
                 "bad chunks", "deep json")


def hostile_main(counts: tuple[int, ...] = (20, 80)) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"{'kind':<18}{'files':>6}{'s/file':>9}{'x ordinary':>11}{'peak MB':>9}"
              f"{'imported':>9}")
        baseline: dict[int, float] = {}
        for kind in HOSTILE_KINDS:
            for count in counts:
                folder = root / f"{kind}-{count}".replace(" ", "_")
                folder.mkdir()
                for i in range(count):
                    name, data = hostile_files(kind, i)
                    (folder / name).write_bytes(data)
                out = subprocess.run([sys.executable, __file__, "--hostile-child", str(folder),
                                      str(root / f"store-{folder.name}")],
                                     check=True, capture_output=True, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                per_file = r["seconds"] / count
                baseline.setdefault(count, per_file)
                print(f"{kind:<18}{count:>6}{per_file * 1000:>8.1f}m{per_file / baseline[count]:>11.1f}"
                      f"{r['peak_mb']:>9.0f}{r['imported']:>9}")


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
    elif sys.argv[1:2] == ["--hostile-child"]:
        run_hostile(*sys.argv[2:4])
    elif sys.argv[1:2] == ["--hostile"]:
        hostile_main()
    else:
        main()
