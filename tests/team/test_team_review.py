"""The review window on a shared store: rating with one key reaches the server (real Tk, real PostgreSQL)."""
from __future__ import annotations

import pytest
from conftest import psql_rows
from integration_hosts import wait_until
from tk_events import gc_on_the_tk_thread  # noqa: F401

from prompt_tracking import EnhancedPromptTracker

pytestmark = pytest.mark.usefixtures("gc_on_the_tk_thread")


def test_ratings_made_in_the_review_window_land_on_the_shared_store(tk_root, pg, pg_url, tmp_path):
    from prompt_tracking.analytics_window import open_review_window

    with EnhancedPromptTracker(tmp_path / "ws", database_url=pg_url) as tracker:
        ids = [tracker.log_successful_prompt(f"a fox number {n}", "sdxl",
                                             result_url=f"https://cdn.example.com/{n}.png")
               for n in range(3)]
        assert tracker.flush(60)
        window = open_review_window(tk_root, tracker)
        wait_until(window, lambda: window.loaded, timeout=20)
        window.update()
        assert window.queue.current.id == ids[-1]  # newest first
        target = window.focus_get() or window
        target.event_generate("<KeyPress-4>")
        target.event_generate("<KeyRelease-4>")
        window.update()
        assert tracker.flush(60)
        window.destroy()
    rows = psql_rows(pg, pg_url, f"SELECT quality_rating FROM records WHERE id = '{ids[-1]}'")
    assert rows == [["4"]]
    raters = psql_rows(pg, pg_url, f"SELECT rater_id FROM ratings WHERE record_id = '{ids[-1]}'")
    assert len(raters) == 1 and raters[0][0]  # the anonymous rater id of this installation
