"""The analytics window on a shared store: the records of every workstation, a "shared
store: host/db" label with the time of the data, and never the password."""
from __future__ import annotations

import time

from prompt_tracking import EnhancedPromptTracker
from prompt_tracking.synthetic import generate_records


def test_analytics_window_shows_the_shared_store_and_other_workstations_records(
        tk_root, pg, pg_url, tmp_path):
    from prompt_tracking.analytics_window import AnalyticsWindow

    with EnhancedPromptTracker(tmp_path / "other", database_url=pg_url) as other:
        assert other.import_records(generate_records(300, seed=3)) == 300
    with EnhancedPromptTracker(tmp_path / "mine", database_url=pg_url) as mine:
        window = AnalyticsWindow(tk_root, mine)
        deadline = time.monotonic() + 60
        while not window.loaded and time.monotonic() < deadline:
            tk_root.update()
            time.sleep(0.005)
        status = window.status.get()
        window.destroy()
    db = pg_url.rsplit("/", 1)[1]
    assert "300 records" in status
    assert f"shared store: 127.0.0.1/{db}, as of " in status
    assert pg.password not in status
