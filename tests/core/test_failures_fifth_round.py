"""Fifth-round wording families: anti-bot walls, keys that map to no user, envelopes that only say
"bad request", interruptions in Chinese, wrappers next to a status, socket wordings, short waits."""
from __future__ import annotations

import pytest

from prompt_tracking.failures import describe_failure
from prompt_tracking.records import FailureReason as R


@pytest.mark.parametrize("message, reason", [
    # Anti-bot walls block this client's access, whatever status they come with.
    ('Api请求失败，状态码403，响应内容：\n<!DOCTYPE html>\n<html lang="en-US">\n<head>\n    <title>Just a moment...</title>',
     R.AUTHENTICATION),
    ("<html><head><noscript><title>Pardon Our Interruption</title></noscript></head></html>", R.AUTHENTICATION),
    ("Your computer or network may be sending automated queries. We can't process your request right now.",
     R.AUTHENTICATION),
    ("Cloudflare error (errorType 4, message: Cloudflare challenge loop)", R.AUTHENTICATION),
    ("Please complete the CAPTCHA to continue", R.AUTHENTICATION),
    ("获取验证码失败，原因:Open api qps request limit reached", R.RATE_LIMIT),  # an SMS code, not a wall
    # A key or user the service cannot find; "bad_request" is only an envelope.
    ('{"error":{"code":"APIKEY_USER_NOT_FOUND","message":"x"}}', R.AUTHENTICATION),
    ('{"code":"BAD_REQUEST","message":"Invalid credentials"}', R.AUTHENTICATION),
    ('{"err":"No user found."}', R.AUTHENTICATION),
    ("NotAuthorizedException: Incorrect username or password. (Status Code: 400)", R.AUTHENTICATION),
    ('{"code":"BAD_REQUEST","message":"width must be a multiple of 8"}', R.INVALID_PARAMETERS),
    # Interruptions the app did not ask for, in Chinese too; a wrapper word loses to the status beside it.
    ("生成已取消: 客户端连接已断开", R.SERVER_ERROR),
    ("HTTP 401 Operation aborted", R.AUTHENTICATION),
    ("连接失败: 429 Too Many Requests", R.RATE_LIMIT),
    ("Operation aborted", R.SERVER_ERROR),
    # Socket wordings: a refused connection is the cause even inside a retry loop's timeout.
    ("Error: [WinError 10054] 远程主机强迫关闭了一个现有的连接。", R.NETWORK_ERROR),
    ("Timeout of 600.0s exceeded, last exception: 503 failed to connect to all addresses; "
     "ipv4:127.0.0.1:7890: ConnectEx: Connection refused", R.NETWORK_ERROR),
    ("[WinError 10060] 由于连接方在一段时间后没有正确答复或连接的主机没有反应，连接尝试失败。", R.TIMEOUT),
    # A wait of seconds is throttling even when the word is quota; a calendar free limit is a plan limit.
    ('{"detail": "Quota has been exhausted. You can submit the request after 49 seconds"}', R.RATE_LIMIT),
    ("API Error (529 Overloaded) · Retrying in 1 seconds… (attempt 1/10)", R.SERVER_ERROR),
    ("您已超出本月免费请求的限制 (10000)。请注册一个即用即付帐户。", R.QUOTA_EXCEEDED),
    ("Free limit of 50000 events reached.", R.QUOTA_EXCEEDED),
    # Audio and media inputs; an engine that is busy is capacity.
    ('{"status": "error", "error": "Audio duration is too short."}', R.INVALID_PARAMETERS),
    ('{"code": 3, "message": "Invalid audio received"}', R.INVALID_PARAMETERS),
    ("The transcription engine is busy.", R.SERVER_ERROR),
])
def test_fifth_round_families(message, reason):
    assert describe_failure(message).reason is reason
