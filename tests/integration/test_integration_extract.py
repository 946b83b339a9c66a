"""Default extraction of result URLs and errors from what host handlers receive (no display)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from prompt_tracking.integration.extract import clean_prompt, extract_error, extract_result_url


@pytest.mark.parametrize("value, expected", [
    ("https://cdn.example/a.png", "https://cdn.example/a.png"),
    ("  /out/a.png\n", "/out/a.png"),
    (Path("/out/b.png"), "/out/b.png"),
    ({"images": [{"url": "https://x/1.png"}, {"url": "https://x/2.png"}]}, "https://x/1.png"),
    ({"data": [{"b64_json": "...", "url": "https://x/3.png"}]}, "https://x/3.png"),
    ({"output": ["https://replicate.delivery/o.png"]}, "https://replicate.delivery/o.png"),
    ({"video": {"url": "https://x/v.mp4"}}, "https://x/v.mp4"),
    ({"result_url": "/r.png", "images": ["/other.png"]}, "/r.png"),
    (["/first.mp4", "/thumb.png"], "/first.mp4"),
    ((None, "/second.png"), "/second.png"),
    (SimpleNamespace(url="https://x/obj.png"), "https://x/obj.png"),
    (None, None), ("", None), (True, None), (b"\x89PNG", None), ({"status": "ok"}, None),
])
def test_result_urls_are_found_in_the_usual_shapes(value, expected):
    assert extract_result_url(value) == expected


def test_a_deeply_nested_or_hostile_value_gives_none():
    class Hostile:
        def __getattr__(self, name):
            raise RuntimeError("no")
    nested: list = []
    for _ in range(20):
        nested = [nested]
    assert extract_result_url(Hostile()) is None
    assert extract_result_url(nested) is None


def test_errors_keep_exceptions_and_json_bodies_and_read_message_attributes():
    exc = TimeoutError("timed out")
    body = {"error": {"code": "content_policy_violation"}}
    assert extract_error(exc) is exc
    assert extract_error(body) is body
    assert extract_error(SimpleNamespace(message="Request Moderated")) == "Request Moderated"
    assert extract_error(404) == "404"


@pytest.mark.parametrize("value, expected", [(None, ""), ("a cat\n", "a cat"), (" x ", "x"),
                                             (3.5, "3.5")])
def test_prompts_are_cleaned(value, expected):
    assert clean_prompt(value) == expected
