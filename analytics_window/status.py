"""The analytics window's status line: which store the figures come from."""
from __future__ import annotations

import time
from typing import Any


def shared_store_caption(tracker: Any) -> str:
    """" · shared store: host/db, as of 14:03" for a team store; "" for the local one.

    The tracker's `database_url` is already password-free; only host and database are shown.
    """
    url = getattr(tracker, "database_url", None)
    if not isinstance(url, str) or not url:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (f" · shared store: {parts.hostname or 'localhost'}/{parts.path.lstrip('/')}, "
            f"as of {time.strftime('%H:%M:%S')}")

