"""The Records tab as a result browser: thumbnails, detail pane, filters, sorting that keeps
the selection, and the disk cache of thumbnails. Real pointer events on the table."""
from __future__ import annotations

import time

import pytest
from test_analytics_window import open_loaded, pump, show
from test_analytics_window_records_rating import click, click_row
from tk_events import gc_on_the_tk_thread  # noqa: F401

from prompt_tracking import EnhancedPromptTracker

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")


@pytest.fixture
def browser(tk_root, tmp_path, data_dir):
    from PIL import Image

    with EnhancedPromptTracker(data_dir, max_successful=None, max_failed=None) as tracker:
        ids = []
        for n in range(30):
            path = tmp_path / f"r{n}.png"
            Image.new("RGB", (120, 90), (8 * n, 100, 150)).save(path)
            ids.append(tracker.log_successful_prompt(f"castle {n:02d} at dawn", "sdxl" if n % 2 else "flux",
                                                     result_url=str(path), model_parameters={"steps": n}))
            time.sleep(0.001)
        failed = tracker.log_failed_prompt("forbidden castle", "sdxl", "Error 400: safety system blocked")
        tracker.rate_prompt(ids[3], 5, feedback="Lovely light", tags=["portfolio"])
        tracker.rate_prompt(ids[4], 2, tags=["artifacts"])
        tracker.flush()
        window = open_loaded(tk_root, tracker)
        tab = show(window, "Records")
        pump(window, 5, until=lambda: not tab.filling)
        yield tab, tracker, ids, failed
        window.destroy()


def test_rows_in_view_get_thumbnails_made_off_the_tk_thread_and_cached_on_disk(browser, data_dir):
    tab, _tracker, ids, _failed = browser
    first = tab.tree.get_children()[1]
    pump(tab, 10, until=lambda: bool(tab.tree.item(first, "image")))
    shown = tab.visible_rows()
    assert shown and all(tab.tree.exists(i) for i in shown)
    assert list((data_dir / "thumbnails").glob("*.png"))
    assert tab.images._worker.is_alive()


def test_the_detail_pane_shows_the_selected_records_fields_and_image(browser):
    tab, _tracker, ids, failed = browser
    click_row(tab.tree, ids[3])
    text = tab.detail.shown_text()
    assert "castle 03 at dawn" in text and "Lovely light" in text and "portfolio" in text
    assert "★★★★★" in text and '"steps": 3' in text
    pump(tab, 10, until=lambda: tab.detail._photo is not None)
    click_row(tab.tree, failed)
    text = tab.detail.shown_text()
    assert "Error 400: safety system blocked" in text and "failed results are not rated" in text


@pytest.mark.parametrize("rating, tag, comment, expected", [
    ("5★", "Any tag", "", [3]),
    ("2★ or less", "Any tag", "", [4]),
    ("Any rating", "artifacts", "", [4]),
    ("Any rating", "Any tag", "LOVELY", [3]),
    ("Rated", "Any tag", "", [3, 4]),
])
def test_filters_by_rating_tag_and_comment(browser, rating, tag, comment, expected):
    tab, _tracker, ids, _failed = browser
    tab.rating_filter.set(rating)
    tab.tag_filter.set(tag)
    tab.comment_search.set(comment)
    tab.rating_box.event_generate("<<ComboboxSelected>>")
    pump(tab, 5, until=lambda: not tab.filling)
    assert sorted(tab.tree.get_children()) == sorted(ids[i] for i in expected)
    assert "portfolio" in tab.tag_box.cget("values")


def click_heading(tree, column: str) -> None:
    tree.update()
    x, _y, width, _h = tree.bbox(tree.selection()[0], column)
    click(tree, x + width // 2, 8)


def test_sorting_keeps_the_selected_record_selected_and_in_view(browser):
    tab, _tracker, ids, _failed = browser
    click_row(tab.tree, ids[7])
    for column in ("prompt", "model", "prompt"):
        click_heading(tab.tree, column)
        pump(tab, 5, until=lambda: not tab.filling)
        assert tab.tree.selection() == (ids[7],)
        assert tab.detail.record_id == ids[7]
    assert ids[7] in tab.visible_rows()


def test_open_result_says_so_when_no_application_opened_it(browser):
    tab, _tracker, ids, _failed = browser
    click_row(tab.tree, ids[2])
    tab.open_url = lambda _url: False
    tab.open_result()
    assert tab.message.get().startswith("No application could open")
    tab.open_url = lambda _url: True
    tab.open_result()
    assert tab.message.get().startswith("Opened")


def test_the_disk_cache_is_bounded_and_drops_the_least_recently_used(tmp_path):
    from PIL import Image

    from prompt_tracking.analytics_window.thumbnails import ThumbnailCache

    cache = ThumbnailCache(tmp_path / "thumbs", max_bytes=40_000)
    sources = []
    for n in range(40):
        path = tmp_path / f"noise{n}.png"
        Image.effect_noise((200, 200), 60 + n).convert("RGB").save(path)
        sources.append(str(path))
    for source in sources:
        assert cache.get(source, 64).size[0] == 64
        cache.get(sources[0], 64)  # the first one stays in use
    total = sum(p.stat().st_size for p in (tmp_path / "thumbs").iterdir())
    assert total <= 40_000 and cache.total_bytes == total
    assert len(list((tmp_path / "thumbs").iterdir())) < 40
    assert cache.get("https://x.example/a.png", 64).startswith("Remote")
    assert cache.get(str(tmp_path / "gone.png"), 64) == "File not found"
    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    assert cache.get(str(tmp_path / "clip.mp4"), 64).startswith("Video")
    assert cache.get((tmp_path / "noise1.png").as_uri(), 32).size[0] == 32


def test_the_detail_pane_says_how_a_failure_reason_was_derived(tracker):
    from prompt_tracking.analytics_window.tabs.record_detail import describe

    derived = tracker.log_failed_prompt("a fox", "m", error_message="HTTP 429 Too Many Requests")
    corrected = tracker.log_failed_prompt("a fox", "m", error_message="boom")
    tracker.set_failure_reason(corrected, "timeout")
    tracker.flush()
    rows = dict(describe(tracker.get_record(derived)))
    assert rows["Failure reason"].startswith("rate limit (") and "sure" in rows["Failure reason"]
    assert dict(describe(tracker.get_record(corrected)))["Failure reason"] == "timeout (set by you)"
