"""Sixth round: general vocabulary read from the misses of the four retired sealed sets.

Each case is a variant nobody here collected (not a corpus message): the families must hold on
wordings they were not written from. Error-table titles, credential nouns, account checks,
engine crash lines, websocket and Chinese wordings, statuses at a sentence end.
"""
from __future__ import annotations

import pytest

from prompt_tracking.failures.categorize import describe_failure
from prompt_tracking.records import FailureReason as R


@pytest.mark.parametrize("message, reason", [
    # Credentials: more nouns (app id, client id, access key) and adjectives ("illegal").
    ("Illegal access key", R.AUTHENTICATION),
    ("Invalid client_id supplied", R.AUTHENTICATION),
    ("app key cannot be empty", R.AUTHENTICATION),
    ("User does not exist", R.AUTHENTICATION),
    ("Enterprise verification is pending for this account", R.AUTHENTICATION),
    ("Your plan is not entitled to this voice", R.AUTHENTICATION),
    # Throttling in error-table words.
    ("Frequent requests from this IP, slow your client", R.RATE_LIMIT),
    ("Calls are too frequent", R.RATE_LIMIT),
    ("RateLimitError: request exceeds your quota of characters", R.QUOTA_EXCEEDED),
    # Bad input: short titles and hints.
    ("Argument exception: steps", R.INVALID_PARAMETERS),
    ("Prompt is empty", R.INVALID_PARAMETERS),
    ("No voice specified", R.INVALID_PARAMETERS),
    ("At least one image must be supplied", R.INVALID_PARAMETERS),
    ("Unknown voice format 'flac2'", R.INVALID_PARAMETERS),
    ("method not allowed for this endpoint", R.INVALID_PARAMETERS),
    ("Verify your request parameters and retry", R.INVALID_PARAMETERS),
    ("The voice_id is invalid", R.INVALID_PARAMETERS),
    ("text cannot exceed 5000 characters", R.INVALID_PARAMETERS),
    # A local engine or the provider broke, in its own words.
    ("Worker initialization failed", R.SERVER_ERROR),
    ("Failed to create inference session", R.SERVER_ERROR),
    ("Renderer quit unexpectedly", R.SERVER_ERROR),
    ("Output contains NaN values", R.SERVER_ERROR),
    ("Model was unloaded due to inactivity", R.SERVER_ERROR),
    ("Failed to install dependencies for the node", R.SERVER_ERROR),
    ("This looks like a provider-side problem", R.SERVER_ERROR),
    ("The model returned an empty response", R.SERVER_ERROR),
    ("Not enough VRAM to run the upscaler", R.SERVER_ERROR),
    ("CUDA failure: misaligned address", R.SERVER_ERROR),
    ("Unexpected response: the model did not return any choices", R.SERVER_ERROR),
    ("rpc error: code = Canceled desc = stream terminated by RST_STREAM", R.SERVER_ERROR),
    # Could not reach the provider.
    ("Network issue, please retry", R.NETWORK_ERROR),
    ("WebSocket closed before it could connect to the voice server", R.NETWORK_ERROR),
    # Chinese moderation wording without 敏感/违规.
    ("内容涉及合规问题，无法生成", R.CONTENT_FILTER),
    ("图片已被拦截", R.CONTENT_FILTER),
    # A client's own bug says nothing about the provider: no guess.
    ("TypeError: client.upload is not a function while fetching credits", R.UNKNOWN),
])
def test_sixth_round_families(message, reason):
    assert describe_failure(message).reason is reason


@pytest.mark.parametrize("message", [
    "AttributeError: 'Response' object has no attribute 'quota'",
    "'NoneType' object has no attribute 'rate_limit_remaining'",
])
def test_an_attribute_name_is_not_a_cause(message):
    # The client's own code looked up a missing attribute; its name says nothing about the provider.
    assert describe_failure(message).reason is R.UNKNOWN


@pytest.mark.parametrize("message, status, reason", [
    ("Server responded with status 401.", 401, R.AUTHENTICATION),
    ("服务请求失败 429", 429, R.RATE_LIMIT),
    ('[GET] "https://api.example.com/v1/run": 503', 503, R.SERVER_ERROR),
])
def test_statuses_in_more_places(message, status, reason):
    info = describe_failure(message)
    assert (info.http_status, info.reason) == (status, reason)


@pytest.mark.parametrize("message, provider", [
    ("FastGPT returned an error: upstream busy", "fastgpt"),
    ("[Cline] the provider returned nothing", "cline"),
    ("StabilityMatrix: package install failed", "stability_matrix"),
])
def test_tools_that_name_themselves(message, provider):
    assert describe_failure(message).provider == provider
