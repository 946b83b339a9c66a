"""Migration of legacy data: every source kind, messy input, exact counts, idempotence, retention."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.migration.legacy_records import map_failure_reason, parse_timestamp
from prompt_tracking.cli.migrate import register_cli
from prompt_tracking.migration import migrate, run_migration
from prompt_tracking._storage.writer import read_archive

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "migration"))
import make_fixtures as fixtures  # noqa: E402

T0 = fixtures.T0


@pytest.fixture
def sources(tmp_path):
    """Every fixture file in the order of EXPECTED, plus a generated folder of PNGs."""
    images = fixtures.make_images(tmp_path / "images")
    return [images if name == "images" else fixtures.HERE / name for name in fixtures.EXPECTED]


def _digests(paths):
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))
             if p.is_file()]
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _by_prompt(tracker):
    return {r.prompt: r for r in tracker.records()}


def test_report_counts_are_exact_per_source_and_in_total(tracker, sources):
    report = migrate(sources, tracker=tracker)
    rows = {Path(s.path).name: (s.found, s.imported, s.duplicates, s.invalid) for s in report.sources}
    assert rows == fixtures.EXPECTED
    assert (report.found, report.imported, report.duplicates, report.invalid) == (44, 32, 6, 6)
    assert report.found == report.imported + report.duplicates + report.invalid
    assert tracker.stats()["total"] == 32


def test_dry_run_writes_nothing_and_predicts_the_real_run(data_dir, sources):
    tracker = EnhancedPromptTracker(data_dir)
    dry = migrate(sources, tracker=tracker, dry_run=True)
    assert dry.dry_run and dry.backup_path is None
    assert not data_dir.exists()          # not even the store file or a backup folder
    real = migrate(sources, tracker=tracker)
    tracker.close()
    assert (dry.found, dry.imported, dry.duplicates, dry.invalid) == \
           (real.found, real.imported, real.duplicates, real.invalid)


def test_second_run_imports_nothing(tracker, sources):
    migrate(sources, tracker=tracker)
    again = migrate(sources, tracker=tracker)
    assert again.imported == 0
    assert again.duplicates == 44 - 6 and again.invalid == 6
    assert tracker.stats()["total"] == 32


def test_sources_are_never_modified(tracker, sources):
    before = _digests(sources)
    migrate(sources, tracker=tracker)
    assert _digests(sources) == before


def test_backup_is_made_before_the_first_write(tracker, sources):
    old = tracker.log_successful_prompt("logged before the migration", "m")
    tracker.flush(10)
    report = migrate(sources, tracker=tracker)
    backup = Path(report.backup_path)
    assert backup.parent == tracker.data_dir / "backups" and backup.name.startswith("prompts-")
    with sqlite3.connect(backup) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM records")]
    assert ids == [old]                   # the store as it was before anything was imported
    assert migrate(sources, tracker=tracker).backup_path is None   # nothing to write: no backup


def test_timestamps_of_every_format_are_kept(tracker, sources):
    migrate(sources, tracker=tracker)
    records = _by_prompt(tracker)
    assert records["a red fox in snow, golden hour"].timestamp == T0          # ISO with Z
    assert records["a blue whale"].timestamp == T0 + 60                       # epoch seconds
    assert records["city at night, neon"].timestamp == T0 + 120               # epoch ms
    assert records["rating seven"].timestamp == T0 + 600                      # ISO with offset
    assert records["jsonl two"].timestamp == 1725148800.5                     # ms with fraction
    assert records["jsonl three"].timestamp == 1725148801                     # digits in a string
    undated = records["no time here"]
    assert undated.metadata["timestamp_source"] == "file_mtime"
    assert undated.timestamp == (fixtures.HERE / "legacy_tracker.json").stat().st_mtime


@pytest.mark.parametrize("prompt, reason, legacy_name", [
    ("failing prompt 0", "content_filter", None),              # CONTENT_FILTER
    ("failing prompt 1", "content_filter", "ContentFilter"),
    ("failing prompt 2", "content_filter", "safety"),
    ("failing prompt 3", "content_filter", "nsfw"),
    ("failing prompt 4", "network_error", "network"),
    ("failing prompt 5", "server_error", "api_error"),
    ("failing prompt 6", "unknown", "SomethingNew"),           # unknown name: original kept
    ("failing prompt 8", "timeout", "FailureReason.TIMEOUT"),
])
def test_failure_reasons_of_older_versions_are_mapped(tracker, sources, prompt, reason, legacy_name):
    migrate(sources, tracker=tracker)
    record = _by_prompt(tracker)[prompt]
    assert not record.success and record.failure_reason == reason
    assert record.metadata.get("legacy_failure_reason") == legacy_name
    assert record.metadata["failure_reason_source"] == "legacy"


def test_missing_reason_is_derived_from_the_error_and_secrets_are_masked(tracker, sources):
    migrate(sources, tracker=tracker)
    records = _by_prompt(tracker)
    derived = records["failing prompt 7"]
    assert derived.metadata["failure_reason_source"] == "auto"
    assert derived.failure_reason is not None
    assert "abcdefghijklmnop1234" not in derived.error_message
    fox = records["a red fox in snow, golden hour"]
    assert "abc123secret" not in fox.result_url and "w=1" in fox.result_url
    assert fox.model_parameters == {"steps": 30, "seed": 7}        # api_key dropped
    assert (fox.quality_rating, fox.feedback, fox.save_method) == (5, "lovely light", "auto")
    assert fox.metadata["session"] == "old" and fox.metadata["prompt_hash"]
    raw = tracker.db_path.read_bytes() + b"".join(
        p.read_bytes() for p in tracker.data_dir.glob("prompts.sqlite3-wal"))
    assert b"sk-live-abcdefghijklmnopqrstuvwxyz" not in raw and b"abc123secret" not in raw


def test_aliases_extra_fields_and_odd_ratings_are_kept(tracker, sources):
    migrate(sources, tracker=tracker)
    records = _by_prompt(tracker)
    whale = records["a blue whale"]
    assert whale.ai_model == "flux-dev" and whale.quality_rating == 4
    assert whale.metadata["legacy_fields"] == {"extra_field": "kept"}
    seven = records["rating seven"]
    assert seven.quality_rating is None and seven.metadata["legacy_rating"] == "7"
    astronaut = records["portrait of an astronaut"]
    assert astronaut.model_parameters == {"negative_prompt": "blurry", "steps": 25, "seed": 42,
                                          "cfg_scale": 6.5}
    assert astronaut.metadata["has_negative_prompt"] is True
    assert astronaut.metadata["legacy_fields"] == {"favorite": True}
    storm = records["a lighthouse in a storm"]
    assert not storm.success and storm.error_message == "CUDA out of memory"
    assert records["just a bare prompt string"].ai_model == "unknown"


def test_own_export_keeps_its_ids_and_fields(tracker, sources):
    migrate(sources, tracker=tracker)
    exported = [json.loads(line) for line in (fixtures.HERE / "export.jsonl").read_text().splitlines()]
    for original in exported:
        record = tracker.get_record(original["id"])
        assert record is not None
        for field in ("timestamp", "prompt", "success", "save_method", "failure_reason",
                      "quality_rating", "tags", "model_parameters"):
            assert getattr(record, field) == original[field], field


def test_truncated_json_is_reported_with_its_position_and_the_rest_imports(tracker, sources):
    report = migrate(sources, tracker=tracker)
    [error] = report.errors
    assert error.file.endswith("truncated.json")
    text = (fixtures.HERE / "truncated.json").read_text()
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    assert error.position == (f"line {caught.value.lineno}, column {caught.value.colno} "
                              f"(char {caught.value.pos})")
    records = _by_prompt(tracker)
    assert {"truncated one", "truncated two"} <= records.keys()
    assert "jsonl one" in records                                   # later sources still import


def test_non_utf8_bytes_are_decoded_with_a_note(tracker, sources):
    report = migrate(sources, tracker=tracker)
    assert "café au lait, “soft light”" in _by_prompt(tracker)
    notes = [i for i in report.issues if i.file.endswith("cp1252_history.json")]
    assert notes and "cp1252" in notes[0].why and notes[0].severity == "note"


def test_invalid_entries_are_reported_with_file_and_position(tracker, sources):
    report = migrate(sources, tracker=tracker)
    invalid = {(Path(i.file).name, i.position) for i in report.issues if i.severity == "invalid"}
    assert invalid == {("legacy_tracker.json", "successful_prompts[4]"),
                       ("legacy_tracker.json", "successful_prompts[5]"),
                       ("legacy_tracker.json", "successful_prompts[8]"),
                       ("history_list.json", "[2]"),
                       ("history.jsonl", "line 4, column 35"),
                       ("history.jsonl", "line 5")}


def test_png_metadata_of_automatic1111_and_comfyui(tracker, sources):
    migrate(sources, tracker=tracker)
    records = _by_prompt(tracker)
    castle = records["a castle on a hill, dramatic sky"]
    assert castle.ai_model == "sd_xl_base_1.0" and castle.success
    assert castle.save_method == "manual" and castle.result_url.endswith("images/a1111.png")
    assert castle.model_parameters == {"negative_prompt": "lowres, watermark", "steps": 20,
                                       "sampler": "Euler a", "cfg_scale": 7.0, "seed": 1,
                                       "width": 512, "height": 512, "model_hash": "abc123"}
    assert records["東京の夜景, neon reflections"].ai_model == "animagine-xl"       # iTXt
    cabin = records["a cozy cabin in the woods"]
    assert cabin.ai_model == "dreamshaper_8.safetensors"
    assert cabin.model_parameters == {"steps": 25, "cfg": 8.0, "seed": 156680208700286,
                                      "sampler": "euler", "scheduler": "normal", "denoise": 1.0,
                                      "negative_prompt": "people, text", "width": 640,
                                      "height": 960}
    boat = records["a paper boat on a puddle"]                      # workflow chunk only
    assert boat.ai_model == "juggernaut_xl.safetensors"
    assert boat.model_parameters["negative_prompt"] == "blurry"
    assert boat.model_parameters["steps"] == 30 and boat.model_parameters["seed"] == 77


def test_over_the_cap_the_report_predicts_the_archive_and_nothing_is_lost(data_dir, sources):
    with EnhancedPromptTracker(data_dir, max_successful=5, max_failed=100) as tracker:
        dry = migrate(sources, tracker=tracker, dry_run=True)
        successes = dry.totals_after["successful"]
        assert dry.would_archive == successes - 5 > 0
        assert f"{dry.would_archive} records would go to the archive" in dry.summary()
        report = migrate(sources, tracker=tracker)
        assert report.would_archive == dry.would_archive
        _wait_for(lambda: tracker.stats()["successful"] == 5)   # the writer's retention pass
        kept = {r.id for r in tracker.records()}
        assert migrate(sources, tracker=tracker).imported == 0     # archived ones are known
    archived = {r["id"] for r in read_archive(data_dir / "archive.jsonl.gz")}
    assert len(kept) == 32 - dry.would_archive and len(archived) == dry.would_archive
    assert not kept & archived


def test_large_json_lines_file_is_streamed_in_chunks(tracker, tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as handle:
        for i in range(4500):
            handle.write(json.dumps({"prompt": f"prompt {i}", "model": "m", "timestamp": T0 + i}) + "\n")
    seen = []
    tracker.max_successful = None
    report = migrate([path], tracker=tracker, progress=lambda f, m: seen.append(f))
    assert report.imported == 4500 and tracker.stats()["total"] == 4500
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_missing_paths_are_reported_not_raised(tracker, tmp_path):
    report = migrate([tmp_path / "nope.json", tmp_path], tracker=tracker)
    assert [i.severity for i in report.issues] == ["error", "note"]
    assert report.found == 0


@pytest.mark.parametrize("value, expected", [
    ("2024-05-01T12:00:00Z", T0), ("2024-05-01T14:00:00+02:00", T0), (T0, T0), (T0 * 1000, T0),
    (T0 * 1_000_000, T0), (str(T0), T0), (f"{T0}000", T0), ("yesterday", None), (None, None),
    (True, None), (-5, None), (float("nan"), None),
])
def test_parse_timestamp(value, expected):
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize("name, reason", [
    ("CONTENT_FILTER", "content_filter"), ("ContentFilter", "content_filter"),
    ("content-filter", "content_filter"), ("safety", "content_filter"), ("NSFW", "content_filter"),
    ("network", "network_error"), ("api_error", "server_error"), ("RateLimited", "rate_limit"),
    ("canceled", "cancelled"), ("auth", "authentication"), ("FailureReason.QUOTA_EXCEEDED",
                                                           "quota_exceeded"),
    ("mystery", None),
])
def test_map_failure_reason(name, reason):
    mapped = map_failure_reason(name)
    assert (mapped.value if mapped else None) == reason


# -- idempotence: time zones, prepended entries, moved files -------------------------------
@pytest.fixture
def set_local_zone():
    """Switch the process's local time zone (TZ + tzset); the original comes back afterwards."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset() is not available on Windows")
    original = os.environ.get("TZ")

    def set_zone(name):
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if original is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = original
    time.tzset()


def _write_history(path, entries):
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    else:
        path.write_text(json.dumps({"history": entries}, indent=1))


def test_naive_timestamps_give_the_same_ids_in_every_time_zone(tracker, tmp_path, set_local_zone):
    path = tmp_path / "history.json"
    _write_history(path, [
        {"prompt": "naive iso", "model": "sdxl", "timestamp": "2024-05-01T12:00:00"},
        {"prompt": "naive with space", "model": "sdxl", "timestamp": "2024-05-01 12:00:01.250"},
        {"prompt": "naive other format", "model": "sdxl", "timestamp": "01.05.2024 12:00:02"},
        {"prompt": "aware iso", "model": "sdxl", "timestamp": "2024-05-01T12:00:03Z"},
    ])
    set_local_zone("Europe/Berlin")
    assert parse_timestamp("2024-05-01T12:00:00") == T0 - 7200    # the zone really is active
    first = migrate([path], tracker=tracker)
    assert first.imported == 4
    set_local_zone("UTC")
    assert parse_timestamp("2024-05-01T12:00:00") == T0
    again = migrate([path], tracker=tracker)
    assert (again.imported, again.duplicates) == (0, 4)
    assert tracker.stats()["total"] == 4
    # The naive times stay the local time they were read in, as documented.
    assert _by_prompt(tracker)["naive iso"].timestamp == T0 - 7200


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_timeless_history_with_a_new_entry_on_top_imports_only_that_entry(tracker, tmp_path,
                                                                           suffix):
    entries = [{"prompt": "older one", "model": "sdxl", "seed": 1},
               {"prompt": "twice the same", "model": "sdxl"},
               {"prompt": "twice the same", "model": "sdxl"},          # two runs, two records
               {"prompt": "failed one", "model": "sdxl", "error": "CUDA out of memory"}]
    path = tmp_path / f"history{suffix}"
    _write_history(path, entries)
    assert migrate([path], tracker=tracker).imported == 4
    _write_history(path, [{"prompt": "the newest", "model": "sdxl"}] + entries)
    again = migrate([path], tracker=tracker)
    assert (again.found, again.imported, again.duplicates) == (5, 1, 4)
    assert tracker.stats()["total"] == 5
    _write_history(path, [{"prompt": "twice the same", "model": "sdxl"}] + entries)
    assert migrate([path], tracker=tracker).imported == 1          # a third identical run


def test_a_timeless_history_moved_elsewhere_imports_nothing_new(tracker, tmp_path):
    path = tmp_path / "old" / "prompt_history.json"
    path.parent.mkdir()
    _write_history(path, [{"prompt": "no time a", "model": "sdxl"},
                          {"prompt": "no time b", "model": "sdxl", "status": "failed"}])
    assert migrate([path], tracker=tracker).imported == 2
    moved = tmp_path / "new" / "renamed.json"
    moved.parent.mkdir()
    path.rename(moved)
    again = migrate([moved], tracker=tracker)
    assert (again.imported, again.duplicates) == (0, 2)


def test_run_migration_after_a_timeless_legacy_file_grew_imports_only_the_new_entry(tracker,
                                                                                     tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    legacy = home / "prompt_tracking.json"
    data = {"successful_prompts": [{"prompt": f"kept {i}", "ai_model": "m"} for i in range(3)],
            "failed_prompts": [{"prompt": "failed", "ai_model": "m", "error_message": "boom"}]}
    legacy.write_text(json.dumps(data))
    assert run_migration(tracker=tracker, search_dirs=[home]) is True
    data["successful_prompts"].insert(0, {"prompt": "added on top", "ai_model": "m"})
    legacy.write_text(json.dumps(data))
    assert run_migration(tracker=tracker, search_dirs=[home]) is True
    _wait_for(lambda: tracker.stats()["total"] == 5)
    assert tracker.stats()["total"] == 5


# -- run_migration -------------------------------------------------------------------------
def test_run_migration_imports_once_and_remembers(tracker, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "prompt_tracking.json").write_bytes((fixtures.HERE / "legacy_tracker.json").read_bytes())
    assert run_migration(tracker=tracker, search_dirs=[home]) is True
    assert tracker.stats()["total"] == 14
    marker = json.loads((tracker.data_dir / "migration.json").read_text())
    assert str((home / "prompt_tracking.json").resolve()) in marker
    assert run_migration(tracker=tracker, search_dirs=[home]) is False


def test_run_migration_never_raises(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a dir")
    (tmp_path / "prompt_tracking.json").write_bytes(
        (fixtures.HERE / "legacy_tracker.json").read_bytes())
    with EnhancedPromptTracker(blocked / "store") as tracker:
        assert run_migration(tracker=tracker, search_dirs=[tmp_path]) is False


# -- command line --------------------------------------------------------------------------
def _cli(data_dir, *argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    register_cli(parser.add_subparsers(dest="command"))
    return parser.parse_args(["--data-dir", str(data_dir), "migrate", *argv])


def test_cli_dry_run_then_import(data_dir, sources, capsys):
    args = _cli(data_dir, *map(str, sources), "--dry-run")
    assert args.func(args) == 1                                    # truncated.json is an error
    assert "would import 32" in capsys.readouterr().out
    assert not (data_dir / "prompts.sqlite3").exists()
    args = _cli(data_dir, *map(str, sources), "--json")
    assert args.func(args) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 32 and report["backup_path"] is None


def test_cli_offers_to_raise_the_cap(data_dir, sources, capsys):
    from prompt_tracking.cli.migrate import cmd_migrate

    questions = []
    args = _cli(data_dir, str(fixtures.HERE / "legacy_tracker.json"))
    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.log_successful_prompt("existing", "m")
    code = cmd_migrate(args, ask=lambda q: questions.append(q) or "y")
    assert code == 0 and not questions                              # 1 + 5 fit under 2000
    big = data_dir.parent / "big.jsonl"
    big.write_text("".join(json.dumps({"prompt": f"p{i}", "model": "m", "timestamp": T0 + i}) + "\n"
                           for i in range(2100)))
    args = _cli(data_dir, str(big))
    code = cmd_migrate(args, ask=lambda q: questions.append(q) or "y")
    assert code == 0 and len(questions) == 1 and "would go to the archive" in questions[0]
    assert "Caps raised" in capsys.readouterr().out
    with EnhancedPromptTracker(data_dir, max_successful=None) as tracker:
        assert tracker.stats()["successful"] == 2100 + 6
    args = _cli(data_dir, str(big), "--yes")
    assert cmd_migrate(args, ask=lambda q: pytest.fail("asked despite --yes")) == 0
