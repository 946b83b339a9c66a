"""A small provider client, as apps get from an SDK: errors read like the SDK's."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

BASE_URL = "http://127.0.0.1:9/v1"  # the tests point this at their loopback server


class APIError(Exception):
    """Raised for a non-2xx answer; str() reads like the SDK's: ``Error code: 400 - {...}``."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(f"Error code: {status} - {body!r}")
        self.status_code = status
        self.body = body
        self.message = body.get("error", {}).get("message", "")


def generate_image(prompt: str, *, model: str = "dall-e-3", size: str = "1024x1024") -> bytes:
    """PNG bytes of one generated image."""
    request = urllib.request.Request(
        f"{BASE_URL}/images/generations", method="POST",
        data=json.dumps({"model": model, "prompt": prompt, "size": size, "n": 1,
                         "response_format": "b64_json"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer sk-test"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            payload = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise APIError(error.code, json.loads(error.read() or b"{}")) from None
    return base64.b64decode(payload["data"][0]["b64_json"])
