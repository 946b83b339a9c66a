"""Migration under hostile input (issue 18): one bad value, file or image never takes the run down.

Every source is a real file built here (crafted JSON, JSON Lines and PNG bytes); bombs run
in a subprocess under `resource.setrlimit` limits (memory, CPU), so a regression is a
failed test, never a hung or swapped-out suite.
"""
from __future__ import annotations

import codecs
import json
import os
import sqlite3
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.migration import migrate
from prompt_tracking.migration.legacy_sources import read_source

posix_only = pytest.mark.skipif(os.name != "posix", reason="resource limits and kill -9 are POSIX")


# -- building sources ----------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(*chunks: bytes, end: bool = True) -> bytes:
    """A valid 1x1 PNG with the given extra chunks before its image data."""
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    idat = _chunk(b"IDAT", zlib.compress(b"\0\0"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(chunks) + idat + (_chunk(b"IEND", b"") if end else b"")


def text_chunk(keyword: str, text: str) -> bytes:
    return _chunk(b"tEXt", keyword.encode("latin-1") + b"\0" + text.encode("latin-1"))


def ztxt_bomb(keyword: str, size: int) -> bytes:
    return _chunk(b"zTXt", keyword.encode("latin-1") + b"\0\0" + zlib.compress(b"a" * size, 9))


def write_jsonl(path: Path, items: list, encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(json.dumps(i) + "\n" for i in items).encode(encoding))
    return path


def good_file(tmp_path: Path, n: int = 5) -> Path:
    return write_jsonl(tmp_path / "good.jsonl",
                       [{"prompt": f"good prompt {i}", "model": "sdxl", "timestamp": 1.7e9 + i}
                        for i in range(n)])


def _run_limited(code: str, *, memory: int | None = None, cpu: int | None = None,
                 cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter under the given address-space and CPU limits."""
    limits = textwrap.dedent(f"""
        import resource
        if {memory!r}:
            resource.setrlimit(resource.RLIMIT_AS, ({memory!r}, {memory!r}))
        if {cpu!r}:
            resource.setrlimit(resource.RLIMIT_CPU, ({cpu!r}, {cpu!r}))
    """)
    return subprocess.run([sys.executable, "-c", limits + textwrap.dedent(code)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


# -- item 1: one bad value is one issue ------------------------------------------------------
def test_bad_values_are_issues_and_every_good_file_is_still_imported(tmp_path, monkeypatch):
    # Year 1 minus a positive offset is year 0: astimezone() raised ValueError in such a zone.
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        deep = "[" * 100_000 + "]" * 100_000
        (tmp_path / "deep.json").write_text(deep)
        lines = tmp_path / "mixed.jsonl"
        lines.write_text("\n".join([
            json.dumps({"prompt": "line one ok", "timestamp": 1.7e9}),
            '{"prompt": "deep", "params": ' + deep + "}",
            '{"prompt": "big int", "seed": ' + "9" * 5000 + "}",
            '{"prompt": "huge rating", "rating": 1' + "0" * 400 + "}",
            '{"prompt": "huge time", "timestamp": 1' + "0" * 400 + "}",
            json.dumps({"prompt": "year one", "timestamp": "0001-01-01T00:00:00"}),
            json.dumps({"prompt": "last line ok", "timestamp": 1.7e9 + 1}),
        ]) + "\n")
        listed = tmp_path / "list.json"
        listed.write_text('[{"prompt": "kept before", "timestamp": 1700000000},'
                          '{"prompt": "deep", "x": ' + deep + "}]")
        good = good_file(tmp_path)
        with EnhancedPromptTracker(tmp_path / "data") as tracker:
            report = migrate([tmp_path / "deep.json", lines, listed, good], tracker=tracker)
            prompts = {r.prompt for r in tracker.records()}
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert {f"good prompt {i}" for i in range(5)} <= prompts
    assert {"line one ok", "last line ok", "kept before", "huge rating", "huge time",
            "year one"} <= prompts
    by_position = {(Path(i.file).name, i.position): i for i in report.issues}
    assert "nested too deeply" in by_position[("mixed.jsonl", "line 2")].why
    assert "digit" in by_position[("mixed.jsonl", "line 3")].why or \
        "integer" in by_position[("mixed.jsonl", "line 3")].why
    assert "nested too deeply" in by_position[("deep.json", None)].why
    assert by_position[("deep.json", None)].severity == "error"
    assert "not 1-5" in by_position[("mixed.jsonl", "line 4")].why
    assert "outside 2000-2100" in by_position[("mixed.jsonl", "line 5")].why
    assert "outside 2000-2100" in by_position[("mixed.jsonl", "line 6")].why
    assert report.found == report.imported + report.duplicates + report.invalid


def test_a_reader_that_breaks_stops_only_its_own_file(tmp_path, monkeypatch):
    import prompt_tracking.migration.run as run

    good = good_file(tmp_path)
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"prompt": "x"}])
    real = run.read_source

    def flaky(path):
        if path.name == "bad.jsonl":
            raise MemoryError("simulated")
        return real(path)

    monkeypatch.setattr(run, "read_source", flaky)
    with EnhancedPromptTracker(tmp_path / "data") as tracker:
        report = migrate([bad, good], tracker=tracker)
    assert report.imported == 5
    assert any("reading stopped" in i.why and i.file.endswith("bad.jsonl") for i in report.errors)


# -- item 2: timestamps out of any plausible range ------------------------------------------
@pytest.mark.parametrize("raw", [1e17, 1e299, -5, 0.5, "1e299", 4_200_000_000])
def test_implausible_timestamps_are_noted_and_replaced(tmp_path, raw):
    source = write_jsonl(tmp_path / "t.jsonl", [{"prompt": "a fox", "timestamp": raw}])
    with EnhancedPromptTracker(tmp_path / "data") as tracker:
        report = migrate([source], tracker=tracker)
        (record,) = tracker.records()
        tracker.analytics()
    assert 946_684_800 <= record.timestamp <= time.time() + 60
    assert record.metadata["legacy_timestamp"] == str(raw)
    assert any(i.severity == "note" and "timestamp" in i.why for i in report.issues)


def test_analytics_never_fail_on_a_stored_out_of_range_time(tmp_path):
    from prompt_tracking.analytics.report import format_analytics_text
    from prompt_tracking.records import PromptRecord

    with EnhancedPromptTracker(tmp_path / "data") as tracker:
        tracker.import_records([PromptRecord(id=f"r{i}", timestamp=ts, prompt=f"cat {i}",
                                             ai_model="m", success=bool(i % 2))
                                for i, ts in enumerate([1e17, 1e299, -5.0, 1.7e9, -1e300])])
        analytics = tracker.analytics()
        assert analytics.overview.total == 5
        assert format_analytics_text(analytics)


# -- item 3: A1111 settings parsed in linear time --------------------------------------------
@posix_only
def test_a_pathological_a1111_settings_line_is_parsed_in_linear_time(tmp_path):
    for name, size in (("under_limit.png", 60_000), ("over_limit.png", 1_000_000)):
        (tmp_path / name).write_bytes(png_bytes(text_chunk(
            "parameters", "a red fox\nSteps: 20, " + "a " * (size // 2))))
    # Quadratic parsing needs ~30 s of CPU for the first image and hours for the second.
    result = _run_limited(f"""
        from pathlib import Path
        from prompt_tracking.migration.legacy_sources import read_source
        for name in ("under_limit.png", "over_limit.png"):
            (entry,) = [e for e in read_source(Path({str(tmp_path)!r}) / name)]
            assert entry.data["prompt"] == "a red fox", entry.data
            print("ok", entry.data["model_parameters"].get("steps"))
    """, cpu=10)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["ok", "20", "ok", "20"]


def test_quoted_values_and_names_after_junk_still_parse():
    from prompt_tracking.migration.png_prompts import parse_a1111

    prompt, model, params = parse_a1111(
        'cat\nSteps: 30, Sampler: DPM++ 2M, Lora hashes: "a: 1, b: 2", junk, Seed: 7, '
        "Size: 512x768, Model: sdxl_base")
    assert (prompt, model) == ("cat", "sdxl_base")
    assert params == {"steps": 30, "sampler": "DPM++ 2M", "lora_hashes": "a: 1, b: 2", "seed": 7,
                      "width": 512, "height": 768}


# -- item 4: the decompressed total is capped per file ---------------------------------------
@posix_only
def test_many_ztxt_bombs_in_one_png_stay_within_a_memory_limit(tmp_path):
    bombs = [ztxt_bomb(f"comment{i}", 16 * 1024 * 1024) for i in range(100)]
    bombs += [ztxt_bomb("prompt", 16 * 1024 * 1024), ztxt_bomb("workflow", 16 * 1024 * 1024)]
    image = tmp_path / "bomb.png"
    image.write_bytes(png_bytes(*bombs, text_chunk("parameters", "a calm lake\nSteps: 12")))
    assert image.stat().st_size < 3_000_000
    result = _run_limited(f"""
        from pathlib import Path
        from prompt_tracking.migration.legacy_sources import read_source
        items = list(read_source(Path({str(image)!r})))
        entries = [i for i in items if hasattr(i, "data")]
        assert len(entries) == 1 and entries[0].data["prompt"] == "a calm lake", items
        print("ok")
    """, memory=1024 ** 3)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_png_chunk_problems_are_reported_not_just_no_prompt(tmp_path):
    oversized = struct.pack(">I", 17 * 1024 * 1024) + b"tEXt" + b"parameters\0" + b"x" * 100
    (tmp_path / "oversized.png").write_bytes(png_bytes(oversized, end=False))
    whole = text_chunk("parameters", "a prompt that gets cut off here")
    (tmp_path / "truncated.png").write_bytes(png_bytes()[:33] + whole[:30])
    (tmp_path / "bomb.png").write_bytes(png_bytes(ztxt_bomb("parameters", 40 * 1024 * 1024)))
    why = {name: " | ".join(i.why for i in read_source(tmp_path / name))
           for name in ("oversized.png", "truncated.png", "bomb.png")}
    assert "over the 16,777,216-byte limit" in why["oversized.png"]
    assert "cut off" in why["truncated.png"]
    assert "inflates to more than" in why["bomb.png"]


# -- item 5: a relative data dir -------------------------------------------------------------
def test_migrating_into_an_existing_store_with_a_relative_data_dir(tmp_path, monkeypatch, capsys):
    from prompt_tracking.cli.main import main

    monkeypatch.chdir(tmp_path)
    source = good_file(tmp_path)
    with EnhancedPromptTracker("data") as tracker:
        tracker.log_successful_prompt("already here", "m")
        tracker.flush()
    with EnhancedPromptTracker("data") as tracker:
        report = migrate([source], tracker=tracker)
        assert report.imported == 5 and tracker.stats()["total"] == 6
    assert main(["--data-dir", "data", "migrate", "--dry-run", str(source)]) == 0
    assert "5 already present" in capsys.readouterr().out


# -- item 6: the CLI dry run is read-only and sees saved caps --------------------------------
def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    import gc

    gc.collect()   # a closed tracker's last SQLite handle may checkpoint when collected
    return {str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in directory.rglob("*")}


def test_cli_dry_run_writes_nothing_and_reports_saved_caps(tmp_path, capsys):
    from prompt_tracking.cli.main import main

    data = tmp_path / "data"
    with EnhancedPromptTracker(data) as tracker:
        tracker.log_successful_prompt("already here", "m")
    big = write_jsonl(tmp_path / "big.jsonl", [{"prompt": f"p{i}", "timestamp": 1.7e9 + i}
                                               for i in range(3000)])
    before = _snapshot(data)
    assert main(["--data-dir", str(data), "migrate", "--dry-run", "--raise-cap", "5000",
                 "--json", str(big)]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert _snapshot(data) == before, "a dry run created or changed files"
    assert dry["caps"] == {"successful": 5000, "failed": 5000} and dry["would_archive"] == 0

    small = write_jsonl(tmp_path / "small.jsonl", [{"prompt": "s", "timestamp": 1.7e9}])
    assert main(["--data-dir", str(data), "migrate", "--raise-cap", "100000", "--yes",
                 str(small)]) == 0
    capsys.readouterr()
    before = _snapshot(data)
    assert main(["--data-dir", str(data), "migrate", "--dry-run", "--json", str(big)]) == 0
    dry = json.loads(capsys.readouterr().out)
    after = _snapshot(data)
    assert after == before, {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
                             if before.get(k) != after.get(k)}
    assert dry["caps"] == {"successful": 100000, "failed": 100000}
    assert dry["would_archive"] == 0 and dry["imported"] == 3000
    # A smaller --raise-cap never lowers a cap saved earlier.
    assert main(["--data-dir", str(data), "migrate", "--raise-cap", "3000", "--yes",
                 str(small)]) == 0
    from prompt_tracking.settings import load_settings

    assert load_settings(data)["retention_caps"]["max_successful"] == 100000


# -- item 7: UTF-16 (and UTF-32) detected per file ------------------------------------------
ITEMS = [{"prompt": f"prompt {i} café", "timestamp": 1.7e9 + i} for i in range(50)]


@pytest.mark.parametrize("encoding, bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""), ("utf-16-be", b""), ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", b"")])
@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_wide_encodings_import_every_line(tmp_path, encoding, bom, suffix):
    path = tmp_path / f"history{suffix}"
    text = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in ITEMS) if suffix == ".jsonl" \
        else json.dumps(ITEMS, ensure_ascii=False)
    path.write_bytes(bom + text.encode(encoding))
    with EnhancedPromptTracker(tmp_path / "data") as tracker:
        report = migrate([path], tracker=tracker)
        prompts = {r.prompt for r in tracker.records()}
    assert report.imported == 50 and report.invalid == 0, report.summary()
    assert prompts == {i["prompt"] for i in ITEMS}
    assert any("UTF-" in i.why and i.severity == "note" for i in report.issues)


# -- item 8: a file deleted while it is read -------------------------------------------------
@posix_only
def test_a_file_deleted_while_it_is_read_loses_nothing(tmp_path):
    source = write_jsonl(tmp_path / "vanishing.jsonl",
                         [{"prompt": f"no time {i}"} for i in range(3000)])
    calls = []

    def progress(fraction, message):
        calls.append(message)
        if len(calls) == 1:
            time.sleep(0.06)        # let the next progress call through the 50 ms throttle
        elif "entries" in message and source.exists():
            source.unlink()

    with EnhancedPromptTracker(tmp_path / "data") as tracker:
        report = migrate([source], tracker=tracker, progress=progress)
        assert tracker.stats()["total"] == 3000
    assert not source.exists(), "the test must delete the file mid-read"
    assert report.imported == 3000 and report.invalid == 0


# -- item 9: symlinks out of the folder ------------------------------------------------------
@posix_only
def test_file_symlinks_leading_out_of_the_folder_are_not_followed(tmp_path):
    folder, outside = tmp_path / "pics", tmp_path / "elsewhere"
    folder.mkdir(), outside.mkdir()
    (folder / "sub").mkdir()
    (folder / "own.png").write_bytes(png_bytes(text_chunk("parameters", "own image")))
    (outside / "secret.png").write_bytes(png_bytes(text_chunk("parameters", "private image")))
    (folder / "link.png").symlink_to(outside / "secret.png")
    (folder / "sub" / "inner.png").symlink_to(folder / "own.png")   # stays inside: fine
    (folder / "loop").symlink_to(folder)                             # folder loop: not followed
    with EnhancedPromptTracker(tmp_path / "data") as tracker:
        report = migrate([folder], tracker=tracker)
        prompts = [r.prompt for r in tracker.records()]
    assert "private image" not in prompts and "own image" in prompts
    assert any("outside the imported folder" in i.why and i.file.endswith("link.png")
               for i in report.issues)
    with EnhancedPromptTracker(tmp_path / "data") as tracker:   # named directly: imported
        migrate([folder / "link.png"], tracker=tracker)
        assert "private image" in [r.prompt for r in tracker.records()]


# -- item 10: imported records do not live only in the WAL -----------------------------------
@posix_only
def test_an_import_survives_kill_9_and_a_deleted_wal(tmp_path):
    source = good_file(tmp_path, 300)
    data = tmp_path / "data"
    with EnhancedPromptTracker(data) as tracker:
        tracker.log_successful_prompt("first", "m")
    code = f"""
        import os, signal
        from prompt_tracking import EnhancedPromptTracker
        from prompt_tracking.migration import migrate
        tracker = EnhancedPromptTracker({str(data)!r})
        report = migrate([{str(source)!r}], tracker=tracker, backup=False)
        assert report.imported == 300
        os.kill(os.getpid(), signal.SIGKILL)
    """
    result = _run_limited(code)
    assert result.returncode == -9, result.stderr[-2000:]
    wal = data / "prompts.sqlite3-wal"
    if wal.exists():
        wal.unlink()            # what a backup or sync tool may do after the crash
    (data / "prompts.sqlite3-shm").unlink(missing_ok=True)
    with sqlite3.connect(data / "prompts.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 301


# -- redaction: migrated records pass through the same redactor as log calls ------------------
def test_migrated_records_carry_no_secret(tmp_path):
    secrets = ["sk-proj-Q3fH7x9LmN2pR5tV8wY1zA4cE6gJ0kB", "github_pat_11ABCDEFG0aBcDeFgHiJkLmN_oPq",
               "sk_live_51HabcdEFGhijkLMNopqrSTU", "xapp-1-A0123BCDEF-4567890123-abcdef"]
    s = secrets
    source = write_jsonl(tmp_path / "h.jsonl", [
        {"prompt": f"use {s[0]} now", "model": f"m-{s[1]}", "timestamp": 1.7e9},
        {"prompt": "p2", "params": {s[2]: 1, "signature": "c2lnbmF0dXJlMTIzNDU2", "steps": 3},
         "timestamp": 1.7e9 + 1},
        {"prompt": "p3", "success": False, "error": {"code": s[3], "message": "denied"},
         "failure_reason": s[3], "timestamp": 1.7e9 + 2},
        {"prompt": "p4", "url": f"https://x.example/a.png?q=api_key%3D{s[0]}",
         "timestamp": 1.7e9 + 3},
    ])
    data = tmp_path / "data"
    with EnhancedPromptTracker(data) as tracker:
        migrate([source], tracker=tracker)
        tracker.flush()
        assert tracker.stats()["total"] == 4
    blob = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    for secret in [*secrets, "c2lnbmF0dXJlMTIzNDU2"]:
        assert secret[6:].encode() not in blob, secret
