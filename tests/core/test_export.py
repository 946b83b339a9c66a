"""Training export: exact task contents on a fixed history, dedupe, group splits, pairs,
consent, PII and formula masking, atomic writes, and reading the files back."""
from __future__ import annotations

import csv
import json
import os
import stat

import pytest

from helpers.export_history import fixed_history, make_record
from prompt_tracking import settings
from prompt_tracking.export import files as export_files
from prompt_tracking.export.dedupe import GroupSplitter, group_key
from prompt_tracking.errors import ConsentRequiredError
from prompt_tracking.export.run import export_training_data
from prompt_tracking.export.tasks import TASK_COLUMNS, TASKS

SPLITS = ("train", "validation", "test")


def read_task(folder, task, fmt="jsonl"):
    """All rows of a task as (split, row) pairs."""
    rows = []
    for split in SPLITS:
        path = folder / task / f"{split}.{fmt}"
        if fmt == "jsonl":
            with open(path, encoding="utf-8") as handle:
                rows += [(split, json.loads(line)) for line in handle]
        else:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                rows += [(split, row) for row in csv.DictReader(handle)]
    return rows


def ids(rows, key="id"):
    return sorted(row[key] for _, row in rows)


@pytest.fixture
def history(tracker):
    assert tracker.import_records(fixed_history()) == 16
    return tracker


@pytest.fixture
def exported(history, tmp_path):
    report = export_training_data(history, tmp_path / "out", consent=True,
                                  formats=("jsonl", "csv"))
    return report, tmp_path / "out"


# -- exact contents ------------------------------------------------------------------------
@pytest.mark.parametrize("task, expected, removed", [
    # a1 and b6 are one blocked group, a2/a3/a4 one safe group: the newest of each stays.
    ("content_safety", ["a4", "b1", "b3", "b4", "b5", "b6", "c1", "c2", "d2", "e2"], 3),
    # a2 repeats a4 (same group, model, rating; parameters differ only in the seed).
    ("quality", ["a3", "a4", "b3", "b5", "c1", "c2", "d2", "e2"], 1),
    ("error_prevention", ["a4", "b1", "b2", "b3", "b4", "b5", "b6", "c1", "c2", "d1", "d2",
                          "e1", "e2"], 3),
    ("parameter_optimization", ["a3", "a4", "b1", "b2", "b3", "b4", "b5", "b6", "c1", "c2",
                                "d1", "d2", "e1", "e2"], 2),
])
def test_each_task_takes_exactly_the_expected_records(exported, task, expected, removed):
    report, folder = exported
    rows = read_task(folder, task)
    assert ids(rows) == expected
    assert report.duplicates_removed[task] == removed
    assert sum(report.counts[task].values()) == len(expected)


def test_labels_and_reasons(exported):
    _, folder = exported
    labels = {row["id"]: row["label"] for _, row in read_task(folder, "content_safety")}
    assert labels["b1"] == labels["b6"] == "blocked" and labels["a4"] == "safe"
    errors = {row["id"]: row for _, row in read_task(folder, "error_prevention")}
    assert (errors["b2"]["outcome"], errors["b2"]["reason"]) == ("failure", "timeout")
    assert (errors["b3"]["outcome"], errors["b3"]["reason"]) == ("success", None)
    assert json.loads(errors["b3"]["parameters"]) == {"steps": 30}


def test_preference_pair_is_the_kept_five_against_the_one(exported):
    _, folder = exported
    rows = read_task(folder, "preference_pairs")
    assert [(r["chosen_id"], r["rejected_id"]) for _, r in rows] == [("a2", "a3")]
    row = rows[0][1]
    assert row["prompt"] == "a red fox in snow, golden hour"
    assert (row["chosen_rating"], row["rejected_rating"]) == (5, 1)
    # Result references are local paths: the user name in them is masked.
    assert (row["chosen"], row["rejected"]) == ("/home/[USER]/out/a2.png", "/home/[USER]/out/a3.png")


def test_repair_pairs_need_same_session_and_model_an_edit_and_a_good_rating(exported):
    _, folder = exported
    pairs = sorted((r["before_id"], r["after_id"]) for _, r in read_task(folder, "repair_pairs"))
    # d1 -> d2 shares no words (a new idea), e1 -> e2 changed model, a3 has no later good edit.
    assert pairs == [("a1", "a2"), ("b2", "b3"), ("c1", "c2")]
    rows = {r["before_id"]: r for _, r in read_task(folder, "repair_pairs")}
    assert rows["c1"]["before"] == "a dog on the beach" and rows["c1"]["after"] == "a dog on the moon"
    assert (rows["c1"]["before_outcome"], rows["c1"]["before_rating"]) == ("success", 2)
    assert (rows["a1"]["before_reason"], rows["a1"]["after_rating"]) == ("content_filter", 5)


def test_every_line_has_the_task_columns_in_every_format(exported):
    _, folder = exported
    for task in TASKS:
        for fmt in ("jsonl", "csv"):
            for _, row in read_task(folder, task, fmt):
                assert list(row) == list(TASK_COLUMNS[task])


def test_manifest_and_dataset_card(exported):
    report, folder = exported
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] == 1 and manifest["records_read"] == 16
    assert manifest["tasks"]["quality"]["duplicates_removed"] == 1
    assert {s: manifest["tasks"]["quality"][s] for s in SPLITS} == report.counts["quality"]
    assert manifest["duplicates_removed"] == sum(report.duplicates_removed.values()) == 9
    assert manifest["redactions"] == {"email": 1, "phone": 0, "ip_address": 0,
                                      "url_credentials": 0, "home_path": 2}
    assert manifest["filters"] == {"models": None, "since": None, "tasks": list(TASKS)}
    assert manifest["split"]["ratios"] == [0.8, 0.1, 0.1] and manifest["created_at"].endswith("Z")
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nconfigs:\n- config_name: content_safety")
    assert "path: quality/train.jsonl" in card and "token set" in card
    assert report.manifest_path == folder / "manifest.json"
    assert json.loads(json.dumps(report.to_dict()))["total_rows"] == report.total_rows


def test_filters_by_model_and_since(history, tmp_path):
    report = export_training_data(history, tmp_path / "out", consent=True, models=["sdxl"],
                                  since=1_760_000_000 + 60 * 4, tasks=["quality"])
    assert ids(read_task(tmp_path / "out", "quality")) == ["b3", "b5", "e2"]
    assert list(report.counts) == ["quality"]
    assert not (tmp_path / "out" / "repair_pairs").exists()


# -- near-duplicates and group splits ------------------------------------------------------
@pytest.mark.parametrize("variant", [
    "A Red Fox in Snow", "a red fox  in\tsnow", "a red fox, in snow!", "snow in fox red a",
    "a red fox in snow --seed 12345", "a red fox in snow, seed: 7", "a red fox in (snow:1.3)",
    "a red fox in snow 987654", "((a red fox)) in snow", "a red fox in snow snow",
    "A red fox in the snow!", "red fox, snow", "the red fox and the snow", "a red fox on snow",
])
def test_near_duplicates_share_a_group_key(variant):
    assert group_key(variant) == group_key("a red fox in snow")


@pytest.mark.parametrize("other", ["a red fox in rain", "a red fox", "a blue fox in snow",
                                   "a red fox in snow at dawn", "a red fox without snow",
                                   "a red fox under snow", "no red fox in snow"])
def test_different_prompts_have_different_keys(other):
    assert group_key(other) != group_key("a red fox in snow")


def test_a_prompt_of_stopwords_only_keeps_its_words():
    assert group_key("to be or not to be") != group_key("this and that")
    assert group_key("The The") == group_key("the")


def test_stopword_variants_never_land_in_two_splits(tracker, tmp_path):
    variants = ["a {} in snow at camp{}", "A {} in the snow at the camp{}!", "{}, snow, camp{}"]
    subjects = ["castle", "river", "forest", "city", "robot", "ship", "garden", "tower"]
    records = [make_record(f"r{i}-{v}", variants[v].format(subjects[i % 8], i), success=True,
                           rating=1 + (i + v) % 5, session=f"s{i}",
                           timestamp=1e9 + 10 * (3 * i + v))
               for i in range(150) for v in range(3)]
    tracker.import_records(records)
    report = export_training_data(tracker, tmp_path / "out", consent=True, seed=5)
    split_of: dict[str, set[str]] = {}
    groups: dict[str, set[str]] = {}
    for task in ("content_safety", "quality", "error_prevention", "parameter_optimization"):
        for split, row in read_task(tmp_path / "out", task):
            split_of.setdefault(row["id"].split("-")[0], set()).add(split)
            groups.setdefault(row["id"].split("-")[0], set()).add(row["group"])
    assert len(split_of) == 150 and all(len(s) == 1 for s in split_of.values())
    assert all(len(g) == 1 for g in groups.values())
    assert len({g for gs in groups.values() for g in gs}) == 150
    assert {s for ss in split_of.values() for s in ss} == set(SPLITS)
    # Three spellings of one prompt and rating: content_safety keeps one row per group.
    assert sum(report.counts["content_safety"].values()) == 150


def test_near_duplicate_groups_never_span_splits(tracker, tmp_path):
    variants = ["{} scene{}", "{} SCENE{}!", "scene{1} {0}", "{} scene{} --seed 9"]
    subjects = ["castle", "river", "forest", "city", "robot", "ship", "garden", "tower"]
    records = [make_record(f"r{i}-{v}", variants[v].format(subjects[i % 8], i), success=v != 3,
                           rating=1 + (i + v) % 5, reason="timeout", session=f"s{i}",
                           timestamp=1e9 + 10 * (4 * i + v))
               for i in range(120) for v in range(4)]
    tracker.import_records(records)
    report = export_training_data(tracker, tmp_path / "out", consent=True, seed=3)
    split_of: dict[str, set[str]] = {}
    for task in ("content_safety", "quality", "error_prevention", "parameter_optimization"):
        for split, row in read_task(tmp_path / "out", task):
            split_of.setdefault(row["id"].split("-")[0], set()).add(split)
    assert len(split_of) == 120 and all(len(s) == 1 for s in split_of.values())
    counts = report.counts["error_prevention"]
    assert counts["train"] > counts["validation"] > 0 and counts["test"] > 0
    splitter = GroupSplitter(SPLITS, (0.8, 0.1, 0.1), seed=3)
    again = export_training_data(tracker, tmp_path / "again", consent=True, seed=3)
    assert again.counts == report.counts
    assert all(splitter(row["group"]) == split
               for split, row in read_task(tmp_path / "out", "quality"))


# -- consent -------------------------------------------------------------------------------
def test_without_consent_nothing_is_written(history, tmp_path):
    with pytest.raises(ConsentRequiredError, match="opt-in"):
        export_training_data(history, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == [history.data_dir]
    assert not settings.has_export_consent(history.data_dir)


def test_consent_is_stored_once_with_a_timestamp_in_a_private_file(history, tmp_path):
    export_training_data(history, tmp_path / "one", consent=True)
    stored = settings.export_consent(history.data_dir)
    assert stored["granted"] is True and stored["via"] == "api" and stored["at"] > 0
    path = history.data_dir / "settings.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    export_training_data(history, tmp_path / "two")  # remembered: no need to ask again
    assert (tmp_path / "two" / "manifest.json").exists()


def test_consent_false_refuses_and_a_revoked_consent_is_asked_again(history, tmp_path):
    settings.grant_export_consent(history.data_dir)
    with pytest.raises(ConsentRequiredError):
        export_training_data(history, tmp_path / "out", consent=False)
    settings.revoke_export_consent(history.data_dir)
    with pytest.raises(ConsentRequiredError):
        export_training_data(history, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# -- PII and formulas ----------------------------------------------------------------------
def test_pii_is_masked_unless_turned_off(tracker, tmp_path):
    prompt = ("photo for bob@example.com at 10.0.0.12, call +1 555 123 4567, "
              "see https://u:pw@host.example/x and /Users/bob/Pictures/ref.png")
    tracker.import_records([make_record("p1", prompt, True, rating=5,
                                        parameters={"init_image": "C:\\Users\\bob\\in.png"})])
    report = export_training_data(tracker, tmp_path / "out", consent=True, tasks=["quality"])
    (_, row), = read_task(tmp_path / "out", "quality")
    assert row["text"] == ("photo for [EMAIL] at [IP], call [PHONE], see [URL] and "
                           "/Users/[USER]/Pictures/ref.png")
    assert json.loads(row["parameters"]) == {"init_image": "C:\\Users\\[USER]\\in.png"}
    assert report.redactions == {"email": 1, "phone": 1, "ip_address": 1, "url_credentials": 1,
                                 "home_path": 2}
    raw = export_training_data(tracker, tmp_path / "raw", tasks=["quality"], redact_pii=False)
    (_, row), = read_task(tmp_path / "raw", "quality")
    assert row["text"] == prompt and raw.redactions == {}


def test_csv_cells_that_look_like_formulas_are_neutralized(exported):
    _, folder = exported
    texts = {row["id"]: row["text"] for _, row in read_task(folder, "quality", "csv")}
    assert texts["b5"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    jsonl = {row["id"]: row["text"] for _, row in read_task(folder, "quality")}
    assert jsonl["b5"].startswith("=HYPERLINK")  # JSON is data, not a spreadsheet: kept as is


@pytest.mark.parametrize("cell, expected", [
    ("=1+2", "'=1+2"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=1", "a=1"), ("", ""), (-3, -3), (None, None),
])
def test_escape_formula(cell, expected):
    assert export_files.escape_formula(cell) == expected


# -- atomic writes -------------------------------------------------------------------------
def _failing_writer(after_calls):
    calls = []
    real = export_files.write_jsonl

    def writer(path, columns, rows):
        calls.append(path)
        if len(calls) > after_calls:
            raise OSError("disk full (injected)")
        real(path, columns, rows)
    return writer


def test_a_failure_mid_export_leaves_nothing(history, tmp_path, monkeypatch):
    monkeypatch.setitem(export_files.WRITERS, "jsonl", _failing_writer(after_calls=5))
    with pytest.raises(OSError, match="injected"):
        export_training_data(history, tmp_path / "out", consent=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_failure_keeps_the_earlier_export_whole(history, tmp_path, monkeypatch):
    first = export_training_data(history, tmp_path / "out", consent=True)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "out").rglob("*")
              if p.is_file()}
    monkeypatch.setitem(export_files.WRITERS, "jsonl", _failing_writer(after_calls=7))
    with pytest.raises(OSError):
        export_training_data(history, tmp_path / "out", seed=1)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "out").rglob("*")
             if p.is_file()}
    assert after == before and first.out_dir == tmp_path / "out"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]


def test_an_earlier_export_is_replaced_but_other_files_are_not(history, tmp_path):
    export_training_data(history, tmp_path / "out", consent=True, tasks=["quality"])
    export_training_data(history, tmp_path / "out", tasks=["repair_pairs"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "README.md", "manifest.json", "repair_pairs"]
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(FileExistsError):
        export_training_data(history, foreign)
    assert [p.name for p in foreign.iterdir()] == ["holiday.jpg"]


def _snapshot(folder):
    return {p.relative_to(folder): (p.read_bytes() if p.is_file() else None)
            for p in folder.rglob("*")}


def test_a_folder_with_someone_elses_manifest_is_refused_and_untouched(history, tmp_path):
    web_app = tmp_path / "web-app"
    (web_app / "src").mkdir(parents=True)
    (web_app / "manifest.json").write_text('{"name": "My app", "version": "1.0"}')
    (web_app / "notes.txt").write_text("do not lose me")
    (web_app / "src" / "main.js").write_text("console.log(1)")
    before = _snapshot(web_app)
    with pytest.raises(FileExistsError, match="not an earlier prompt-tracking export"):
        export_training_data(history, web_app, consent=True)
    assert _snapshot(web_app) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "web-app"]


@pytest.mark.parametrize("extra", ["notes.txt", "quality/notes.txt", "photos/"])
def test_an_earlier_export_with_other_files_added_is_refused(history, tmp_path, extra):
    export_training_data(history, tmp_path / "out", consent=True, tasks=["quality"])
    added = tmp_path / "out" / extra.rstrip("/")
    if extra.endswith("/"):
        added.mkdir()
    else:
        added.write_text("mine")
    before = _snapshot(tmp_path / "out")
    with pytest.raises(FileExistsError):
        export_training_data(history, tmp_path / "out", tasks=["quality"])
    assert _snapshot(tmp_path / "out") == before


def test_an_export_from_before_the_generator_key_is_still_replaced(history, tmp_path):
    export_training_data(history, tmp_path / "out", consent=True, tasks=["quality"])
    manifest_path = tmp_path / "out" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["generator"] == "prompt-tracking"
    del manifest["generator"]
    manifest_path.write_text(json.dumps(manifest))
    export_training_data(history, tmp_path / "out", tasks=["repair_pairs"])
    assert json.loads(manifest_path.read_text())["filters"]["tasks"] == ["repair_pairs"]


def test_a_failed_swap_puts_the_earlier_export_back(history, tmp_path, monkeypatch):
    export_training_data(history, tmp_path / "out", consent=True)
    before = _snapshot(tmp_path / "out")
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the new export taking the old one's place
            raise OSError("rename failed (injected)")
        return real_replace(src, dst)

    monkeypatch.setattr(export_files.os, "replace", replace)
    with pytest.raises(OSError, match="injected"):
        export_training_data(history, tmp_path / "out", seed=1)
    assert len(calls) == 3  # retire, (failed) swap, restore
    assert _snapshot(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "store"]


@pytest.mark.parametrize("kwargs, name", [
    ({"tasks": ["quality", "poems"]}, "tasks"), ({"tasks": []}, "tasks"),
    ({"formats": ["xlsx"]}, "formats"), ({"split": (0.5, 0.6, 0.1)}, "split"),
    ({"split": (1.0,)}, "split"), ({"seed": "x"}, "seed"), ({"since": "yesterday"}, "since"),
])
def test_bad_arguments_raise_value_error_naming_them(history, tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        export_training_data(history, tmp_path / "out", consent=True, **kwargs)
    assert not (tmp_path / "out").exists()
    assert not settings.has_export_consent(history.data_dir)  # nothing stored either


# -- reading back --------------------------------------------------------------------------
def test_jsonl_reads_back_with_the_json_module(exported):
    _, folder = exported
    for task in TASKS:
        for split in SPLITS:
            lines = (folder / task / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
            assert all(list(json.loads(line)) == list(TASK_COLUMNS[task]) for line in lines)


def test_jsonl_reads_back_with_pandas(exported):
    pd = pytest.importorskip("pandas")
    report, folder = exported
    for task in TASKS:
        frames = [pd.read_json(folder / task / f"{s}.jsonl", lines=True) for s in SPLITS]
        frames = [f for f in frames if len(f)]
        frame = pd.concat(frames, ignore_index=True)
        assert list(frame.columns) == list(TASK_COLUMNS[task])
        assert len(frame) == sum(report.counts[task].values())
    quality = pd.read_json(folder / "quality" / "train.jsonl", lines=True)
    assert set(quality["rating"]) <= {1, 2, 3, 4, 5}


def test_an_export_is_private_whatever_the_umask(history, tmp_path):
    """Issue 13 item 10: files 0600 and folders 0700, like the store (the umask allows 0644)."""
    old = os.umask(0o022)
    try:
        export_training_data(history, tmp_path / "out", consent=True, formats=("jsonl", "csv"))
    finally:
        os.umask(old)
    folder = tmp_path / "out"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
