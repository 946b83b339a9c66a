"""`redact_value`, the one redactor for every text field: secret formats x contexts x shapes.

Each secret is placed in each context (plain text, a header, `key=value`, a query string,
URL-encoded, JSON-escaped, double-encoded, a JSON-escaped URL) and in each field shape the
tracker stores (a string, a dict value, a dict key, a nested list); none of its
characteristic part may survive. Values are made up, shaped like each provider's keys.
"""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from prompt_tracking.privacy.redact import REDACTED, redact_text, redact_value, sanitize_key, \
    sanitize_parameters

FORMATS = {
    "openai_project": "sk-proj-Q3fH7x9LmN2pR5tV8wY1zA4cE6gJ0kB",
    "anthropic": "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx",
    "github_pat": "github_pat_11ABCDEFG0aBcDeFgHiJkLmN_oPqRsTuVwXyZ0123456789",
    "github_classic": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    "stripe_live": "sk_live_51HabcdEFGhijkLMNopqrSTU",
    "stripe_restricted": "rk_live_51HabcdEFGhijkLMNopqrSTU",
    "slack_app": "xapp-1-A0123BCDEF-4567890123-abcdef0123456789",
    "slack_bot": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "gitlab": "glpat-AbCdEfGhIjKlMnOpQrSt",
    "replicate": "r8_Ab3De5Fg7Hi9Jk1Lm3No5Pq7Rs9Tu1Vw3Xy",
    "huggingface": "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ123456",
    "google": "AIzaSyD3-abcdefghijklmnopqrstuvwx12345",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "groq": "gsk_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
}
# Secrets that only a field name marks (no recognisable format of their own).
NAMED = {"api_key": "Zq8vW3nR5tY7uI9oP1aS", "password": "hunter2hunter2", "pwd": "hunter3hunter3",
         "signature": "c2lnbmF0dXJlMTIzNDU2", "sig": "QUJDREVGR0hJSktMTU5P", "auth": "bXlhdXRoMTIzNDU2",
         "bearer": "YmVhcmVydG9rZW4xMjM0"}


def _contexts(secret: str) -> dict[str, str]:
    return {
        "plain": f"use {secret} now",
        "header": f"Authorization: Bearer {secret}",
        "assigned": f"api_key={secret}",
        "query": f"https://api.example.com/v1/img?key={secret}&w=512",
        "url_encoded_query": f"GET /x?q=api_key%3D{quote(secret)}&n=1",
        "url_encoded_header": f"Bearer%20{quote(secret)}",
        "json_escaped": json.dumps(json.dumps({"api_key": secret, "n": 1})),
        "double_encoded": quote(quote(f"token={secret}")),
        "json_escaped_url": json.dumps({"u": f"https://a.blob.core.windows.net/c/x.png?sv=2022&sig={secret}"
                                        }).replace("/", "\\/"),
        "error_code": json.dumps({"error": {"code": secret, "message": "denied"}}),
    }


def _leaks(secret: str, stored: object) -> bool:
    blob = json.dumps(stored, ensure_ascii=False)
    # The characteristic tail: a kept 3-char prefix like "sk-" is not a leak.
    return secret[6:] in blob or quote(secret)[6:] in blob


CASES = [(name, secret, context) for name, secret in FORMATS.items()
         for context in _contexts(secret)]


@pytest.mark.parametrize("name, secret, context", CASES)
def test_every_format_in_every_context_and_shape_is_masked(name, secret, context):
    text = _contexts(secret)[context]
    shapes = {"string": text, "dict_value": {"note": text}, "dict_key": {text: 1},
              "nested": {"a": [{"b": (text,)}]}}
    for shape, value in shapes.items():
        stored = redact_value(value)
        assert not _leaks(secret, stored), (shape, stored)


@pytest.mark.parametrize("field, secret", NAMED.items())
def test_named_secrets_are_masked_in_text_and_dropped_as_parameters(field, secret):
    assert secret not in redact_text(f'{field}={secret}')
    assert secret not in redact_text(f'{{"{field}": "{secret}"}}')
    assert secret not in redact_text(json.dumps(json.dumps({field: secret})))
    assert secret not in redact_text(f"https://x.example/p?{field}={secret}")
    assert sanitize_parameters({field: secret, "steps": 20}) == {"steps": 20}
    assert sanitize_key(field) is None
    assert sanitize_key(field.upper()) is None


@pytest.mark.parametrize("text", [
    "a red fox, 85mm f/1.4, 16:9, cat::2, seed 12345678, 1024x1024, v1.2.3.4",
    "author: John Smith, design: minimal, signature style brush strokes",
    "C:\\Users\\bob\\new\\table.png and 100% cotton",
    "https://example.com/gallery/fox.png?w=512&h=512",
    "shot on 2024-01-15T12:30:45Z, steps: 30, cfg: 7.5",
])
def test_ordinary_text_is_left_alone(text):
    assert redact_text(text) == text
    assert redact_value({"k": text}) == {"k": text}


@pytest.mark.parametrize("key", ["steps", "author", "design", "seed", "guidance_scale", "aspect_ratio",
                                 "signature_style", "authoring_tool", "max_tokens",
                                 "tokenizer"])
def test_ordinary_parameter_keys_are_kept(key):
    assert sanitize_key(key) == key


def test_a_pasted_token_used_as_a_key_is_masked_not_kept():
    key = FORMATS["openai_project"]
    clean = sanitize_parameters({key: 1, "steps": 2})
    assert clean["steps"] == 2 and not any(key[6:] in k for k in clean)


def test_never_raises_on_hostile_values():
    class Bad:
        def __str__(self):
            raise RuntimeError("no")

    assert redact_value(Bad()).startswith("<unserializable")
    assert isinstance(sanitize_key(Bad()), str)
    assert redact_value("\\ud800 %ZZ %") == "\\ud800 %ZZ %"
    assert REDACTED in redact_value("token%3D" + "a" * 10 + "%ud800")


def test_a_long_prompt_keeps_its_length_and_its_secret_is_masked():
    prompt = "a fox " * 5000 + FORMATS["stripe_live"]
    masked = redact_value(prompt)
    assert masked.startswith("a fox " * 5000) and FORMATS["stripe_live"][6:] not in masked


def test_a_pasted_private_key_block_is_masked():
    block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n" \
            "-----END RSA PRIVATE KEY-----"
    masked = redact_value({"error": f"could not load {block} from config"})
    assert "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo" not in masked["error"]
    assert masked["error"].endswith(" from config")
