"""Wrappers never beat their cause; local-engine, validation and capacity wordings; provider fallbacks.

The messages are shaped like real ones from issue threads (see tests/data/error_messages.jsonl),
but none is copied from a sealed test split.
"""
from __future__ import annotations

import pytest

from prompt_tracking.failures import describe_failure
from prompt_tracking.failures.providers import infer_provider
from prompt_tracking.records import FailureReason as R


@pytest.mark.parametrize("message, reason", [
    # The envelope says "internal error"; the body says what went wrong.
    ('{"error":"Internal server error. Error: session expired, you may need to update the ACME_COOKIE"}',
     R.AUTHENTICATION),
    ("500 Internal Server Error: upstream returned status code 403", R.AUTHENTICATION),
    ('{"message": "500 \\"HTTP Error: 422\\"", "status": 500, "error": "HTTP Error: 422"}', R.INVALID_PARAMETERS),
    ('503 {"detail":"503: ACME_API_KEY is not set. Add it to your .env file."}', R.AUTHENTICATION),
    ("litellm.InternalServerError: AnthropicException - [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
     "failed: self-signed certificate in certificate chain (_ssl.c:1000)", R.NETWORK_ERROR),
    ("Internal error: API Error: 402 Insufficient Balance", R.QUOTA_EXCEEDED),
    ("LLM request failed: Error code: 422 - {'type': 'error', 'error': {'type': 'unprocessable_entity_error', "
     "'message': 'output new_sensitive (1027)'}}", R.CONTENT_FILTER),
    # A bare wrapper still says server error.
    ("Internal Server Error", R.SERVER_ERROR),
    ('{"error": {"code": "internal_error", "message": "Internal error encountered."}}', R.SERVER_ERROR),
])
def test_the_cause_inside_a_wrapper_decides(message, reason):
    assert describe_failure(message).reason is reason


def test_a_4xx_inside_an_outer_5xx_is_the_status_read():
    info = describe_failure('{"message": "500 \\"HTTP Error: 422\\"", "status": 500}')
    assert info.http_status == 422


@pytest.mark.parametrize("message", [
    "Failed to launch model: process exited prematurely",
    "unable to start process: health check failed after 15s",
    "502: unable to start process: upstream command exited prematurely but successfully",
    "signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0000000000000258",
    "Exception Type:        EXC_CRASH (SIGABRT)\nApplication Specific Information:\nabort() called",
    "Native API failed. Native API returns: 20 (UR_RESULT_ERROR_DEVICE_LOST)",
    "ValueError: Model type foo_moe not supported.",
    "InternalError: Check failed: (engine_ != nullptr) is false: Engine is not initialized via reload",
    "[VideoHelperSuite] - ERROR - No valid ffmpeg found.",
    "No available slot found for the model",
    "429 当前分组上游负载已饱和，请稍后再试 (request id: 20250101000000000000000abcdef)",
])
def test_local_engine_and_relay_capacity_wordings_are_server_errors(message):
    assert describe_failure(message).reason is R.SERVER_ERROR


@pytest.mark.parametrize("message", [
    '{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}}',
    "TemplateError: Conversation roles must alternate user/assistant/user/assistant/...",
    "The first message must be a user message",
    "body/input must have required property 'prompt'",
    "Error on typia.assert(): invalid type on $input.token, expect to be string",
    '{"ErrCode": 400017, "ErrMsg": "invalid param", "Resp": null}',
    "[ReActor] 12:00:00 - ERROR - No faces found in image 1, skipping",
    "Failed to calculate embeddings because of token limit",
    "内容长度超限(过大或过小)",
])
def test_validation_wordings_without_our_old_words(message):
    assert describe_failure(message).reason is R.INVALID_PARAMETERS


@pytest.mark.parametrize("message, reason", [
    ("Something went wrong\nUnexpected token '<', \"<html> <h\"... is not valid JSON", R.UNKNOWN),
    ("You need an active, paid subscription to use this API.", R.QUOTA_EXCEEDED),
    ("Error: 429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
     "\"message\":\"Extra usage is required for long context requests.\"}}", R.QUOTA_EXCEEDED),
    ("Your account does not open the image service yet.", R.AUTHENTICATION),
    ("授权失败,请检查RAM权限配置", R.AUTHENTICATION),
])
def test_other_new_wordings(message, reason):
    assert describe_failure(message).reason is reason


@pytest.mark.parametrize("text, provider", [
    ("Error: Failed to get session id, you may need to update the SUNO_COOKIE", "suno"),
    ("OPENAI_API_KEY environment variable is missing", "openai"),
    ("NVIDIA_NIM_API_KEY is not set", "nvidia_nim"),
    ("ACME_API_KEY is not set", "acme"),
    ("Client Error: NOT FOUND for url: https://api.example-gen.ai/v1/images", "example_gen"),
    ("404 for url: https://generativelanguage.googleapis.com/v1beta/models", "google"),
    ('File "/usr/lib/python3.11/site-packages/acmevoice/client.py", line 3, in speak', "acmevoice"),
    ("acmetts.core.api_error.ApiError: status_code: 429", "acmetts"),
    ("connect ECONNREFUSED http://127.0.0.1:8000/v1", None),
    ("https://someone-demo.hf.space/run/predict failed", None),
    ("Traceback: File \"/x/site-packages/httpcore/_sync.py\"", None),
])
def test_provider_inferred_from_variables_hosts_and_packages(text, provider):
    assert infer_provider(text) == provider


@pytest.mark.parametrize("message, provider", [
    ("Client Error: NOT FOUND for url: https://api.sambanova.ai/v1/chat/completions", "sambanova"),
    ("{\"error\":{\"message\":\"Model busy, retry later\"}} from deepinfra", "deepinfra"),
    ("Error: llama runner process has terminated: error loading model: No device of requested type (SYCL)",
     "ipex_llm"),
    ("Failed to generate a response: status=500 body=unable to load runner", "docker_model_runner"),
    ("Error: Failed to get session id, you may need to update the SUNO_COOKIE", "suno"),
])
def test_describe_failure_names_new_providers(message, provider):
    assert describe_failure(message).provider == provider
