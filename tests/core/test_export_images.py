"""Export with images: real PNG results under a home-like path travel into the export,
load with pandas and the Hugging Face `datasets` loader, and keep the atomic/replace rules."""
from __future__ import annotations

import json
import os
import stat

import pytest
from PIL import Image

from helpers.export_history import fixed_history, image_size_of, make_record, with_images
from prompt_tracking.export import files as export_files
from prompt_tracking.export import media as export_media
from prompt_tracking.export.run import export_training_data
from prompt_tracking.export.tasks import IMAGE_COLUMNS

SPLITS = ("train", "validation", "test")


def rows_of(folder, task):
    rows = []
    for split in SPLITS:
        with open(folder / task / f"{split}.jsonl", encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle]
    return rows


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home" / "alice"


@pytest.fixture
def pictured(tracker, home):
    records = with_images(fixed_history(), home)
    assert tracker.import_records(records) == 16
    return tracker


@pytest.fixture
def exported(pictured, tmp_path):
    report = export_training_data(pictured, tmp_path / "out", consent=True, images=True,
                                  formats=("jsonl", "csv"))
    return report, tmp_path / "out"


@pytest.fixture(autouse=True)
def offline_hf(tmp_path, monkeypatch):
    """The `datasets` loader works from the local folder only, with a private cache."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


def test_every_image_column_resolves_inside_the_export_and_opens(exported):
    report, folder = exported
    seen = 0
    for task, columns in IMAGE_COLUMNS.items():
        for row in rows_of(folder, task):
            for column in columns:
                if row[column] is None:
                    continue
                assert not os.path.isabs(row[column])
                path = (folder / row[column]).resolve()
                assert path.is_relative_to(folder.resolve())
                with Image.open(path) as image:
                    image.load()
                seen += 1
    assert seen > 0
    quality = {row["id"]: row for row in rows_of(folder, "quality")}
    for record_id, row in quality.items():
        with Image.open(folder / row["image"]) as image:
            assert image.size == image_size_of(record_id)  # the picture that was rated
        assert row["result"] == row["image"]
    assert report.images["files"] == report.images["images"] == 9  # every success, once
    assert report.images["linked"] + report.images["copied"] == 9


def test_no_path_outside_the_export_is_written(exported, home):
    _, folder = exported
    for path in folder.rglob("*"):
        if path.suffix in (".jsonl", ".csv", ".json", ".md"):
            text = path.read_text(encoding="utf-8-sig")
            assert str(home) not in text and "/home/[USER]" not in text, path
    pairs = rows_of(folder, "preference_pairs")
    assert pairs and all(p["chosen"].startswith("images/") and p["rejected"].startswith("images/")
                         for p in pairs)
    assert all(p["chosen"] == p["chosen_image"] for p in pairs)


def test_preference_labels_in_dpo_and_pick_a_pic_shape(exported):
    _, folder = exported
    for pair in rows_of(folder, "preference_pairs"):
        assert pair["label_0"] + pair["label_1"] == 1.0
        preferred = pair["image_0"] if pair["label_0"] == 1.0 else pair["image_1"]
        other = pair["image_1"] if pair["label_0"] == 1.0 else pair["image_0"]
        assert (preferred, other) == (pair["chosen_image"], pair["rejected_image"])
        assert pair["chosen_rating"] >= 4 >= 2 >= pair["rejected_rating"]


def test_same_content_is_stored_once(tracker, home, tmp_path):
    records = with_images(fixed_history(), home)
    a2 = next(r for r in records if r.id == "a2")
    a4 = next(r for r in records if r.id == "a4")
    a4.result_url = a2.result_url  # one file behind two records
    (home / "out" / "copy.png").write_bytes((home / "out" / "d2.png").read_bytes())
    next(r for r in records if r.id == "e2").result_url = str(home / "out" / "copy.png")
    tracker.import_records(records)
    report = export_training_data(tracker, tmp_path / "out", consent=True, images=True)
    files = list((tmp_path / "out" / "images").iterdir())
    assert len(files) == report.images["files"] == 7
    assert report.images["duplicate_content"] == 1


def test_datasets_loader_finds_image_features_of_the_right_size(exported, monkeypatch):
    datasets = pytest.importorskip("datasets")
    from prompt_tracking.export import load_dataset

    _, folder = exported
    quality = datasets.load_dataset(str(folder), "quality")  # the exact call in the card
    assert isinstance(quality["train"].features["image"], datasets.Image)
    pairs = datasets.load_dataset(str(folder), "preference_pairs")
    assert len(pairs) >= 1
    for split in pairs.values():
        for column in IMAGE_COLUMNS["preference_pairs"]:
            assert isinstance(split.features[column], datasets.Image)
    # Decoded from any working directory through the helper, by datasets itself from the folder.
    resolved = load_dataset(folder, "quality")
    total = 0
    for split in resolved.values():
        for row in split:
            assert row["image"].size == image_size_of(row["id"])
            total += 1
    assert total == sum(len(s) for s in quality.values()) > 0
    monkeypatch.chdir(folder)
    row = quality["train"][0]
    assert row["image"].size == image_size_of(row["id"])
    for split in load_dataset(folder, "preference_pairs").values():
        for pair in split:
            assert pair["chosen_image"].size == image_size_of(pair["chosen_id"])
            assert pair["rejected_image"].size == image_size_of(pair["rejected_id"])


def test_pandas_reads_jsonl_and_csv_with_images(exported):
    pandas = pytest.importorskip("pandas")
    _, folder = exported
    frame = pandas.read_json(folder / "quality" / "train.jsonl", lines=True)
    assert {"image", "rating", "result"} <= set(frame.columns)
    table = pandas.read_csv(folder / "preference_pairs" / "train.csv", encoding="utf-8-sig")
    assert {"chosen_image", "label_0"} <= set(table.columns)


def test_missing_unreadable_and_remote_results(tracker, home, tmp_path):
    records = with_images(fixed_history(), home)
    by_id = {r.id: r for r in records}
    os.remove(by_id["d2"].result_url)                          # missing
    with open(by_id["c2"].result_url, "wb") as handle:         # unreadable as an image
        handle.write(b"not a png")
    by_id["e2"].result_url = "https://cdn.example.com/e2.png?token=abc"  # remote, signed
    tracker.import_records(records)
    report = export_training_data(tracker, tmp_path / "out", consent=True, images=True)
    quality = {row["id"]: row for row in rows_of(tmp_path / "out", "quality")}
    assert "d2" not in quality and "c2" not in quality
    assert quality["e2"]["image"] is None and quality["e2"]["result"] == "[URL]"
    assert (report.images["missing"], report.images["unreadable"], report.images["remote"]) \
        == (1, 1, 1)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["images"]["missing"] == 1
    # The c1 (2 stars) / c2 pair lost its picture, so it is not a pair any more.
    assert all("c2" not in (p["chosen_id"], p["rejected_id"])
               for p in rows_of(tmp_path / "out", "preference_pairs"))


def test_a_video_goes_along_with_a_first_frame_when_pillow_reads_one(tracker, home, tmp_path):
    home.mkdir(parents=True)
    gif = home / "clip.gif"
    frames = [Image.new("RGB", (20, 12), color) for color in ("red", "blue")]
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    os.rename(gif, home / "clip.webm")  # a video extension; Pillow still reads the frames
    (home / "opaque.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    records = [make_record("v1", "a clip of waves", True, 5),
               make_record("v2", "a clip of fire", True, 4)]
    records[0].result_url = str(home / "clip.webm")
    records[1].result_url = str(home / "opaque.mp4")
    tracker.import_records(records)
    report = export_training_data(tracker, tmp_path / "out", consent=True, images=True)
    quality = {row["id"]: row for row in rows_of(tmp_path / "out", "quality")}
    assert quality["v1"]["result"].startswith("videos/")
    with Image.open(tmp_path / "out" / quality["v1"]["image"]) as still:
        assert still.size == (20, 12)
    assert quality["v2"]["result"].startswith("videos/") and quality["v2"]["image"] is None
    assert report.images["videos"] == 2 and report.images["frames"] == 1


def test_files_are_private_and_linked_originals_keep_their_mode(pictured, home, tmp_path):
    for original in (home / "out").iterdir():
        os.chmod(original, 0o640)
    folder = tmp_path / "out"
    report = export_training_data(pictured, folder, consent=True, images=True,
                                  formats=("jsonl", "csv"))
    assert report.images["linked"] == 9  # same file system: hard links
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, path
        elif path.parent.name != "images":
            assert mode == 0o600, path
        else:
            assert path.stat().st_nlink == 2 and mode == 0o640  # the user's file, unchanged
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o640 for p in (home / "out").iterdir())


def test_copy_mode_copies_private_files(pictured, tmp_path, home):
    report = export_training_data(pictured, tmp_path / "out", consent=True, images=True,
                                  link_images=False)
    assert report.images["copied"] == 9 and report.images["linked"] == 0
    for path in (tmp_path / "out" / "images").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.stat().st_nlink == 1


def test_an_export_with_images_replaces_an_earlier_one(exported, pictured):
    _, folder = exported
    again = export_training_data(pictured, folder, images=True)
    assert again.images["files"] == 9 and (folder / "images").is_dir()
    plain = export_training_data(pictured, folder)  # and back to no images: replaced whole
    assert plain.images is None and not (folder / "images").exists()


@pytest.mark.parametrize("stray", ["images/notes.txt", "images/sub/x.png", "videos/a.mp4",
                                   "extra/x.png"])
def test_an_export_with_foreign_files_among_the_images_is_refused(exported, pictured, stray):
    _, folder = exported
    path = folder / stray
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("mine")
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    with pytest.raises(FileExistsError):
        export_training_data(pictured, folder, images=True)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


def test_a_failure_while_collecting_images_leaves_the_earlier_export_whole(
        exported, pictured, monkeypatch):
    _, folder = exported
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    calls = {"n": 0}
    real = export_media.MediaStore._place

    def failing(self, source, relative):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        return real(self, source, relative)

    monkeypatch.setattr(export_media.MediaStore, "_place", failing)
    with pytest.raises(OSError):
        export_training_data(pictured, folder, images=True)
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []


def test_a_failed_first_export_with_images_leaves_nothing(pictured, tmp_path, monkeypatch):
    monkeypatch.setitem(export_files.WRITERS, "jsonl", _raise)
    with pytest.raises(OSError):
        export_training_data(pictured, tmp_path / "new", consent=True, images=True)
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _raise(*args):
    raise OSError("disk gone")


def test_min_quality_rating_decides_the_good_side(tracker, home, tmp_path):
    tracker.import_records(with_images(fixed_history(), home))
    strict = export_training_data(tracker, tmp_path / "a", consent=True, min_quality_rating=5)
    loose = export_training_data(tracker, tmp_path / "b", min_quality_rating=4)
    assert all(p["chosen_rating"] == 5 for p in rows_of(tmp_path / "a", "preference_pairs"))
    assert sum(strict.counts["preference_pairs"].values()) <= sum(
        loose.counts["preference_pairs"].values())
    with pytest.raises(ValueError, match="min_quality_rating"):
        export_training_data(tracker, tmp_path / "c", min_quality_rating=2)


def test_progress_reports_the_image_copy(pictured, tmp_path):
    calls = []
    export_training_data(pictured, tmp_path / "out", consent=True, images=True,
                         progress=lambda fraction, message: calls.append((fraction, message)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("collected 1 result files" in m for _, m in calls)
