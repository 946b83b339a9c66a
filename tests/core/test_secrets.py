"""No secret reaches the disk: keys in errors, URLs and parameters are masked or dropped."""
from __future__ import annotations

import os
import stat

import pytest

from prompt_tracking import EnhancedPromptTracker

# Shapes follow each provider's documented key format; the values are made up.
SECRETS = {
    "openai": "sk-proj-Q3fH7x9LmN2pR5tV8wY1zA4cE6gJ0kB",
    "openai_legacy": "sk-4fGh7Jk9Lm2Np5Qr8St1Uv3Wx6Yz0AbCdEfGh",
    "replicate": "r8_Ab3De5Fg7Hi9Jk1Lm3No5Pq7Rs9Tu1Vw3Xy",
    "huggingface": "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ123456",
    "google": "AIzaSyD3-abcdefghijklmnopqrstuvwx12345",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "fal": "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d:0123456789abcdef0123456789abcdef",
    "volcengine": "AKLTYzQ4NjE0ZmQ1ZDBhNDE5YWE1ZGU0ZmNhM2E",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "url_token": "tok3nVa1ueThatIsSecret",
    "amz_sig": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "param_secret": "MyDashScopeKey-1234567890",
    "password": "hunter2hunter2",
}


def _log_everything(tracker: EnhancedPromptTracker) -> list[str]:
    s = SECRETS
    return [
        tracker.log_failed_prompt("p", "gpt-image-1", f"Incorrect API key provided: {s['openai']}"),
        tracker.log_failed_prompt("p", "dall-e", f"invalid key {s['openai_legacy']} (401)"),
        tracker.log_failed_prompt("p", "flux", f"Authorization: Token {s['replicate']} rejected"),
        tracker.log_failed_prompt("p", "sdxl", f"401 for token {s['huggingface']}"),
        tracker.log_failed_prompt("p", "imagen", f"https://x.googleapis.com/v1?key={s['google']}"),
        tracker.log_failed_prompt("p", "m", f"InvalidClientTokenId {s['aws']}"),
        tracker.log_failed_prompt("p", "fal", f"Key {s['fal']} is not valid"),
        tracker.log_failed_prompt("p", "seedream", f"AccessKey {s['volcengine']} denied"),
        tracker.log_failed_prompt("p", "m", f"headers={{'Authorization': 'Bearer {s['bearer']}'}}"),
        tracker.log_successful_prompt(
            "p", "m", f"https://cdn.example.com/img.png?token={s['url_token']}&w=512"),
        tracker.log_successful_prompt(
            "p", "m", "https://bucket.s3.amazonaws.com/o.png?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                      f"&X-Amz-Signature={s['amz_sig']}"),
        tracker.log_successful_prompt(
            "p", "wan2.2", model_parameters={"dashscope_api_key": s["param_secret"],
                                             "Authorization": s["bearer"], "steps": 20,
                                             "nested": {"password": s["password"]}}),
        tracker.log_successful_prompt("p", "m", f"https://user:{s['password']}@host/x.png"),
    ]


def _disk_bytes(data_dir) -> bytes:
    blob = b""
    for root, _dirs, files in os.walk(data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                blob += handle.read()
    return blob


def test_no_secret_in_any_file_before_and_after_commit(data_dir):
    tracker = EnhancedPromptTracker(data_dir)
    ids = _log_everything(tracker)
    journaled = _disk_bytes(data_dir)  # the spool, before the writer commits
    tracker.flush()
    committed = _disk_bytes(data_dir)
    tracker.close()
    closed = _disk_bytes(data_dir)
    for name, secret in SECRETS.items():
        for blob in (journaled, committed, closed):
            assert secret.encode() not in blob, name
    with EnhancedPromptTracker(data_dir) as tracker:
        assert len([tracker.get_record(i) for i in ids]) == len(ids)
        kept = tracker.get_record(ids[11]).model_parameters
        assert kept == {"steps": 20, "nested": {}}
        assert "w=512" in tracker.get_record(ids[9]).result_url


def test_redaction_keeps_the_useful_part():
    from prompt_tracking.privacy.redact import redact_text, redact_url

    text = redact_text(f"Incorrect API key provided: {SECRETS['openai']}. See docs.")
    assert text.startswith("Incorrect API key provided: sk-") and "See docs." in text
    assert redact_url("https://a.com/x.png?w=1&sig=abc") == "https://a.com/x.png?w=1&sig=[REDACTED]"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_private_permissions(tracker):
    tracker.log_successful_prompt("p", "m")
    tracker.flush()
    assert stat.S_IMODE(os.stat(tracker.data_dir).st_mode) == 0o700
    for root, _dirs, files in os.walk(tracker.data_dir):
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode) == 0o600, name


# Credentials as they appear inside real client errors and configs (values made up): AWS
# shared-credentials and botocore text, google-auth's token fields, BFL's x-key header,
# Volcengine's SecretAccessKey, OAuth fragments and presigned URLs without a scheme.
PREFIXED = {
    "aws_secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "aws_session": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ",
    "google_client_secret": "GOCSPX-abcdefghijklmnopqrstuvwx",
    "google_access_token": "ya29.a0AfH6SMBx3kQz9LmN0pQrStUvWxYz123456",
    "bfl_key": "1f2e3d4c-5b6a-4789-9abc-def012345678",
    "volc_secret": "WkdGbVpXRXhNekExTkRZMk5HWXpZV0kz",
    "fragment_token": "fragmentTokenValue123456",
    "amz_sig_bare": "0123456789abcdef0123456789abcdef0123",
}


def test_prefixed_and_header_credentials_never_reach_disk(data_dir):
    s = PREFIXED
    with EnhancedPromptTracker(data_dir) as tracker:
        tracker.log_failed_prompt("p", "m", f"aws_secret_access_key={s['aws_secret']} "
                                            f"aws_session_token={s['aws_session']}")
        tracker.log_failed_prompt("p", "m", f'{{"client_secret": "{s["google_client_secret"]}", '
                                            f'"access_token": "{s["google_access_token"]}"}}')
        tracker.log_failed_prompt("p", "flux", "403", model_parameters={
            "headers": {"x-key": s["bfl_key"]}, "steps": 28})
        tracker.log_failed_prompt("p", "seedream", f"SecretAccessKey: {s['volc_secret']}")
        tracker.log_successful_prompt(
            "p", "m", f"https://app.example.com/cb#access_token={s['fragment_token']}&state=1")
        tracker.log_failed_prompt("p", "m", f"GET bucket/o.png?X-Amz-Signature={s['amz_sig_bare']}"
                                            " returned 403")
        tracker.flush()
        blob = _disk_bytes(data_dir)
    for name, secret in s.items():
        assert secret.encode() not in blob, name
    for harmless in (b"steps", b"state=1", b"returned 403"):
        assert harmless in blob


def test_undecodable_file_names_in_parameters_keep_the_record(tracker):
    import pathlib

    bad = pathlib.Path("/tmp/in-\udcff.png")  # a Linux file name that is not UTF-8
    rid = tracker.log_successful_prompt("p", "m", model_parameters={bad.name: bad, "steps": 4})
    tracker.flush()
    record = tracker.get_record(rid)
    assert record is not None and record.model_parameters["steps"] == 4
    assert record.model_parameters["in-?.png"] == "/tmp/in-?.png"


SECRETS_IN_TEXT = ["sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2, "github_pat_11ABCDEFG0" + "x" * 60,
                   "xapp-1-A0123456789-0123456789012-" + "a" * 64]


@pytest.mark.parametrize("secret", SECRETS_IN_TEXT)
def test_a_key_in_the_prompt_or_the_model_name_never_reaches_the_disk(tmp_path, secret):
    from prompt_tracking import EnhancedPromptTracker

    store = tmp_path / "store"
    with EnhancedPromptTracker(store) as tracker:
        ok = tracker.log_successful_prompt(f"use {secret} now", f"model-{secret}")
        tracker.log_failed_prompt(f"again {secret}", "m", error_message="bad",
                                  failure_reason=f"custom {secret}")
        tracker.flush()
        record = tracker.get_record(ok)
        assert secret not in record.prompt and secret not in record.ai_model
    needle = secret.encode()
    for path in store.rglob("*"):
        if path.is_file():
            assert needle not in path.read_bytes(), path
