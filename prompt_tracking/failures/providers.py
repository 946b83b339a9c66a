"""Provider names: the table `describe_failure` reads them from, and the general fallbacks.

`PROVIDERS` maps names to the words that mark them: hosts, SDK and package names, model
families, provider-only codes. The first match wins, so relays and inference platforms come
before the model families they serve, and local engines before the models they run. When no
entry matches, `infer_provider` reads the name the message implies in general ways: the
prefix of a credential variable (`SUNO_COOKIE` -> `suno`, `OPENAI_API_KEY` -> `openai`), the
host of an API URL (`api.sambanova.ai` -> `sambanova`), or the package of a traceback frame
or a dotted exception class (`site-packages/deepgram/...`, `nixtlats.core.ApiError`).
"""
from __future__ import annotations

import re

PROVIDERS: tuple[tuple[str, str], ...] = (
    # Gateways and relays name the upstream too; their own name is the stronger evidence.
    # A relay's "<Upstream>Exception" (litellm's convention) names the provider that answered.
    ("azure_openai", r"azure(?:openai|ai)?exception"),
    ("bedrock", r"bedrockexception"),
    ("groq", r"groqexception"),
    ("google", r"vertex_?ai_?exception|geminiexception"),
    ("anthropic", r"anthropicexception"),
    ("mistral", r"mistralexception"),
    # Tools, apps and relays that name themselves (from the retired sealed sets, now dev): their own
    # name beats the model family or engine they call.
    ("comfy_org_api", r"api\.comfy\.org|comfy_api_nodes"),
    ("claude_code_router", r"claude[-_ ]code[-_ ]router"),
    ("qwen_code", r"qwen[-_ ]code\b"),
    ("gemini_code_assist", r"code assist\b"),
    ("cline", r"\bcline\b"),
    ("clawrouter", r"clawrouter"),
    ("portkey", r"portkey"),
    ("fastgpt", r"fastgpt"),
    ("gpt_load", r"\bgpt[-_]load\b"),
    ("poe", r"\bpoe\.com\b|\bpoe bot\b|\bin poe\b"),
    ("langwatch", r"langwatch"),
    ("stability_matrix", r"stabilitymatrix|stability matrix"),
    ("stable_diffusion_cpp", r"stable-diffusion\.cpp|stable_diffusion_cpp|\bsd\.cpp\b"),
    ("livekit_agents", r"livekit\.agents|livekit-agents"),
    ("llama_cloud", r"cloud\.llamaindex|llama_cloud|llamaparse"),
    ("recall_ai", r"recall\.ai|recall_ai"),
    ("fly_sprites", r"fly\.io"),
    ("openoats", r"openoats"),
    ("soulvoice", r"soulvoice"),
    ("cosyvoice_api", r"cosyvoice"),
    ("chatterbox_tts", r"chatterbox"),
    ("kokoro_js", r"kokorotts|kokoro-js|kokoro\.js"),
    ("whisperjav", r"whisperjav"),
    ("whisperx", r"whisperx"),
    ("photoroom", r"photoroom"),
    ("runware", r"runware"),
    ("vyro", r"\bvyro\b"),
    ("speechischeap", r"speechischeap|speech is cheap"),
    ("openrouter", r"openrouter"),
    ("litellm", r"litellm"),
    ("one_api", r"one-api|one_api|oneapi|new-api"),
    ("vercel_ai_gateway", r"vercel ai gateway|ai-gateway\.vercel|gateway\.ai\.vercel"),
    ("aihubmix", r"aihubmix"),
    ("pollinations", r"pollinations"),
    # Inference platforms serve other labs' models: their name beats the model family.
    ("deepinfra", r"deepinfra"),
    ("sambanova", r"sambanova|sambaverse"),
    ("nvidia_nim", r"nvidia[ _-]?nim|build\.nvidia\.com|integrate\.api\.nvidia|\bnvapi-|\bnim\b"),
    ("novita", r"novita"),
    ("hyperbolic", r"hyperbolic"),
    ("nebius", r"nebius"),
    ("fireworks", r"fireworks"),
    ("perplexity", r"perplexity|\bpplx"),
    ("modelscope", r"modelscope|魔搭"),
    ("ppio", r"\bppio\b|ppinfra|派欧"),
    ("gitee_ai", r"gitee ?ai|ai\.gitee"),
    ("sensenova", r"sensenova|sensecore|商汤|日日新"),
    ("runninghub", r"runninghub"),
    ("truefoundry", r"truefoundry"),
    ("coreweave", r"coreweave"),
    ("datalab", r"datalab"),
    ("ai21", r"\bai21\b|jamba"),
    ("cohere", r"cohere"),
    ("voyage", r"voyage ?ai|voyageai"),
    ("jina_reader", r"jina"),
    ("pixverse", r"pixverse"),
    ("vidu", r"\bvidu\b|shengshu"),
    ("pika", r"\bpika(?:labs|\.art)?\b"),
    ("heygen", r"heygen"),
    ("tavus", r"tavus"),
    ("synthesia", r"synthesia"),
    ("d_id", r"\bd-id\b|\bdid\.com\b"),
    ("recraft", r"recraft"),
    ("krea", r"\bkrea\b"),
    ("meshy", r"meshy"),
    ("tripo", r"tripo(?:3d|sr)?\b"),
    ("deepgram", r"deepgram"),
    ("assemblyai", r"assembly ?ai|assemblyai"),
    ("fish_audio", r"fish[ ._-]?audio|fish\.audio|fish-speech"),
    ("cartesia", r"cartesia"),
    ("elevenlabs", r"elevenlabs|eleven labs|xi-api-key"),
    ("suno", r"\bsuno"),
    ("udio", r"\budio\b"),
    ("azure_speech", r"cognitive-services-speech|speechsdk|speech sdk|spx_trace|uspimpl|\busp state\b"),
    ("pexels", r"pexels"),
    ("nixtla", r"nixtla"),
    ("neptune", r"neptune"),
    ("aliyun_vod", r"\bvod service"),
    # Local engines and UIs run the model families named below: the engine is the provider.
    ("ipex_llm", r"ipex|\bsycl\b|pi_error_|ur_result_error|level ?zero"),
    ("llama_swap", r"llama-swap|llama_swap|proxyrequest"),
    ("docker_model_runner", r"docker model|model-runner|unable to load runner"),
    ("triton", r"triton|tensorrt"),
    ("mlx_lm", r"mlx_lm|mlx-lm"),
    ("mlx_audio", r"mlx_audio|mlx-audio"),
    ("mlx_serve", r"mlx-serve|mlx_serve"),
    ("mlx_openai_server", r"mlx-openai-server|mlx handler"),
    ("mlc_llm", r"mlc-llm|mlc_llm|mlcchat|org\.apache\.tvm|\btvm\b"),
    ("sglang", r"sglang"),
    ("vllm", r"vllm"),
    ("tgi", r"text-generation-inference|text_generation_server|\btgi\b"),
    ("xinference", r"xinference|xoscar"),
    ("ktransformers", r"ktransformers"),
    ("mistral_rs", r"mistral\.rs|mistralrs"),
    ("gpustack", r"gpustack|llama-box"),
    ("tabbyml", r"tabbyml|\.tabby/"),
    ("gpt4all", r"gpt4all"),
    ("jan", r"\bjan\.ai\b|\bjan app\b|cortex\.cpp"),
    ("llama_cpp_python", r"llama_cpp\.|llama-cpp-python|llama_cpp_python"),
    ("llama_cpp", r"llama\.cpp|llama-server|llama_cpp|llama_model_load|gguf_init|ggml"),
    ("text_generation_webui", r"text-generation-webui|oobabooga|textgen"),
    ("faster_whisper", r"faster[-_]whisper|ctranslate2"),
    ("audiocraft", r"audiocraft|musicgen|audiogen"),
    ("wan2gp", r"wan2gp|\bwgp\.py|mmgp"),
    ("iopaint", r"iopaint|lama-cleaner|lama_cleaner"),
    ("upscayl", r"upscayl"),
    ("mochi_diffusion", r"mochi diffusion"),
    ("comfyui_reactor", r"\[reactor\]|reactorfaceswap"),
    ("comfyui_videohelpersuite", r"videohelpersuite|\bvhs_\w+|\[vhs\]"),
    ("comfyui_ipadapter_plus", r"ipadapter"),
    ("comfyui", r"comfy|ksampler|checkpointloader|prompt_outputs_failed_validation|interruptprocessingexception"),
    ("a1111", r"a1111|automatic1111|stable-diffusion-webui|sd-webui|\bforge\b|nansexception"),
    ("sdnext", r"sdnext|sd\.next|vladmandic"),
    ("fooocus", r"fooocus"),
    ("ollama", r"ollama|llama runner|:11434"),
    ("localai", r"localai|local-ai"),
    ("lmstudio", r"lm ?studio|lmstudio|\[lms\w*\]|:1234/v1"),
    ("koboldcpp", r"kobold"),
    ("azure_openai", r"azure|openai\.azure\.com|aoai|cognitiveservices|deploymentnotfound"),
    ("bedrock", r"bedrock|invokemodel|amazonaws\.com|\bnova (?:canvas|reel)|guardrail_intervened"),
    ("cloudflare_workers_ai", r"workers[ -]ai|@cf/|\bai\.run\b|api\.cloudflare\.com/client/v4/accounts|\bneurons\b"
                              r"|workers paid plan"),
    ("cloudflare", r"cloudflare|error code:? 10\d\d|cf-ray|ray id"),
    ("huggingface", r"huggingface|hf_hub|HfHubHTTPError|\bhf\.co\b|inferenceclient|inferencetimeouterror"),
    ("volcengine_ark", r"volces\.com|volcengine|byteplus|modelark|火山|seedream|seedance|seededit|doubao|\bark\b"
                       r"|AccountOverdueError|SensitiveContentDetected|RiskDetection|CSDRequestId|jimeng|即梦"),
    ("dashscope", r"dashscope|aliyun|alibabacloud|model-studio|bailian|百炼|通义|DataInspection"
                  r"|data_inspection_failed|Arrearage|wanx|\bwan2\.\d|\bqwen|阿里云"),
    ("baidu", r"baidu|qianfan|wenxin|ernie|文心|千帆|百度|aip\.baidubce"),
    ("xfyun_spark", r"xfyun|xf-yun|讯飞|spark ?(?:max|pro|lite|desk)|generalv\d|AppIdNoAuthError|sparkapi|spark4j"),
    ("tencent_cloud", r"tencentcloud|tencent cloud|腾讯云|hunyuan|混元"),
    ("zhipu", r"zhipu|bigmodel\.cn|智谱|\bglm-|chatglm|cogview"),
    ("minimax", r"minimax|hailuo|海螺"),
    ("moonshot", r"moonshot|kimi"),
    ("deepseek", r"deepseek"),
    ("siliconflow", r"siliconflow|硅基流动"),
    ("replicate", r"replicate|\br8_\w"),
    ("cog", r"\bcog\.|\bcog\b"),
    ("fal", r"\bfal\.(?:ai|run|media)|fal_client|fal-ai|FalException|\bfal\b"),
    ("bfl", r"\bbfl\b|bfl\.(?:ai|ml)|black forest labs|flux[-. ]?(?:1\.1|pro|dev|kontext)"),
    ("runway", r"runway|SAFETY\.(?:INPUT|OUTPUT)"),
    ("stability", r"stability\.ai|stabilityai|stable-image|dreamstudio|stability"),
    ("ideogram", r"ideogram"),
    ("leonardo", r"leonardo"),
    ("luma", r"\bluma|dream machine"),
    ("kling", r"kling|可灵"),
    ("midjourney", r"midjourney|\bmj\b|imagine (?:command|prompt)"),
    ("novelai", r"novelai|\bnai\b|anlas"),
    ("aihorde", r"stable ?horde|ai ?horde|aihorde|kudos"),
    ("civitai", r"civitai"),
    ("bing", r"\bbing\b|bing\.com|bingimagecreator|bingart"),
    ("xai", r"\bxai\b|x\.ai\b|\bgrok"),
    ("groq", r"\bgroq"),
    ("mistral", r"mistral|codestral"),
    ("together", r"together(?:\.ai|\.xyz|_ai|ai)|api\.together"),
    ("cerebras", r"cerebras"),
    ("featherless", r"featherless"),
    ("anthropic", r"anthropic|\bclaude"),
    ("google", r"googleapis|generativelanguage|aiplatform|vertex|gemini|imagen|\bveo\b|google\.rpc|raiMediaFiltered|google"),
    ("openai", r"openai|dall-?e|gpt-image|insufficient_quota|billing_hard_limit_reached|\bsk-proj|chatgpt|\bgpt-\d"),
    # Libraries and tools.
    ("kiro", r"\bkiro\b"),
    ("flutter", r"\bflutter\b"),
    ("ssl", r"\bssl\.\w*error|_ssl\.c\b"),
    ("invokeai", r"invokeai|invoke\.ai|\binvoke\b"),
    ("diffusers", r"diffusers|diffusion_pytorch_model|pipeline_stable_diffusion"),
    ("transformers", r"transformers|pytorch_model\.bin"),
    ("torch", r"\btorch\b|cuda out of memory|pytorch|cuda error|hip out of memory"),
    ("gradio", r"gradio"),
    ("grpc", r"grpc|statuscode\.|_inactiverpcerror|rpcexception|rendezvous"),
    ("aiohttp", r"aiohttp|clientconnectorerror|serverdisconnectederror"),
    ("httpx", r"httpx"),
    ("urllib3", r"urllib3|maxretryerror|newconnectionerror"),
    ("requests", r"\brequests\.(?:exceptions|adapters|models|sessions|api)\b|python-requests"),  # not "Too Many Requests"
    ("nginx", r"nginx"),
    ("browser_fetch", r"failed to fetch|typeerror: fetch|networkerror when attempting"),
    ("claude_code", r"claude[ -]code|claude-cli"),
    ("gemini_cli", r"gemini[ -]cli|gemini-cli"),
    ("github_copilot", r"copilot"),
    ("open_webui", r"open[ -]?webui"),
    ("librechat", r"librechat"),
    ("chatbox", r"chatbox"),
    ("cherry_studio", r"cherry ?studio|cherrystudio"),
    ("lobehub", r"lobe-?chat|lobehub"),
    ("sillytavern", r"sillytavern"),
    ("continue_dev", r"continuedev|continue\.continue|\[extension host\]"),
    ("aider", r"\baider\b"),
    ("openhands", r"openhands"),
    ("zed", r"\bzed\b"),
    ("dify", r"\bdify\b"),
    ("n8n", r"\bn8n\b"),
    ("semantic_kernel", r"semantic[ _-]kernel"),
    ("langchain", r"langchain"),
    ("llamaindex", r"llama_index|llamaindex"),
    ("unsloth", r"unsloth"),
    ("livekit", r"livekit"),
)

# Names that a variable prefix, a host or a package spells differently from the table's label.
ALIASES = {
    "hf": "huggingface", "huggingface_hub": "huggingface", "hugging_face": "huggingface",
    "googleapis": "google", "gemini": "google", "google_genai": "google", "genai": "google", "vertex": "google",
    "vertexai": "google", "claude": "anthropic", "azure": "azure_openai", "aoai": "azure_openai",
    "mistralai": "mistral", "zhipuai": "zhipu", "bigmodel": "zhipu", "volces": "volcengine_ark",
    "volcengine": "volcengine_ark", "volcenginesdkarkruntime": "volcengine_ark", "ark": "volcengine_ark",
    "doubao": "volcengine_ark", "aliyuncs": "dashscope", "qwen": "dashscope", "baidubce": "baidu",
    "qianfan": "baidu", "tencentcloud": "tencent_cloud", "tencentcloudapi": "tencent_cloud", "x": "xai",
    "grok": "xai", "together_ai": "together", "togetherai": "together", "fal_client": "fal", "falai": "fal",
    "replicate_api": "replicate", "stabilityai": "stability", "stability_sdk": "stability",
    "elevenlabs_api": "elevenlabs", "nvidia": "nvidia_nim", "nim": "nvidia_nim", "moonshotai": "moonshot",
    "kimi": "moonshot", "siliconflow_api": "siliconflow", "minimaxi": "minimax", "cerebras_cloud_sdk": "cerebras",
    "dashscope_api": "dashscope", "openai_api": "openai", "chatgpt": "openai", "fish": "fish_audio",
    "deepseek_api": "deepseek", "assembly": "assemblyai", "nixtlats": "nixtla",
}
# Prefixes and hosts that say where code runs, not who answered.
_NOT_PROVIDERS = frozenset({
    "my", "your", "app", "api", "the", "default", "custom", "user", "env", "secret", "access", "auth", "base",
    "github", "githubusercontent", "localhost", "example", "docs", "vercel", "herokuapp", "hf", "ngrok",
    "cloudfront", "amazonaws", "workers", "pages", "netlify", "render", "railway", "fly", "gstatic", "forms",
    "imgur", "discord", "discordapp", "youtube", "twitter", "x", "com", "www", "cdn", "static", "storage",
    "blob", "windows", "microsoft", "apple", "python", "pypi", "npmjs", "stackoverflow", "wikipedia",
    "builtins", "asyncio", "concurrent", "json", "typing", "threading", "socket", "http", "urllib", "site",
    "anyio", "starlette", "fastapi", "uvicorn", "flask", "werkzeug", "django", "httpcore", "tenacity", "click",
    "fire", "tqdm", "pydantic", "numpy", "torch", "src", "app", "lib", "core", "utils", "main", "server",
    "client", "node", "internal", "dist", "bin", "home", "usr", "opt", "tmp", "venv", "env", "local",
})
_CREDENTIAL_VAR = re.compile(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?)_(?:API_?KEY|API_TOKEN|ACCESS_TOKEN|AUTH_TOKEN|TOKEN|KEY"
                             r"|COOKIE|SECRET(?:_KEY)?|ACCESS_KEY(?:_ID)?|API_BASE|BASE_URL|API_URL)\b")
_HOST = re.compile(r"(?:https?|wss?)://(?:[\w-]+(?::[^@/\s]*)?@)?((?:[a-z0-9-]+\.)+[a-z]{2,})|host='((?:[a-z0-9-]+\.)+[a-z]{2,})'",
                   re.IGNORECASE)
_PACKAGE = re.compile(r"site-packages[/\\]([a-z][a-z0-9_]+)[/\\]|(?<![\w.])([a-z][a-z0-9_]{2,})(?:\.[a-z_]\w*)*"
                      r"\.[A-Z]\w*(?:Error|Exception)\b")
_HOSTING_TAILS = ("hf.space", "vercel.app", "herokuapp.com", "workers.dev", "ngrok.io", "ngrok-free.app",
                  "github.io", "pages.dev", "netlify.app", "onrender.com", "up.railway.app", "fly.dev")


def infer_provider(text: str) -> str | None:
    """The provider a message implies by a credential variable, an API host or a package; None if none.

    Args:
        text: The error text as gathered (not lower-cased).

    Returns:
        A provider label such as "suno", "sambanova" or "deepgram", or None.
    """
    for match in _CREDENTIAL_VAR.finditer(text):
        name = _normalise(match.group(1))
        if name:
            return name
    for match in _HOST.finditer(text):
        host = (match.group(1) or match.group(2) or "").lower()
        if host.endswith(_HOSTING_TAILS) or re.fullmatch(r"[\d.]+", host):
            continue
        labels = host.split(".")
        registrable = labels[-3] if len(labels) >= 3 and labels[-2] in {"co", "com", "net", "org"} else labels[-2]
        name = _normalise(registrable)
        if name:
            return name
    for match in _PACKAGE.finditer(text):
        name = _normalise(match.group(1) or match.group(2))
        if name:
            return name
    return None


def _normalise(raw: str) -> str | None:
    name = raw.lower().replace("-", "_")
    for suffix in ("_sdk", "_client", "_python", "_api", "_py"):
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            name = name[: -len(suffix)]
    name = ALIASES.get(name, name)
    if name in _NOT_PROVIDERS or len(name) < 2:
        return None
    return name
