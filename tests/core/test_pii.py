"""PII masking for exports: what is masked, what is left alone, and the counts."""
from __future__ import annotations

import pytest

from prompt_tracking.privacy.pii import PiiRedactor, redact_pii


@pytest.mark.parametrize("text, expected, kind", [
    ("mail alice.b+x@example.co.uk now", "mail [EMAIL] now", "email"),
    ("call +1 555 123 4567", "call [PHONE]", "phone"),
    ("call +49 30 1234567", "call [PHONE]", "phone"),
    ("call +441234567890.", "call [PHONE].", "phone"),
    ("call (555) 123-4567", "call [PHONE]", "phone"),
    ("call 555-123-4567 or", "call [PHONE] or", "phone"),
    ("server 192.168.1.20.", "server [IP].", "ip_address"),
    ("v6 2001:db8::8a2e:370:7334 here", "v6 [IP] here", "ip_address"),
    ("v6 fe80:0:0:0:202:b3ff:fe1e:8329", "v6 [IP]", "ip_address"),
    ("https://bob:hunter2@example.com/a.png", "[URL]", "url_credentials"),
    ("see https://cdn.example/i.png?X-Amz-Signature=abc&x=1 ok", "see [URL] ok", "url_credentials"),
    ("https://x.example/i.png?token=abc", "[URL]", "url_credentials"),
    ("/home/alice/pics/a.png", "/home/[USER]/pics/a.png", "home_path"),
    ("/Users/Jane Doe/Desktop/x.png", "/Users/[USER]/Desktop/x.png", "home_path"),
    ("C:\\Users\\bob\\Pictures\\x.png", "C:\\Users\\[USER]\\Pictures\\x.png", "home_path"),
    ("d:/users/bob/x.png", "d:/users/[USER]/x.png", "home_path"),
    ("file:///home/carol/x.png", "file:///home/[USER]/x.png", "home_path"),
    # issue 18 item 11: forms the docs promised but that slipped through
    ("call 555 123 4567 today", "call [PHONE] today", "phone"),
    ("call 0049 30 1234567", "call [PHONE]", "phone"),
    ("tel 01 23 45 67 89.", "tel [PHONE].", "phone"),
    ("tel 030 1234567", "tel [PHONE]", "phone"),
    ("link-local fe80::1 here", "link-local [IP] here", "ip_address"),
    ("loopback ::1", "loopback [IP]", "ip_address"),
    ("net 2001:db8:: end", "net [IP] end", "ip_address"),
    ("\\\\fileserver\\share\\alice\\a.png used", "[UNC_PATH] used", "home_path"),
    ("write ivan@почта.рф", "write [EMAIL]", "email"),
    ("to user@xn--80a1acny.xn--p1ai", "to [EMAIL]", "email"),
])
def test_masked(text, expected, kind):
    masked, counts = redact_pii(text)
    assert masked == expected
    assert counts == {kind: 1}


@pytest.mark.parametrize("text", [
    "seed 1234567890, 1024x1024, steps 30",       # bare numbers are seeds and sizes
    "shot on 2024-01-15 at 12:30:45",             # dates and times
    "bed::2 cafe::1.5 face::3",                   # Midjourney weights with hex-like words
    "(snow:1.2), [forest], ((masterpiece))",      # weight syntax
    "version 1.5, aspect 16:9, 3.14159",
    "https://example.com/gallery/fox.png",        # a plain URL stays usable
    "C:\\Users\\Public\\Pictures\\a.png",         # shared profiles name no one
    "price -15% +20% @night",
    "seed 12345678, 85mm f/1.4, v1.2.3.4, cat::2, 16:9",   # issue 18 item 11: keep these
    "at 2024-05-01 12:00:00 and 1700000000.123, id 0123456789",
    "",
])
def test_left_alone(text):
    assert redact_pii(text) == (text, {})


def test_counts_accumulate_and_nested_values_are_masked():
    redactor = PiiRedactor()
    value = redactor.value({"a": ["x@y.io", {"b": "10.1.2.3"}], "n": 5, "ok": None,
                            "c": "/home/bob/x"})
    assert value == {"a": ["[EMAIL]", {"b": "[IP]"}], "n": 5, "ok": None, "c": "/home/[USER]/x"}
    redactor.text("and z@y.io")
    assert dict(redactor.counts) == {"email": 2, "phone": 0, "ip_address": 1,
                                     "url_credentials": 0, "home_path": 1}
    assert redactor.text(None) is None


def test_parameter_keys_are_masked_like_values():
    redactor = PiiRedactor()
    masked = redactor.value({"/home/alice/lora.safetensors": 0.8, "steps": 20,
                             "nested": {"bob@example.com": "x"}})
    assert masked == {"/home/[USER]/lora.safetensors": 0.8, "steps": 20,
                      "nested": {"[EMAIL]": "x"}}
    assert redactor.counts["home_path"] == 1 and redactor.counts["email"] == 1
