"""A loopback HTTP server answering like an image-generation API (OpenAI's images route).

Tests queue the next answers: "ok", "policy" (content-policy 400) or "rate" (429), with
the providers' own wording; with nothing queued it answers "ok". A prompt containing
"[policy]" or "[rate]" gets that answer whatever is queued (for overlapping runs), one
containing "[slow]" takes half a second longer.
"""
from __future__ import annotations

import base64
import json
import queue
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLICY_BODY = {"error": {
    "code": "content_policy_violation",
    "message": ("Your request was rejected as a result of our safety system. Your prompt may "
                "contain text that is not allowed by our safety system."),
    "param": None, "type": "invalid_request_error"}}
RATE_BODY = {"error": {
    "code": "rate_limit_exceeded",
    "message": ("Rate limit exceeded for images per minute in organization org-QmZ2xYt. "
                "Limit: 5/1min. Current: 6/1min. Please try again in 12s. Visit "
                "https://platform.openai.com/account/rate-limits to learn more."),
    "param": None, "type": "requests"}}


def png_bytes(width: int, height: int, rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A solid-colour PNG of the given size."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class FakeImageAPI:
    """The server; `url` is its base address, `requests` what it received."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.plan: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.requests: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                api.requests.append(body)
                # "[slow]" in the prompt: a long job, for runs that finish out of order.
                time.sleep(api.delay + (0.5 if "[slow]" in body.get("prompt", "") else 0))
                try:
                    kind = api.plan.get_nowait()
                except queue.Empty:
                    kind = "ok"
                # Like a real provider, the prompt itself can be refused (or throttled).
                for word, answer in (("[policy]", "policy"), ("[rate]", "rate")):
                    if word in body.get("prompt", ""):
                        kind = answer
                if kind == "policy":
                    self._answer(400, POLICY_BODY)
                elif kind == "rate":
                    self._answer(429, RATE_BODY)
                else:
                    width, height = (int(v) for v in body.get("size", "64x64").split("x"))
                    image = base64.b64encode(png_bytes(width, height)).decode()
                    self._answer(200, {"created": int(time.time()), "data": [{"b64_json": image}]})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
