"""The data behind `categorize_failure`: provider codes, message patterns, class names, HTTP statuses.

Every rule carries a priority and the most specific evidence wins: a provider's own error
code (100) beats a message phrase (50-95), which beats an exception class name (20-60),
which beats the bare HTTP status (10). Generic envelope codes such as OpenAI's
`invalid_request_error` type or Google's `INVALID_ARGUMENT` status rank low (30-40) so the
words of the body can override them. Edit the tables here to teach the categorizer a new
provider; `register_failure_rule()` adds rules at run time.
"""
from __future__ import annotations

from prompt_tracking.records import FailureReason as R

PROVIDER_CODE = 100
GENERIC_CODE = 35
HTTP_STATUS = 10

# Provider error codes, matched case-insensitively against whole code tokens found in JSON
# fields (`code`, `type`, `reason`, ...) or code-shaped words of the text
# (`InternalError.Algo.DataInspectionFailed`, `[data_inspection_failed]`). A dotted code is
# also looked up by its last and first segment.
PROVIDER_CODES: dict[R, tuple[str, ...]] = {
    R.CONTENT_FILTER: (
        # Model Studio / DashScope, Volcengine Ark / BytePlus ModelArk
        "DataInspectionFailed", "data_inspection_failed", "InputTextSensitiveContentDetected",
        "InputImageSensitiveContentDetected", "InputVideoSensitiveContentDetected",
        "OutputTextSensitiveContentDetected", "OutputImageSensitiveContentDetected",
        "OutputVideoSensitiveContentDetected", "SensitiveContentDetected", "InputTextRiskDetection",
        "InputImageRiskDetection", "OutputTextRiskDetection", "OutputImageRiskDetection",
        "OutputVideoRiskDetection", "ContentSecurityDetection",
        # OpenAI / Azure, fal, Stability, Google, gateways
        "content_policy_violation", "image_content_policy_violation", "moderation_blocked",
        "ResponsibleAIPolicyViolation", "content_filter", "content_moderation",
        "ContentPolicyViolationError", "PUBLIC_ERROR_UNSAFE_GENERATION", "PUBLIC_ERROR_UNSAFE_CONTENT",
        "PUBLIC_ERROR_UNSAFE_FACE", "PUBLIC_ERROR_UNSAFE_IDENTITY", "invalid_prompts", "SAFETY",
    ),
    R.QUOTA_EXCEEDED: (
        "insufficient_quota", "billing_hard_limit_reached", "AccountOverdueError", "Arrearage",
        "insufficient_user_quota", "insufficient_credits", "insufficient_balance", "budget_exceeded",
        "QuotaExceeded", "quota_exceeded", "SetLimitExceeded", "payment_required",
    ),
    R.RATE_LIMIT: (
        "rate_limit_exceeded", "RateLimitExceeded", "rate_limit_reached_error", "rate_limit_error",
        "Throttling", "Throttling.RateQuota", "Throttling.User", "RequestThrottled", "throttled",
        "too_many_requests", "RateLimitError", "PUBLIC_ERROR_UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC",
    ),
    R.AUTHENTICATION: (
        "invalid_api_key", "api_key_invalid", "API_KEY_INVALID", "AuthenticationError",
        "authentication_error", "InvalidApiKey", "CREDENTIALS_MISSING", "UNAUTHENTICATED",
        "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "permission_error",
    ),
    R.INVALID_PARAMETERS: (
        "InvalidParameter", "MissingParameter", "invalid_size", "invalid_field_value", "invalid_value",
        "invalid_parameter", "InvalidURL", "InvalidImage", "BadRequest.EmptyInput",
        "BadRequest.EmptyParameters", "BadRequest.EmptyModel", "InvalidEndpointOrModel.NotFound",
        "ModelNotOpen", "bad_request", "invalid_image", "image_too_large", "unsupported_image_media_type",
    ),
    R.TIMEOUT: (
        "request_timeout", "startup_timeout", "generation_timeout", "runner_connection_timeout",
        "DEADLINE_EXCEEDED", "timeoutProvider", "GatewayTimeout",
    ),
    R.NETWORK_ERROR: ("runner_connection_refused", "runner_disconnected", "connection_error"),
    R.SERVER_ERROR: (
        "InternalServiceError", "InternalServerError", "INTERNAL_SERVER_ERROR", "ServiceUnavailable",
        "runner_scheduling_failure", "internal_error", "ServerOverloaded",
    ),
    R.CANCELLED: ("CANCELLED", "canceled", "cancelled"),
}

# Envelope codes that only say which family an error belongs to; the body's words win.
GENERIC_CODES: dict[R, tuple[str, ...]] = {
    R.INVALID_PARAMETERS: ("invalid_request_error", "INVALID_ARGUMENT", "BadRequest", "FAILED_PRECONDITION"),
    R.AUTHENTICATION: ("PERMISSION_DENIED", "Forbidden", "Unauthorized"),
    R.RATE_LIMIT: ("RESOURCE_EXHAUSTED",),
    R.SERVER_ERROR: ("server_error", "UNAVAILABLE", "INTERNAL", "api_error", "overloaded_error"),
}

# Message phrases as (pattern, reason, priority); matched case-insensitively on the text.
MESSAGE_PATTERNS: tuple[tuple[str, R, int], ...] = (
    # Content moderation: the provider refused the prompt, an input image or the output.
    (r"\bSAFETY\.(?:INPUT|OUTPUT)\.\w+|public_error_unsafe\w*", R.CONTENT_FILTER, 95),
    (r"content[ _-]?(?:polic(?:y|ies)|moderat\w*|filter(?:ing|ed)?\b|management polic\w*|safety|security)"
     r"|safety (?:system|filters?|check\w*|settings|threshold|polic\w*)|inappropriate content"
     r"|\bnsfw\b|sensitive (?:content|information|words)|responsible ai|\bmoderated\b"
     r"|violat\w* (?:our |the |google's |openai's )?(?:content |usage )?(?:polic\w*|guidelines|terms)"
     r"|flagged (?:by|as|for)|response is blocked|prompt (?:was )?blocked|blocked by (?:our |the )?safety"
     r"|intellectual property|filtered words|prohibited (?:one or more )?words|risk ?detection|raimediafilteredreasons"
     r"|may contain [^.\n]{0,30}?(?:violen\w*|sexual|porn\w*|nudity|severe violation)"
     r"|敏感|违规|违禁|不当内容|内容安全|审核未通过|风险识别", R.CONTENT_FILTER, 90),
    # Out of money or out of a plan's allowance.
    (r"\bquota\b|insufficient[ _](?:credit|balance|fund|quota)\w*|not (?:have )?enough (?:credits?|balance|funds)"
     r"|credit balance is too low|exceeded your [^.\n]{0,30}credits|billing|payment required|top[ _-]?up|exhausted balance"
     r"|balance (?:is )?(?:exhausted|insufficient|too low)|overdue|arrear|good standing|budget (?:has been )?exceeded"
     r"|credits? (?:have|has) been used up|credits have been used|used up|out of credits|can only afford"
     r"|no (?:remaining |more |available )?(?:balance|credits?|funds)\b"
     r"|余额|欠费|额度|充值", R.QUOTA_EXCEEDED, 85),
    # Throttled: too many requests in a window.
    (r"rate[ _-]?limit|too many requests|throttl\w*|requests? per (?:minute|second|min\b)|too quickly"
     r"|too much traffic|concurrency limit|slow down|error code:? 1015|限流|频率|请求过多|请求过于频繁",
     R.RATE_LIMIT, 80),
    # A quota over a short window is throttling, whatever word the provider uses for it.
    (r"resource (?:has been )?exhausted|per[_ ](?:minute|second)(?![a-z])", R.RATE_LIMIT, 86),
    # Credentials or permissions.
    (r"(?:invalid|incorrect|missing|wrong|expired|revoked|not valid)\W+(?:\w+\W+){0,3}?"
     r"(?:api[ _-]?keys?|token|credentials?|ak/sk|signature|authentication)\b"
     r"|(?:api[ _-]?keys?|access token|credentials?|ak/sk)\b[^.\n]{0,40}?"
     r"\b(?:invalid|incorrect|missing|not valid|expired|revoked|not supported|not set|not provided)"
     r"|key is not set|token is not set|no (?:api[ _-]?)?(?:key|token|credentials?) (?:was )?provided"
     r"|unauthori[sz]ed|unauthenticated|not authenticated|authentication (?:failed|error)"
     r"|invalid username or password|user is locked|account (?:is |has been )?(?:locked|suspended|disabled|banned)"
     r"|鉴权|认证失败|校验未通过|无效的api", R.AUTHENTICATION, 75),
    (r"permission denied|access denied|\bforbidden\b|do(?:es)?(?: not|n't) have (?:access|permission)"
     r"|not (?:authorized|allowed) to|无权|没有权限", R.AUTHENTICATION, 58),
    # Cancelled by the user or the app.
    (r"\bcancel(?:l)?ed\b|cancelled by|已取消|用户取消", R.CANCELLED, 70),
    # Took too long.
    (r"timed?[ -]?out|\btimeout\b|deadline exceeded|took too long|超时", R.TIMEOUT, 70),
    # Could not reach the provider at all.
    (r"name or service not known|nodename nor servname|failed to establish a new connection"
     r"|temporary failure in name resolution|getaddrinfo|network is unreachable|no route to host"
     r"|connection (?:refused|reset|aborted|error|closed)|remote end closed|server disconnected"
     r"|eof occurred in violation of protocol|ssl(?:eof)?error|certificate verify failed|\bssl\b"
     r"|proxy error|broken pipe|网络错误|网络异常|网络不可达|连接失败|连接被拒绝|无法连接",
     R.NETWORK_ERROR, 65),
    # Wrong input: parameters, sizes, URLs, models that do not exist.
    (r"invalid (?:parameter|argument|value|url|size|request body|input|format|model|version|field|image|option)s?"
     r"|parameters?\b[^.\n]{0,60}?\b(?:not valid|invalid|missing)|missing (?:one or multiple )?required"
     r"|required (?:input )?(?:parameter|input|argument|field)|is not one of|not supported (?:by|for) this model"
     r"|must be (?:one of|between|at (?:least|most)|less|greater|a |an )|does not exist|\bnot found\b"
     r"|must exist|cannot (?:both )?be (?:empty|none|null|blank)"
     r"|unsupported|too (?:large|long|small)|exceeds the maximum|validation (?:error|failed)"
     r"|unprocessable|malformed|content-type: must be|error while downloading|failed to download"
     r"|参数错误|参数无效|非法参数", R.INVALID_PARAMETERS, 60),
    # The provider broke or is overloaded.
    (r"internal (?:server )?error|server error|the server had an error|service (?:is )?unavailable"
     r"|temporarily unavailable|overloaded|out of memory|bad gateway|high demand|is currently loading|\bunavailable\b"
     r"|error occurred while processing your request|unable to process your prompt"
     r"|服务器错误|服务繁忙|系统繁忙|暂时不可用|内部错误", R.SERVER_ERROR, 55),
)

# Exception class names (from the exception chain, its MRO, or as they read inside a str()).
CLASS_NAMES: dict[R, tuple[tuple[str, ...], int]] = {
    R.CONTENT_FILTER: (("ContentPolicyViolationError", "ContentFilterError", "ContentPolicyError"), 60),
    R.CANCELLED: (("CancelledError", "KeyboardInterrupt", "TaskCancelled", "Cancelled", "AbortError"), 50),
    R.TIMEOUT: (("ReadTimeout", "ConnectTimeout", "WriteTimeout", "PoolTimeout", "Timeout", "TimeoutError",
                 "ReadTimeoutError", "ConnectTimeoutError", "APITimeoutError", "APIConnectionTimeoutError",
                 "DeadlineExceeded", "TimeoutException", "ServerTimeoutError"), 50),
    R.RATE_LIMIT: (("RateLimitError", "TooManyRequests", "RateLimitExceeded"), 45),
    R.AUTHENTICATION: (("AuthenticationError", "PermissionDeniedError", "PermissionDenied",
                        "Unauthenticated", "Unauthorized"), 45),
    R.NETWORK_ERROR: (("ConnectionError", "ConnectError", "APIConnectionError", "NewConnectionError",
                       "MaxRetryError", "ProtocolError", "RemoteProtocolError", "RemoteDisconnected",
                       "ConnectionResetError", "ConnectionRefusedError", "ConnectionAbortedError",
                       "BrokenPipeError", "SSLError", "SSLEOFError", "SSLZeroReturnError", "CertificateError",
                       "gaierror", "URLError", "NetworkError", "ServerDisconnectedError",
                       "ClientConnectorError", "ClientConnectionError", "ProxyError",
                       "ChunkedEncodingError", "IncompleteRead", "NameResolutionError"), 40),
    R.INVALID_PARAMETERS: (("BadRequestError", "UnprocessableEntityError", "NotFoundError",
                            "ValidationError", "ValidationException", "InvalidArgument"), 25),
    R.SERVER_ERROR: (("InternalServerError", "ServiceUnavailable", "ServiceUnavailableError",
                      "BadGateway", "ServerError"), 25),
}

HTTP_STATUSES: dict[R, tuple[int, ...]] = {
    R.INVALID_PARAMETERS: (400, 404, 405, 409, 413, 414, 415, 422),
    R.AUTHENTICATION: (401, 403, 407),
    R.QUOTA_EXCEEDED: (402,),
    R.TIMEOUT: (408, 504, 524, 598),
    R.RATE_LIMIT: (429,),
    R.CANCELLED: (499,),
    R.SERVER_ERROR: (500, 501, 502, 503, 505, 520, 521, 522, 523, 525, 526, 529),
}

# Provider names, recognised from hosts, SDK names, model names or provider-only codes.
PROVIDERS: tuple[tuple[str, str], ...] = (
    # Hosts and SDK names first: a URL is stronger evidence than a model name such as "Wan2.1".
    ("huggingface", r"huggingface|hf_hub|HfHubHTTPError|\bhf\.co\b"),
    ("volcengine_ark", r"volces\.com|volcengine|byteplus|modelark|火山|seedream|seedance|seededit|doubao"
                       r"|AccountOverdueError|SensitiveContentDetected|RiskDetection|CSDRequestId"),
    ("dashscope", r"dashscope|aliyun|alibabacloud|model-studio|bailian|百炼|通义|DataInspection"
                  r"|data_inspection_failed|Arrearage|wanx|\bwan2\.\d|\bqwen"),
    ("replicate", r"replicate|\br8_\w"),
    ("fal", r"\bfal\.(?:ai|run|media)|fal_client|fal-ai|FalException|\bfal\b"),
    ("bfl", r"\bbfl\b|bfl\.(?:ai|ml)|black forest labs|flux[-. ]?(?:1\.1|pro|dev|kontext)"),
    ("runway", r"runway|SAFETY\.(?:INPUT|OUTPUT)"),
    ("stability", r"stability\.ai|stabilityai|stable-image|dreamstudio|stability"),
    ("openrouter", r"openrouter"),
    ("anthropic", r"anthropic"),
    ("google", r"googleapis|generativelanguage|aiplatform|vertex|gemini|imagen|\bveo\b|google\.rpc|raiMediaFiltered|google"),
    ("openai", r"openai|dall-?e|gpt-image|insufficient_quota|billing_hard_limit_reached|\bsk-proj"),
)
