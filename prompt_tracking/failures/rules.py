"""The data behind `categorize_failure`: provider codes, message patterns, class names, HTTP statuses.

Every rule carries a priority and the most specific evidence wins: a provider's own error
code (100) beats a message phrase (50-95), which beats an exception class name (20-60),
which beats the bare HTTP status (10). Generic envelope codes such as OpenAI's
`invalid_request_error` type or Google's `INVALID_ARGUMENT` status rank low (30-40) so the
words of the body can override them. Edit the tables here to teach the categorizer a new
provider; `register_failure_rule()` adds rules at run time.
"""
from __future__ import annotations

from prompt_tracking.failures.phrases_intl import INTL_PATTERNS
from prompt_tracking.records import FailureReason as R

PROVIDER_CODE = 100
GENERIC_CODE = 35
HTTP_STATUS = 10
# Wrappers ("Internal server error", an `InternalServerError` class or envelope) say only that a layer
# failed; they rank below the HTTP status, so the cause inside them (a 401, a 429, a phrase) decides.
WRAPPER = 9

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
        # Gemini / Imagen finish and block reasons
        "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_PROHIBITED_CONTENT",
        "BLOCKED_REASON_UNSPECIFIED", "IMAGE_RECITATION",
        # AWS Bedrock guardrails
        "GUARDRAIL_INTERVENED",
    ),
    R.QUOTA_EXCEEDED: (
        "insufficient_quota", "billing_hard_limit_reached", "AccountOverdueError", "Arrearage",
        "insufficient_user_quota", "insufficient_credits", "insufficient_balance", "budget_exceeded",
        "QuotaExceeded", "quota_exceeded", "SetLimitExceeded", "payment_required",
        "exceeded_current_quota_error", "ServiceQuotaExceededException", "insufficient_funds",
    ),
    R.RATE_LIMIT: (
        "RateLimitExceeded", "rate_limit_reached_error",
        "Throttling", "ThrottlingException", "Throttling.RateQuota", "Throttling.User", "RequestThrottled", "throttled",
        "PUBLIC_ERROR_UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC",
    ),
    R.AUTHENTICATION: (
        "invalid_api_key", "api_key_invalid", "API_KEY_INVALID", "AuthenticationError",
        "authentication_error", "InvalidApiKey", "CREDENTIALS_MISSING", "UNAUTHENTICATED",
        "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ModelNotOpen",
        "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
        "ExpiredTokenException", "IncompleteSignature", "MissingAuthenticationToken", "NotAuthorizedException",
    ),
    R.INVALID_PARAMETERS: (
        "InvalidParameter", "MissingParameter", "invalid_size", "invalid_field_value", "invalid_value",
        "invalid_parameter", "InvalidURL", "InvalidImage", "BadRequest.EmptyInput",
        "BadRequest.EmptyParameters", "BadRequest.EmptyModel", "InvalidEndpointOrModel.NotFound",
        "invalid_image", "image_too_large", "unsupported_image_media_type",
        "ResourceNotFoundException", "model_not_found", "context_length_exceeded",
    ),
    R.TIMEOUT: (
        "request_timeout", "startup_timeout", "generation_timeout", "runner_connection_timeout",
        "DEADLINE_EXCEEDED", "timeoutProvider", "GatewayTimeout", "ModelTimeoutException",
    ),
    R.NETWORK_ERROR: ("runner_connection_refused", "runner_disconnected", "connection_error"),
    R.SERVER_ERROR: ("runner_scheduling_failure", "ServerOverloaded", "ModelErrorException", "ModelNotReadyException",
                     "model_load_failed"),
    R.CANCELLED: ("CANCELLED", "canceled", "cancelled"),
}

# Envelope codes that only say which family an error belongs to; the body's words win.
GENERIC_CODES: dict[R, tuple[str, ...]] = {
    R.INVALID_PARAMETERS: ("invalid_request_error", "INVALID_ARGUMENT", "BadRequest", "FAILED_PRECONDITION",
                           "ValidationException", "OUT_OF_RANGE", "NOT_FOUND",
                           "bad_request"),
    R.AUTHENTICATION: ("PERMISSION_DENIED", "Forbidden", "Unauthorized", "permission_error", "authentication_error"),
    R.RATE_LIMIT: ("RESOURCE_EXHAUSTED", "rate_limit_exceeded", "rate_limit_error", "RateLimitError",
                   "too_many_requests"),
    R.SERVER_ERROR: ("overloaded_error", "DATA_LOSS"),
}

# Envelopes that only say some layer failed: they decide only when nothing more specific is there.
WRAPPER_CODES: dict[R, tuple[str, ...]] = {
    R.SERVER_ERROR: ("server_error", "UNAVAILABLE", "INTERNAL", "api_error", "UNKNOWN", "InternalServiceError",
                     "InternalServerError", "INTERNAL_SERVER_ERROR", "ServiceUnavailable", "internal_error",
                     "ServiceUnavailableException", "InternalServerException", "system_error", "upstream_error"),
}

# Message phrases as (pattern, reason, priority); matched case-insensitively on the text. Each
# family is general vocabulary for its reason (English and Chinese), not one phrase per message.
# Priorities settle overlaps: specific money words beat "rate limit", capacity words beat a 429's
# wording, a size limit beats "resource exhausted", an interruption beats "canceled".
MESSAGE_PATTERNS: tuple[tuple[str, R, int], ...] = (
    # Content moderation: the provider refused the prompt, an input image or the output.
    (r"\bSAFETY\.(?:INPUT|OUTPUT)\.\w+|public_error_unsafe\w*", R.CONTENT_FILTER, 95),
    (r"content[ _-]?(?:polic(?:y|ies)|moderat\w*|filter(?:s|ing|ed)?\b|management polic\w*|safety|security|exists risk)"
     r"|safety (?:system|filters?|check\w*|settings|threshold|polic\w*|review|reasons?|guidelines|standards)"
     r"|inappropriate|\bnsfw\b|(?<![a-z])sensitive(?![a-z])|block_?reason|responsible ai|\bmoderat(?:ed|ion|ors?|e)\b|guardrail"
     r"|violat\w* (?:our |the |google's |openai's )?(?:content |usage |community )?(?:polic\w*|guidelines|terms|rules)"
     r"|against (?:our |the )?(?:community|content|usage) (?:standards|guidelines|polic\w*)|community standards"
     r"|flagged (?:by|as|for)|\bflagged\b|response (?:is|was) blocked|prompt (?:was |is |has been )?(?:blocked|rejected)"
     r"|blocked by (?:our |the )?(?:safety|bing|moderation|filter)|blocked (?:prompt|content|image)|\bcensor(?:ed|ship)?\b"
     r"|intellectual property|filtered words|prohibited (?:one or more )?(?:words|content)|risk ?detection"
     r"|raimediafilteredreasons|(?:word|term|prompt) \S+ is banned|\bbanned (?:words?|prompts?|terms?)\b"
     r"|may contain [^.\n]{0,30}?(?:violen\w*|sexual|porn\w*|nudity|severe violation)|\b(?:csam|unsafe content)\b"
     r"|(?:considered|deemed|classified as|judged|assessed as)\s(?:\w+\s)?(?:high[\s-]+risk|risky|unsafe|harmful|offensive)"
     r"|\bhigh[\s-]risk (?:content|prompt|input|request)|harmful content|image_safety|prohibited_content"
     r"|abuse (?:prevention|detect\w*|filter\w*)|detected (?:as )?abus\w*"
     r"|涉敏|敏感|违规|违禁|不当内容|内容安全|审核未通过|审核不通过|审核失败|不合规|合规问题|安全策略|风险识别|涉黄|涉政|色情|暴力|(?:已)?被(?:阻止|拦截|屏蔽)", R.CONTENT_FILTER, 90),
    # Out of money, credit or a plan's allowance.
    (r"insufficient[ _](?:credit|balance|fund|quota|points|account)\w*|not (?:have )?enough (?:credits?|balance|funds|points|kudos)"
     r"|credit balance|exceed(?:s|ed)? your (?:current )?(?:quota|[^.\n]{0,30}credits)|payment required|top[ _-]?up"
     r"|exhausted balance|balance (?:is )?(?:exhausted|insufficient|too low|not enough)|overdue|arrear|good standing"
     r"|budget (?:has been )?exceeded|(?:spending|usage|plan|monthly|daily|weekly|task) (?:\w+ )?(?:limit|cap|quota)\b[^.\n]{0,20}"
     r"(?:reached|exceeded|hit)|(?:reached|exceeded|hit) (?:your |the |its )?(?:monthly |daily |plan(?:'s)? |usage |spending )+"
     r"(?:limit|cap|quota)|used (?:all|up)[^.\n]{0,30}(?:credits?|quota|allowance|allocation|generations?|images?|requests|tokens|runs|uses)\b"
     r"|out of (?:tokens|points|coins|gems)\b|(?:次数|额度|用量)[^，。\n]{0,4}(?:上限|用完|用尽|超限|不足)|credits? (?:have|has) been used"
     r"|(?:no|any|enough|out of|purchase|buy|add|more|remaining|zero) (?:\w+ ){0,2}(?:credits?|kudos|anlas)\b"
     r"|\bkudos\b|can only afford|no (?:remaining |more |available )?(?:balance|funds)\b|allowance (?:has been )?exhausted"
     r"|pkgexhausted|quota (?:has been |is )?(?:exceeded|exhausted|used up|reached)|out of quota|quota_exceeded"
     r"|free (?:tier|trial)[^.\n]{0,30}(?:ended|expired|exhausted|used)|trial (?:has )?(?:ended|expired)|upgrade (?:your )?plan"
     r"|credits? (?:(?:are|is|have been|has been) )?(?:exhausted|depleted|used up|insufficient|expired)"
     r"|(?:subscription|membership|plan) (?:has )?(?:expired|ended|lapsed)"
     r"|extra usage (?:is )?required|(?:active|valid),? paid subscription|requires? (?:a )?(?:paid|pro|plus|premium|higher) (?:plan|tier|subscription)|service (?:is |has been )?suspended|gpu quota|tokens\.total|余额|欠费|额度|充值|积分不足|点数不足|用量上限|套餐|已用完|已用尽|配额", R.QUOTA_EXCEEDED, 88),
    (r"\bquota\b", R.QUOTA_EXCEEDED, 78),
    # A limit that resets in hours or days is an allowance, not throttling (which resets in seconds).
    (r"(?:quota|limit|allowance|usage) (?:will )?(?:be )?resets? (?:after|in) (?:\d+ ?(?:d|h|days?|hours?|hrs?)\b|\d+h\d|tomorrow)",
     R.QUOTA_EXCEEDED, 90),
    # Money words that come as hints ("see your plan and billing details"): any stronger word wins.
    (r"billing|upgrade (?:your )?(?:plan|tier|account)|payment method|add (?:a )?payment", R.QUOTA_EXCEEDED, 76),
    # The provider is out of capacity: a 429 or 503 that is not about this caller's usage.
    (r"overloaded|no capacity|out of capacity|capacity (?:exhausted|exceeded|reached|issue|constraints?)"
     r"|insufficient (?:\w+ )?capacity|at capacity|over[ -]?capacity"
     r"|high demand|heavy (?:load|traffic)|(?:server|engine|service|system|backend|worker|gpu)s? (?:are|is) (?:currently )?busy"
     r"|try again later[^\n]{0,10}overload"
     r"|no (?:more |available |free |idle )?(?:data ?centers?|servers?|workers?|nodes?|gpus?|instances?|regions?)"
     r" (?:available|left|to (?:forward|route|serve|handle|run))"
     r"|no available (?:\w+ )?(?:channels?|accounts?)|(?:channels?|accounts?) (?:are )?(?:all )?(?:busy|exhausted)"
     r"|model (?:is )?busy|busy, (?:please )?retry|high traffic|hardware capacity|负载(?:已)?饱和|上游负载|服务繁忙|系统繁忙|负载过高|负载较高|资源不足|算力不足|无可用渠道|开小差", R.SERVER_ERROR, 87),
    # Throttled: too many requests in a window, or too many at once.
    (r"rate[ _-]?limit|too many (?:requests|concurrent|tasks|jobs|pending|tokens)|throttl\w*|requests? per (?:minute|second|min\b)"
     r"|(?:please )?wait (?:a (?:moment|minute|bit|while) )?before (?:trying|retrying|sending|making)"
     r"|too quickly|too fast|too frequent(?:ly)?\b|too much traffic|concurren(?:cy|t)\w*[^.\n]{0,40}(?:limit|exceed|maximum|max|reached|allowed)"
     r"|(?:maximum|max|limit)[^.\n]{0,30}concurren\w*"
     r"|(?:parallel|simultaneous)[ _](?:requests?|tasks?|jobs?|generations?|connections?)[^.\n]{0,20}(?:limit|exceed|maximum|max|reached|allowed)"
     r"|too many (?:parallel|simultaneous)|(?:task |job |request )?queue is full|queue (?:full|limit)"
     r"|slow down|try again in \d+(?:\.\d+)?\s*(?:s|ms|sec|seconds?|minutes?)\b|reset after \d|retry after \d"
     r"|toomanyrequests|error code:? 1015|\bfrequent (?:operations?|requests?|calls?|access)\b|\b(?:rpm|tpm|qps|rps)\b|限流|频率|频繁|请求过多|并发|访问过快|队列已满|排队已满|队列满",
     R.RATE_LIMIT, 80),
    # A quota over a short window is throttling, whatever word the provider uses for it: so is one that
    # asks the caller to come back in a few seconds.
    (r"per[_ ](?:minute|second)(?![a-z])|quota will reset"
     r"|(?:submit|send|resend|make) (?:the |a |another |your )?(?:next )?(?:request|call)s?[^.\n]{0,20}?(?:after|in) \d+(?:\.\d+)?\s?(?:ms|s|secs?|seconds?)\b",
     R.RATE_LIMIT, 89),
    # A free or calendar allowance that ran out ("本月免费请求的限制", "free requests limit") is a plan limit.
    (r"(?:本月|每月|当月|今日|今天|每日|每天|本日)[^，。\n]{0,10}(?:限制|上限|次数|额度)"
     r"|(?:exceeded|reached|hit) (?:the |your )?(?:\w+ ){0,3}?free (?:\w+ )?(?:limit|quota|allowance)"
     r"|free (?:\w+ )?limit of \d+", R.QUOTA_EXCEEDED, 88),
    (r"resource (?:has been )?exhausted|用量受限", R.RATE_LIMIT, 86),
    # A request or message over a size limit is a bad input, even when gRPC calls it RESOURCE_EXHAUSTED.
    (r"larger than (?:the )?max|request too large|payload too large|exceeds? (?:the )?(?:maximum|max|model(?:'s)? limit|limit of)"
     r"|message (?:size )?exceeds|too long for|prompt is too long|maximum context length"
     r"|longer than (?:the )?(?:specified )?max|longer than the model's|context (?:length|window|size|limit) (?:is )?exceeded"
     r"|(?:exceeds?|exceeded|over) (?:the )?(?:\w+ )?(?:context|input) (?:length|window|size|limit)"
     r"|tokens? exceeds? the (?:configured |maximum )?limit(?![^.\n]{0,30}per (?:min|sec|hour|day))"
     r"|current length is \d+ while limit|maximum input length|max(?:imum)? is \d+,? got \d+"
     r"|(?:cannot|can't|must not|may not|should not) exceed \d+(?![^.\n]{0,30}per (?:min|sec|hour|day))"
     r"|(?:because of|due to|exceeds?|exceeded|over) (?:the )?(?:\w+ )?token limit(?![^.\n]{0,30}per (?:min|sec|hour|day))|too many tokens in (?:batch|request|input|prompt|the)",
     R.INVALID_PARAMETERS, 90),
    # Credentials, account access or permissions.
    (r"(?:invalid|incorrect|missing|(?<!went )wrong|expired|revoked|not valid|no valid|bad|illegal)\W+(?:\w+\W+){0,3}?"
     r"(?:api[ _-]?keys?|keys?|token|credentials?|ak/sk|signature|authentication|cookie|secret|app[ _-]?(?:id|key|secret)"
     r"|client[ _-]?(?:id|secret)|access[ _-]?key(?:[ _-]?id)?)\b"
     r"|\b(?:api[ _-]?key|token|credentials?|secret|ak/sk|app[ _-]?(?:id|key))s? (?:cannot|can't|must not|may not|should not) be"
     r" (?:empty|blank|null|none)"
     r"|(?:api[ _-]?keys?|access token|auth token|credentials?|ak/sk|secret key)\b[^.\n]{0,40}?"
     r"\b(?:invalid|incorrect|missing|not valid|expired|revoked|not supported|not set|not provided|not found|required)"
     r"|(?:key|token) (?:is |was )?not (?:set|provided|configured)|no (?:api[ _-]?)?(?:key|token|credentials?) (?:was )?(?:provided|found|set)"
     r"|(?:not|n't) have a valid\W+(?:\w+\W+){0,2}?(?:api[ _-]?keys?|keys?|token|credentials?|subscription)\b"
     r"|(?:must|need to) be set|client option must be set"
     r"|unauthori[sz]ed|unauthenticated|not authenticated|(?:authentication|authorization|auth|certification|login|sign[ -]?in) (?:failed|error|required)"
     r"|failed to authenticate|invalid username or password|user is locked"
     r"|(?:account|api[ _-]?key|key|token) (?:is |has been )?(?:locked|suspended|disabled|banned|deactivated|blocked)"
     r"|must be verified|verify (?:your )?organi[sz]ation|not (?:been )?activated|not (?:yet )?enabled for|has not agreed"
     r"|(?:api[ _-]?key|key|token|apikey)\s?(?:无效|错误|不正确|已过期|过期|已失效|失效)"
     r"|(?:update|refresh|renew|re-?enter|regenerate|rotate) (?:your |the )?(?:\w+ )?(?:cookie|session|token|api[ _-]?key|credentials?)"
     r"|failed to (?:get|obtain|refresh|fetch) (?:a |the |an )?(?:session|access token|auth token|token|credentials?)"
     r"|(?:made|used|called) with (?:a |an )?(?:session|secret|publishable|restricted) key"
     r"|(?:does not|did not|has not|hasn't|doesn't) (?:open|activate|enable|subscribe)[^.\n]{0,30}\bservice|not subscribed to"
     r"|授权失败|开通服务|请先开通|未开通|缺少权限|权限不足|\bak ?不合法|签名[^，。\n]{0,4}(?:不正确|错误)"
     r"|签名(?:错误|无效|不匹配|验证失败|校验失败)|鉴权|认证失败|校验未通过|无效的api|未授权|密钥|令牌|未登录|登录(?:已)?(?:失效|过期)|请(?:先)?登录", R.AUTHENTICATION, 75),
    (r"permission denied|access denied|access is denied|\bforbidden\b|do(?:es)?(?: not|n't) have (?:access|permission)"
     r"|not allowed to (?:use|access|sample|call|query) (?:from )?(?:this|the) model|not authorized to perform"
     r"|not (?:authorized|allowed|permitted) to|no (?:access|permission) to"
     r"|insufficient (?:permissions?|privileges?|scopes?|access rights)|无权|没有权限", R.AUTHENTICATION, 58),
    # Anti-bot walls (Cloudflare challenge pages, captchas, "automated queries") block this client's
    # access: it must pass a check or change how it connects, as with a captcha on the account.
    (r"just a moment\.\.\.|checking your browser|attention required!? \| cloudflare|cf[-_]chl|challenge[- ](?:page|loop|platform|form|error)"
     r"|\bcaptcha\b|recaptcha|hcaptcha|turnstile|pardon our interruption|(?:sending|detected) automated (?:queries|requests|traffic)"
     r"|verify (?:that )?you are (?:a )?human|are you a robot|bot (?:detected|detection|protection)|人机验证"
     r"|enable javascript and cookies to continue", R.AUTHENTICATION, 82),
    # A key or user the service cannot find: the credential maps to no account.
    (r"\b(?:api_?key|key|token|user|account)_(?:user_)?not_found\b|\bno user (?:was )?found\b"
     r"|\buser (?:with |for )?(?:\S+ ){0,6}?not found\b|(?:invalid|incorrect|wrong) (?:username|user name|email|login) or password"
     r"|\b(?:account|user|api[ _-]?key|app[ _-]?id)s? (?:does not|doesn't|do not|not) exist\b"
     # An account the service has not verified or entitled: the account must be fixed, not the request.
     r"|(?:real[ _-]?name|identity|enterprise|kyc|account) verification (?:is )?(?:not completed|incomplete|required|pending|failed)"
     r"|\bentitlement\b|not entitled|实名认证",
     R.AUTHENTICATION, 76),
    # A credential variable named in an error (SUNO_COOKIE, OPENAI_API_KEY) is what needs fixing.
    (r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*_(?:api_?key|api_token|access_token|auth_token|cookie|secret(?:_key)?|access_key(?:_id)?)\b",
     R.AUTHENTICATION, 74),
    # A value of the wrong type is a bad request, even when the field is called "token".
    (r"invalid type (?:on|for|of)\b|expect(?:ed|s)? (?:it )?to be (?:a |an )?(?:string|str|integer|int|number|float|boolean|bool|array|list|object|dict)\b",
     R.INVALID_PARAMETERS, 76),
    # Interrupted mid-run by the client, a proxy or a worker: a broken run, not a deliberate cancel.
    (r"context cancel(?:l)?ed|processing interrupted|interrupt(?:ing|ed)? (?:prompt|processing|execution)"
     r"|interruptprocessingexception|client (?:has )?(?:disconnected|closed|gone)|aborted by (?:the )?client"
     r"|\bcode = cancel(?:l)?ed\b"  # a Go gRPC call whose context was cancelled under it
     r"|客户端(?:连接)?(?:已)?(?:断开|关闭)|连接(?:已)?中断", R.SERVER_ERROR, 72),
    # "Operation aborted" or "连接失败" only say a layer gave up: a status or cause beside them decides.
    (r"(?:operation|request) (?:was )?aborted|连接失败", R.SERVER_ERROR, WRAPPER),
    # Cancelled by the user or the app.
    (r"\bcancel(?:l)?ed\b|cancelled by|已取消|用户取消", R.CANCELLED, 70),
    # Took too long.
    (r"gateway time-?out|deadline (?:exceeded|expired)|(?:server|origin|upstream|backend|worker) (?:\w+ )?timed out", R.TIMEOUT, 91),
    (r"timed?[ -]?out|\btimeout\b|took too long|too long to (?:respond|complete)|超时"
     r"|did not properly respond after a period of time|没有正确答复|没有反应，连接尝试失败", R.TIMEOUT, 70),
    # Could not reach the provider at all.
    (r"semaphore timeout period|connection refused|actively refused|积极拒绝|连接被拒绝|forcibly closed|强迫关闭", R.NETWORK_ERROR, 72),
    (r"name or service not known|no connection could be made|nodename nor servname|failed to establish a new connection|failed host lookup"
     r"|temporary failure in name resolution|getaddrinfo|network is unreachable|no route to host|host lookup"
     r"|connection (?:refused|reset|aborted|error|closed|failed|timed)|remote end closed|server disconnected"
     r"|(?:failed|unable|could not|couldn't|can't|cannot) (?:to )?connect|connect(?:ion)? failed|io exception"
     r"|eof occurred in violation of protocol|ssl(?:eof)?error|certificate verify failed|\bssl\b|\btls\b"
     r"|proxy error|broken pipe|socket hang up|\beconn\w+|\benotfound\b|\beai_again\b|network (?:error|request failed|failure)"
     r"|net::err_\w+|internet connection (?:appears to be )?offline|not connected to the internet|no internet"
     r"|hostname could not be found|could not resolve host|unknown host|unable to resolve"
     r"|(?:is|are) (?:currently )?unreachable|could not be reached|certificate|altnames"
     r"|error sending request|failed to fetch\s*(?:$|\n|[^\x00-\x7f])|fetch failed|dns"
     r"|network (?:problem|issue)s?|websocket (?:closed|disconnected|connection (?:failed|closed|lost))|closed before it could connect|网络错误|网络异常|网络不可达|连接被拒绝|无法连接|连接超时|连接(?:已)?断开|断开连接|代理", R.NETWORK_ERROR, 65),
    # Safari's fetch() says "Load failed" where Chrome says "Failed to fetch".
    (r"typeerror: load failed|(?:^|\n)\s*load failed\s*$", R.NETWORK_ERROR, 67),
    # Wrong input: parameters, sizes, URLs, models that do not exist, workflow validation.
    (r"invalid (?:parameter|argument|value|url|size|(?:request |form |json )?body|input|format|model|version|field|image|option|prompt|data|type)s?"
     r"|parameters?\b[^.\n]{0,60}?\b(?:not valid|invalid|missing)|missing (?:one or multiple )?required"
     r"|required (?:input )?(?:parameter|input|argument|field)|is not one of|not supported|do(?:es)? not support|only supports?"
     r"|must be (?:one of|between|at (?:least|most)|less|greater|smaller|larger|a |an |multiples?|divisible|positive|-?\d)|divisible by|multiples? of"
     r"|does not exist|not exist|\bnot found\b|no such (?:model|file|deployment)|no file named|must exist|must contain"
     r"|cannot (?:both )?be (?:empty|none|null|blank)|value not in list|failed validation|failed to validate"
     r"|validating|type mismatch|does not match|mismatch|is not a valid|not a valid|not in list"
     r"|unsupported|too (?:large|long|small|many)|exceeds|validation (?:error|failed)"
     r"|unprocessable|malformed|content-type: must be|error while downloading|failed to download|download failed"
     r"|sizes? of tensors must match|shapes cannot be multiplied|must match the size of tensor|size mismatch for"
     r"|cannot identify image file|(?:could not|cannot|unable to|failed to) decode (?:the )?image|invalid base64|not a valid image|expected (?:\w+ )?shape|unexpected keyword argument|got an unexpected"
     r"|missing \d+ required (?:positional|keyword)|takes \d+ positional|additional properties are not allowed"
     r"|(?:failed to|could not|unable to|cannot) (?:parse|decode) (?:the )?(?:request|body|json|input|payload)"
     r"|no longer (?:available|supported)|(?:has been|was|is) (?:deprecated|retired|decommissioned|discontinued)"
     r"|(?:model|parameter|value|argument|identifier|name|field|size|format|url|prompt|option)s? (?:\S+ )?(?:is|are) (?:invalid|not valid|unknown|unrecognized)\b"
     r"|no (?:active |valid |selected )?model (?:is )?(?:available|configured|selected|specified|set)\b"
     r"|(?:request|body|payload|input) (?:is )?missing|\bis required\b|required property|roles? must alternate|must alternate between"
     r"|first message (?:must|should)|(?:should|must) (?:be|start with) (?:a |the )?(?:user|assistant|system)\b|input should be"
     r"|invalid (?:params?|role|header)\b|not acceptable|(?:requested|specified|selected) model[^.\n]{0,60}?not (?:available|supported|found)"
     r"|参数错误|参数无效|非法参数|不合法|不支持|格式错误|缺少(?:必要|必填)?参数|不存在"
     # Short error-table titles and hints: "Parameter error", "Text empty", "No language selected".
     r"|\b(?:parameters?|params?|arguments?|inputs?|fields?) (?:error|exception)s?\b(?!\.\w)"
     r"|\b(?:text|prompt|input|query|question)s? (?:is |are |was )?(?:empty|blank)\b|no \w+ (?:selected|specified)\b"
     r"|\bnot provided\b|at (?:most|least) \S+ (?:\S+ )?(?:may|can|must|should) be|can only (?:handle|accept|process|take)"
     r"|\bunknown (?:\w+ )?(?:type|parameter|field|argument|option|role|value|format)\b|method not allowed|methodnotallowed"
     r"|(?:check|verify) (?:that )?(?:your |the )?(?:input |request )?(?:parameters|params|arguments|inputs?)\b"
     r"|does not (?:appear to )?(?:have|contain) (?:a |any )?(?:file|weights)|failed to build (?:the )?(?:prompt|request|payload|input)",
     R.INVALID_PARAMETERS, 60),
    # An input the provider could not fetch points at the request, but a status beside it says more.
    (r"(?:failed|unable|could not) to (?:fetch|download|retrieve) (?:the )?(?:input |source )?(?:asset|image|file|media|video|audio)\b",
     R.INVALID_PARAMETERS, 8),
    # "SSML is invalid", "The provided model identifier is invalid": a thing of the request is wrong.
    (r"\b[a-z_]+ (?:is|are) (?:invalid|malformed)\b", R.INVALID_PARAMETERS, 66),
    # A local engine that could not launch, load or keep running: its own wording for a crash.
    (r"(?:failed|unable) to (?:launch|start|spawn|initiali[sz]e|load) (?:the )?(?:\w+ )?(?:model|runner|process|server|backend|engine|worker|handler|pipeline)"
     r"|unable to start process|health check failed|(?:terminated|exited|finished|stopped|died|crashed|ended|quit) (?:unexpectedly|prematurely|abnormally)"
     r"|state is failed|can not proxyrequest|not initiali[sz]ed|check failed|\bsig(?:segv|abrt|bus|ill|trap|kill)\b"
     r"|exc_(?:crash|breakpoint|bad_access|bad_instruction)|abort\(\) called|access violation|0xc00001\d\d|0xc00004\d\d|0xc0000005"
     r"|device[_ ]lost|device_not_found|no device of requested type|devicelist is empty|no (?:available )?slots? (?:available|found|left)"
     r"|(?:model type|model architecture|architecture) \S+ (?:is )?not supported|unknown model architecture|no module named"
     r"|cannot import name|failed to import|import failed|dll load failed|ffmpeg (?:could not be found|not found|is not installed|is required)"
     r"|no valid ffmpeg|(?:could not|cannot|unable to) find ffmpeg|error while initiali[sz]ing|(?:inference )?server exited|process exited"
     r"|initiali[sz]ation (?:of \S+ )?failed|failed to create (?:a |the |an )?(?:\w+[ _])?(?:context|session|task|job|engine|runner|handle|instance)\b"
     r"|(?:could not|cannot|failed to|unable to) install|installation failed|model (?:is|was|has been) (?:unloaded|offloaded|not loaded)"
     r"|(?:provider|server)-side (?:issue|error|problem)|(?:empty|unparsable|blank) (?:or unparsable )?response"
     r"|(?:did not|didn't) (?:provide|return|produce) any (?:\w+ )?(?:messages?|output|content|choices|tokens)\b"
     r"|(?:contains?|produced|got|returned) (?:either )?\W?(?:inf|nan)\b",
     R.SERVER_ERROR, 68),
    # An input file the engine cannot read, or one without what the node needs (a face), is a bad input.
    (r"no faces? (?:found|detected)|no source face|face (?:not|could not be) (?:found|detected)"
     r"|(?:video|image|audio|file)\b[^\n]{0,80}?could not be (?:loaded|opened|read|decoded)"
     r"|(?:unable|failed|could not|cannot) (?:to )?(?:open|read|load|decode) (?:the )?(?:input |source )?(?:video|image|audio|file)\b"
     r"|not a valid path|invalid (?:video|audio|image) file|could not be loaded with (?:cv|opencv|pil)|open (?:video|image) with pil"
     r"|invalid (?:audio|video|media)\b|(?:audio|video|media|clip)[ _](?:\w+[ _])?(?:too[ _](?:long|short|large|small)|duration (?:is )?too)"
     r"|(?:duration|file|audio|video) (?:is )?too short"
     r"|长度超限|内容长度|超出(?:最大)?长度|不正确的(?:内容|参数|格式|请求)", R.INVALID_PARAMETERS, 67),
    # The provider or the local engine broke.
    (r"out ?of ?memory|\boom\b|(?:not enough|insufficient|unsufficient) (?:\w+ )?(?:memory|vram)|显存不足|内存不足|memory access|failed to allocate|cannot allocate|unable to allocate"
     r"|device-side assert|cuda error|cuda (?:failed|failure)|failed assertion|driver version is insufficient|not compiled with cuda|no kernel image"
     r"|no cuda gpus? (?:are )?available|not able to use (?:the )?gpu|hip error|cudnn|nansexception|all nans|segmentation fault|core dumped"
     r"|runner (?:process )?(?:has )?terminated|failed to start a?\s?\w* ?runner|error starting \w+ runner|runner crash\w*"
     r"|\b(?:model )?load(?:ing)? failed|failed to load|could not load|cannot load|can't load|error loading|failed loading"
     r"|ggml_assert|assertion failed|not enough space|exit (?:status|code) (?:[1-9]|0x)|exited with|worker (?:crash|died|exit)\w*"
     r"|is currently loading|currently loading|warming up|\bis cold\b|not ready|on the same device|at least two devices",
     R.SERVER_ERROR, 66),
    (r"internal (?:server )?error|server error|the server had an error|service (?:is )?unavailable"
     r"|temporarily unavailable|bad gateway|\bunavailable\b|returning an unknown error|upstream|gateway error|backend error"
     r"|error occurred while processing your request|unable to process (?:your|the|this) (?:request|prompt)|unexpected error"
     r"|(?:can't|cannot|could not|unable to) (?:create|generate|process)[^.\n]{0,30}right now|working to resolve"
     r"|服务器错误|暂时不可用|服务(?:暂)?不可用|服务暂时不可访问|内部错误|系统错误|服务异常|暂时无法|服务错误|后端错误",
     R.SERVER_ERROR, WRAPPER),
    # A checklist of possible causes ("check your API key and network connection") names none of them;
    # a cause the message does state ("connection refused") still wins.
    (r"check (?:your |the )?(?:api[ _-]?keys?|keys?|config\w*|settings|credentials)[^.\n]{0,20}?(?: and | or |/|, ?)"
     r"(?:your |the )?(?:network|internet|connection|proxy)"
     r"|check (?:your |the )?(?:network|internet|connection)[^.\n]{0,20}?(?: and | or |/|, ?)(?:your |the )?(?:api[ _-]?keys?|keys?|config\w*|settings)"
     r"|检查[^。\n]{0,12}(?:配置|密钥|key|令牌)[^。\n]{0,6}(?:和|与|及|或|、)[^。\n]{0,6}网络"
     r"|检查[^。\n]{0,8}网络[^。\n]{0,6}(?:和|与|及|或|、)[^。\n]{0,8}(?:配置|密钥|key|令牌)", R.UNKNOWN, 50),
    # Messages that only say something failed: any other evidence wins, and the fallback must not guess.
    (r"something went wrong|unknown error|an error (?:has )?occurred|(?:please )?try again(?: later)?\W*$"
     r"|there (?:is|was) (?:an )?error|unexpected error occurred|未知错误|请稍后(?:再)?试\W*$"
     # A client that could not read the answer as JSON says nothing about why the call failed.
     r"|expecting value: line \d+ column \d+|unexpected end of json input|unexpected token \S+ in json"
     r"|is not valid json"
     # A client's own bug ("'NoneType' object has no attribute", "x is not a function") names no cause.
     r"|object has no attribute|is not a function|cannot (?:read|set) propert(?:y|ies) of (?:undefined|null)"
     r"|index out of range|\bname '\w+' is not defined", R.UNKNOWN, 5),
)

# Korean, Japanese and more Chinese families, and cross-language SDK wordings, live beside this table.
MESSAGE_PATTERNS += INTL_PATTERNS

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
                            "ValidationError", "ValidationException", "InvalidArgument", "ValueError"), 25),
    R.SERVER_ERROR: (("InternalServerError", "ServiceUnavailable", "ServiceUnavailableError",
                      "BadGateway", "ServerError"), WRAPPER),
}

HTTP_STATUSES: dict[R, tuple[int, ...]] = {
    R.INVALID_PARAMETERS: (400, 404, 405, 406, 409, 413, 414, 415, 422),
    R.AUTHENTICATION: (401, 403, 407),
    R.QUOTA_EXCEEDED: (402,),
    R.TIMEOUT: (408, 504, 524, 598),
    R.RATE_LIMIT: (429,),
    R.CANCELLED: (499,),
    R.SERVER_ERROR: (500, 501, 502, 503, 505, 520, 521, 522, 523, 525, 526, 529),
}

# Provider names live in `providers.py` (a long table of its own).
from prompt_tracking.failures.providers import PROVIDERS  # noqa: E402,F401  (re-exported)
