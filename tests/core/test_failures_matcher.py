"""The trigger-indexed matcher, the Python-repr reader and the vocabulary added for general wording."""
from __future__ import annotations

import random
import re

import pytest

from benchmarks.eval_failures import MESSAGES, load_corpus
from prompt_tracking.failures import rules
from prompt_tracking.failures.categorize import describe_failure
from prompt_tracking.failures.evidence import _python_to_json, gather_evidence
from prompt_tracking.failures.matcher import Matcher, TriggerScan, required_literals
from prompt_tracking.records import FailureReason as R

DEV = [entry["message"] for entry in load_corpus(MESSAGES) if entry.get("split") == "dev"]


@pytest.mark.parametrize(("branch", "literals"), [
    (r"insufficient[ _](?:credit|balance)", ("insufficient",)),
    (r"(?:task |job |request )?queue is full", ("queue is full",)),
    (r"do(?:es)? not support", ("not support",)),
    (r"\bai\.run\b", ("ai.run",)),
    (r"(?:no|any|out of) (?:\w+ ){0,2}(?:credits?|kudos|anlas)\b", ("credit", "kudos", "anlas")),
    (r"(?:please )?try again(?: later)?\W*$", ("try again",)),
    (r"\bmj\b", ()),  # too short to be selective: the branch always runs
    (r"[^.\n]{0,30}foo", ("foo",)),
    (r"a+bc", ("abc",)),
    (r"per[_ ](?:minute|second)(?![a-z])", ("minute", "second")),
])
def test_required_literals_are_ones_every_match_contains(branch, literals):
    assert required_literals(branch) == literals


def test_trigger_scan_finds_overlapping_nested_and_chinese_literals():
    scan = TriggerScan({"rate limit", "limit exceeded", "abc", "abcd", "bcx", "余额", "额度", "欠费", "费"})
    found = scan.find("rate limit exceeded zabcdx 余额不足 额度 bcx 欠费")
    # "abc" hides inside "abcd" (implied by it); everything else is reported where it starts.
    assert sorted(found) == sorted(["rate limit", "limit exceeded", "abcd", "bcx", "余额", "额度", "欠费", "费"])
    assert scan.find("nothing here") == []


def _naive_first_key(patterns: list[tuple[object, str]], text: str, flags: int) -> object:
    for key, pattern in patterns:
        lowered = re.sub(r"\\.|[A-Z]", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(), pattern)
        if re.search(lowered, text, flags):
            return key
    return None


@pytest.mark.parametrize("table", ["phrases", "providers"])
def test_trigger_index_never_changes_which_rule_wins(table):
    """The index only skips branches that cannot match: same winner as trying every pattern in order."""
    if table == "phrases":
        ordered = sorted(rules.MESSAGE_PATTERNS, key=lambda rule: -rule[2])
        patterns: list[tuple[object, str]] = [((prio, reason), pattern) for pattern, reason, prio in ordered]
    else:
        patterns = list(rules.PROVIDERS)
    matcher = Matcher(patterns, re.ASCII)
    rng = random.Random(16)
    words = [word for _, pattern in patterns for word in re.findall(r"[a-z\u4e00-\u9fff]{2,}", pattern.lower())]
    texts = [message.lower() for message in DEV]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(400)]
    for text in texts:
        assert matcher.first_key(text) == _naive_first_key(patterns, text, re.ASCII), text


def test_python_repr_conversion_keeps_offsets_and_reads_codes():
    text = "x {'a': 'it\\'s \"q\"', 'b': (1, None), \"c\": \"don't\", 'd': True}"
    assert len(_python_to_json(text)) == len(text)
    evidence = gather_evidence("Error 400: {'error': {'code': 400, 'message': 'API key not valid.\nPlease pass a valid "
                               "key.', 'status': 'INVALID_ARGUMENT', 'retry': None, 'details': ({'reason': "
                               "'API_KEY_INVALID', 'ok': False},)}}")
    assert evidence.codes == ["INVALID_ARGUMENT", "API_KEY_INVALID"] and evidence.statuses == [400]


def test_truncated_reprs_and_open_strings_are_survived():
    body = "{'error': {'message': \"" + 'a \\"quoted\\" word ' * 300 + "', 'code': 'x"
    info = describe_failure("429 " + body)
    assert info.reason is R.RATE_LIMIT and info.http_status == 429


@pytest.mark.parametrize(("message", "reason"), [
    # An envelope type names a family; the body's words decide.
    ('Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"Engine overloaded, retry"}}',
     R.SERVER_ERROR),
    ('{"error":{"type":"rate_limit_error","message":"Your credit balance is too low"}}', R.QUOTA_EXCEEDED),
    # Hints about billing do not outweigh the reason itself.
    ("Rate limit reached for requests per min. Visit https://example.com/account/billing to raise it", R.RATE_LIMIT),
    ("Your weekly generation limit has been reached", R.QUOTA_EXCEEDED),
    ("Usage limit reached; it will reset in 5 hours", R.QUOTA_EXCEEDED),
    ("Your quota will reset after 3s", R.RATE_LIMIT),
    ("429 Too many tokens, please wait before trying again.", R.RATE_LIMIT),
    # Structured evidence: finish reasons, AWS exception names, keyed status numbers.
    ('{"candidates": [{"finishReason": "PROHIBITED_CONTENT"}]}', R.CONTENT_FILTER),
    ("botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) when calling the "
     "InvokeModel operation", R.AUTHENTICATION),
    ("An error occurred (ServiceQuotaExceededException) when calling the CreateJob operation", R.QUOTA_EXCEEDED),
    ("Response{protocol=http/1.1, code=503, message=, url=https://api.example.com/v1/images}", R.SERVER_ERROR),
    ("socket.gaierror: [Errno -3] Try again", R.NETWORK_ERROR),
    # Wording families.
    ("TypeError: Images.create() got an unexpected keyword argument 'style'", R.INVALID_PARAMETERS),
    ("models/imagen-2 is no longer available, please migrate", R.INVALID_PARAMETERS),
    ("The requested size is invalid for this model", R.INVALID_PARAMETERS),
    ("Could not parse the request body as JSON", R.INVALID_PARAMETERS),
    ("Sequence length is longer than the specified maximum (300 > 77)", R.INVALID_PARAMETERS),
    ("ValueError: Error raised by service: You don't have access to the model with the specified model ID.",
     R.AUTHENTICATION),
    ("You do not have a valid Example API key set", R.AUTHENTICATION),
    ("The input was considered high\n risk and rejected", R.CONTENT_FILTER),
    ("图片内容涉敏，请修改", R.CONTENT_FILTER),
    ("The origin server timed out before responding, maybe because it is overloaded", R.TIMEOUT),
    ("RuntimeError: Expected all tensors to be on the same device, but found cuda:0 and cpu", R.SERVER_ERROR),
])
def test_general_wording_maps_to_its_reason(message, reason):
    assert describe_failure(message).reason is reason


@pytest.mark.parametrize(("message", "provider"), [
    ("绘图失败：请检查Bing cookie", "bing"),
    ("ValueError: Ollama call failed with status code 404. Details: model 'mistral:7b' not found", "ollama"),
    ("litellm.RateLimitError: GroqException - Rate limit reached for model llama-3", "groq"),
    ("litellm.BadRequestError: AzureException - The response was filtered", "azure_openai"),
    ("You have used up your daily free allocation of 10,000 neurons", "cloudflare_workers_ai"),
])
def test_provider_is_the_one_that_answered(message, provider):
    assert describe_failure(message).provider == provider
