"""Generalization of the categorizer: names are not causes, near-empty text is not guessed at, new vocabulary,
and the sealed test splits stay out of training and cross-validation."""
from __future__ import annotations

import json

import pytest

from benchmarks import eval_failures
from prompt_tracking.failures import statistical, train
from prompt_tracking.failures.categorize import describe_failure
from prompt_tracking.failures.spans import quiet_spans
from prompt_tracking.records import FailureReason as R


@pytest.mark.parametrize("message", [
    "ERROR: exception in /app/network/timeout_handler.py",
    "Failed: see https://docs.example.com/errors/rate-limits",
    r"Crashed in C:\Users\me\comfy\custom_nodes\quota_guard\nodes.py",
    'Traceback (most recent call last):\n  File "/app/net/retry.py", line 12, in _retry_on_timeout\n'
    "    resp = session.post(url, timeout=30)\nKeyError: 'data'",
    "Error: boom\n    at handleRateLimit (/app/src/limits.js:10:5)\n    at process.processTicksAndRejections (node:internal)",
    "Request {request_id} failed: {timeout}",
    "Exception: Failed to get generation: 'SDXL_0_9' is not a valid SdVersions",
])
def test_cause_words_inside_names_do_not_decide(message):
    assert describe_failure(message).reason is R.UNKNOWN


def test_the_words_around_a_class_repr_still_count():
    # The name's "NetworkTimeout" says nothing; "Unknown message type" says the request was wrong.
    assert describe_failure("Unknown message type <class 'core.entities.NetworkTimeoutMessage'>").reason is R.INVALID_PARAMETERS


def test_a_parameter_name_is_not_read_as_a_code():
    info = describe_failure("InvalidRequestError: Additional properties are not allowed ('request_timeout' was unexpected)")
    assert info.reason is R.INVALID_PARAMETERS
    assert describe_failure("TypeError: generate() got an unexpected keyword argument 'timeout'").reason \
        is R.INVALID_PARAMETERS


def test_the_words_around_a_name_still_count():
    assert describe_failure("429 Too Many Requests for url: https://api.example.com/v1/images").reason is R.RATE_LIMIT
    assert describe_failure('File "/app/x.py", line 3, in run\nTimeoutError: read timed out').reason is R.TIMEOUT
    # Hosts stay evidence for the provider even though URLs are blanked for the phrases.
    info = describe_failure("POST https://api.openai.com/v1/images/generations failed: boom")
    assert (info.reason, info.provider) == (R.UNKNOWN, "openai")


def test_quiet_spans_keeps_length_and_returns_plain_text_untouched():
    plain = "Rate limit exceeded, retry in 2s"
    assert quiet_spans(plain) is plain
    text = "see https://x.io/a/b and /usr/lib/y.py, {var}"
    quiet = quiet_spans(text)
    assert len(quiet) == len(text) and "https" not in quiet and "/usr" not in quiet and "{var}" not in quiet
    assert quiet.startswith("see ") and " and " in quiet


@pytest.mark.parametrize("text", ["Error: undefined", "{}", "null", "Job failed", "Error", "生成失败"])
def test_the_fallback_never_guesses_on_near_empty_text(monkeypatch, text):
    model = statistical.fit(["undefined error job failed null"] * 3 + ["blorp wobble flux"] * 3,
                            ["timeout"] * 3 + ["server_error"] * 3)
    monkeypatch.setattr(statistical, "MIN_PROBABILITY", 0.0)
    statistical.use_model(model)
    try:
        assert statistical.predict(text) is None
        assert statistical.predict("blorp wobble flux") is not None  # two informative words are enough
    finally:
        statistical.reset_model()


@pytest.mark.parametrize(("message", "reason"), [
    ("Insufficient permissions for this operation", R.AUTHENTICATION),
    ("API Key 无效", R.AUTHENTICATION),
    ("Your subscription has expired", R.QUOTA_EXCEEDED),
    ("You have reached your plan's limit", R.QUOTA_EXCEEDED),
    ("Your credits are exhausted", R.QUOTA_EXCEEDED),
    ("任务队列已满，请稍后", R.RATE_LIMIT),
    ("max_parallel_requests limit reached", R.RATE_LIMIT),
    ("图片尺寸不合法", R.INVALID_PARAMETERS),
    ("No active model available for generation", R.INVALID_PARAMETERS),
    ("[WinError 121] The semaphore timeout period has expired", R.NETWORK_ERROR),
    ("System.Net.Sockets.SocketException (10061): No connection could be made", R.NETWORK_ERROR),
    ("No more data centers to forward the request to", R.SERVER_ERROR),
    ("torch.OutOfMemoryError: Allocation on device", R.SERVER_ERROR),
    ("ggml_aligned_malloc: insufficient memory (attempted to allocate 18809.20 MB)", R.SERVER_ERROR),
    ("服务暂不可用", R.SERVER_ERROR),
    ("This request has been blocked by our content filters.", R.CONTENT_FILTER),
    ("Due to abuse prevention, your IP address has been put into timeout for 849 more seconds", R.CONTENT_FILTER),
    ("Generation failed, please check your API key and network connection", R.UNKNOWN),
    ("图像生成失败，请检查API配置和网络连接", R.UNKNOWN),
    ("Connection refused. Please check your API key and network connection.", R.NETWORK_ERROR),  # a stated cause wins
    ("FileNotFoundError: [Errno 2] No such file or directory: 'x.safetensors'", R.INVALID_PARAMETERS),  # not ENOTFOUND
    ("net::ERR_NAME_NOT_RESOLVED", R.NETWORK_ERROR),
    ("TypeError: Load failed", R.NETWORK_ERROR),
    ("The Internet connection appears to be offline.", R.NETWORK_ERROR),
    ("连接已断开", R.NETWORK_ERROR),
    ("RuntimeError: mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)", R.INVALID_PARAMETERS),
    ("PIL.UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f>", R.INVALID_PARAMETERS),
    ("CUDA driver version is insufficient for CUDA runtime version", R.SERVER_ERROR),
    ("当前模型负载较高，请稍后重试", R.SERVER_ERROR),
    ("No available channel for model dall-e-3", R.SERVER_ERROR),
    ("签名错误", R.AUTHENTICATION),
    ("Your API key has been disabled", R.AUTHENTICATION),
    ("调用次数已达上限", R.QUOTA_EXCEEDED),
    ("You've used up your free generations for today", R.QUOTA_EXCEEDED),
    ("Out of tokens", R.QUOTA_EXCEEDED),
    ("You are sending requests too fast", R.RATE_LIMIT),
    ("Current length is 9000 while limit is 8192", R.INVALID_PARAMETERS),
    ("input tokens exceed the configured limit of 272000 tokens", R.INVALID_PARAMETERS),
    ("You exceeded the token limit per minute", R.RATE_LIMIT),  # a window, not a size
    ("Web server is returning an unknown error", R.SERVER_ERROR),
])
def test_wider_vocabulary(message, reason):
    assert describe_failure(message).reason is reason


def test_training_refuses_the_sealed_splits():
    entries = [{"message": "a", "expected": "timeout", "split": split} for split in ("dev", "final5", "final6")]
    assert [e["split"] for e in train.training_entries(entries)] == ["dev"]
    for sealed in ("final5", "final6"):
        with pytest.raises(ValueError):
            train.training_entries(entries, sealed)


def test_cross_validation_reads_dev_only_and_a_sealed_split_is_scored_only_when_asked(tmp_path, monkeypatch, capsys):
    rows = [{"message": f"Rate limit exceeded {i}", "expected": "rate_limit", "provider": f"p{i % 3}",
             "source": "s", "split": "dev"} for i in range(6)]
    rows += [{"message": "Request timed out", "expected": "timeout", "provider": "q", "source": "s", "split": "final7"}]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    monkeypatch.setattr(eval_failures, "MESSAGES", corpus)
    eval_failures.main(["eval"])
    out = capsys.readouterr().out
    assert "on dev: 6 messages" in out and "final7" not in out
    eval_failures.main(["eval", "--final7"])
    out = capsys.readouterr().out
    assert "sealed test set 'final7'" in out and "100.0% on 1 messages" in out


def test_retired_sealed_sets_are_development_data():
    # final..final4 were scored once each; since the sixth round they are trained on and cross-validated.
    entries = eval_failures.load_corpus(eval_failures.MESSAGES)
    dev = train.training_entries(entries)
    assert sum("sealed" in entry for entry in dev) == 408
    assert not any(entry["split"] == "final5" for entry in dev)
    result = eval_failures.evaluate([entry for entry in dev if entry.get("sealed") == "final4"][:5])
    assert result["by_history"]["final4"][1] == 5
