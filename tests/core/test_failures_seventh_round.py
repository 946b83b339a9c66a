"""Seventh round: Korean and Japanese wordings, more Chinese key wordings, SDK timeouts, missing tools.

Each case is a variant nobody here collected (not a corpus message): the families must hold on
wordings they were not written from. Every case in the first table failed on the sixth round's
rules (most were answered `unknown`); the second table checks that the new families did not take
over what the older ones already said.
"""
from __future__ import annotations

import pytest

from prompt_tracking.failures.categorize import describe_failure
from prompt_tracking.records import FailureReason as R


@pytest.mark.parametrize("message, reason", [
    # Korean error-table wordings.
    ("인증에 실패했습니다. 키를 확인하세요", R.AUTHENTICATION),
    ("API 키가 유효하지 않습니다: sk-***", R.AUTHENTICATION),
    ("해당 리소스에 접근 권한이 없습니다", R.AUTHENTICATION),
    ("요청이 너무 많습니다. 잠시 후 다시 시도하세요", R.RATE_LIMIT),
    ("잔액이 부족합니다. 충전 후 이용하세요", R.QUOTA_EXCEEDED),
    ("월간 사용 한도를 초과했습니다", R.QUOTA_EXCEEDED),
    ("요청 한도 초과", R.RATE_LIMIT),  # a request-rate word beside 한도 초과 is throttling
    ("요청 시간이 초과되었습니다", R.TIMEOUT),
    ("서버 오류가 발생했습니다", R.SERVER_ERROR),
    ("잘못된 파라미터입니다: width", R.INVALID_PARAMETERS),
    ("필수 항목 prompt가 누락되었습니다", R.INVALID_PARAMETERS),
    ("작업이 취소되었습니다", R.CANCELLED),
    # Japanese wordings.
    ("認証に失敗しました", R.AUTHENTICATION),
    ("APIキーが正しくありません", R.AUTHENTICATION),
    ("レート制限に達しました。しばらくしてから再試行してください", R.RATE_LIMIT),
    ("残高不足のため画像を生成できません", R.QUOTA_EXCEEDED),
    ("リクエストがタイムアウトしました", R.TIMEOUT),
    ("サーバーエラーが発生しました", R.SERVER_ERROR),
    ("不正なパラメータ: size", R.INVALID_PARAMETERS),
    ("サーバーが混雑しています", R.SERVER_ERROR),
    # Chinese key and account wordings.
    ("apikey 不符合要求", R.AUTHENTICATION),
    ("Token非法，请重新获取", R.AUTHENTICATION),
    ("账号已被冻结，请联系管理员", R.AUTHENTICATION),
    ("not found this token in the pool", R.AUTHENTICATION),
    # .NET and Go: a request "canceled" by the client's own timeout took too long.
    ("System.Threading.Tasks.TaskCanceledException: The operation was canceled due to the configured "
     "HttpClient.Timeout of 30 seconds elapsing.", R.TIMEOUT),
    ('Post "http://localhost:11434/api/generate": net/http: request canceled '
     "(Client.Timeout exceeded while awaiting headers)", R.TIMEOUT),
    # A missing executable, with or without backticks, is the engine's dependency, not the request.
    ("RuntimeError: `ffprobe` not found. Install it first", R.SERVER_ERROR),
    ("/bin/sh: 1: sox: not found", R.SERVER_ERROR),
    # Capacity under a 403; concurrency stated as counts in use.
    ("403 Forbidden: the model is over capacity, try again later", R.SERVER_ERROR),
    ("20 sessions currently in use, max allowed is 20", R.RATE_LIMIT),
])
def test_seventh_round_families(message: str, reason: R) -> None:
    assert describe_failure(message).reason is reason


@pytest.mark.parametrize("message, reason", [
    ("Generation cancelled by user", R.CANCELLED),
    ("A task was canceled.", R.CANCELLED),
    ("Request timed out after 30 s", R.TIMEOUT),
    ("HTTP 403: 인증 실패", R.AUTHENTICATION),
    ("maximum of 4 images allowed", R.INVALID_PARAMETERS),  # a count of inputs, not concurrency
    ("File not found: model.safetensors", R.INVALID_PARAMETERS),
])
def test_older_families_still_decide(message: str, reason: R) -> None:
    assert describe_failure(message).reason is reason
