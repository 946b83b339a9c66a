"""Vocabulary and per-model profiles for the synthetic history generator.

Plain constants only, kept apart from `synthetic.py` so the generator's logic stays short.
The planted patterns the analytics tests look for are declared here by name:
`CONTENT_FILTER_TERMS`, `HIGH_RATING_TERM`, and the parameter limits in `MODEL_PROFILES`.
"""
from __future__ import annotations

SUBJECTS = (
    "a red fox in a snowy forest", "an old fisherman mending nets", "a futuristic city skyline",
    "a cozy reading nook", "a lighthouse on a rocky coast", "a samurai in the rain",
    "a bowl of ramen", "a vintage motorcycle", "a mountain lake at dawn", "a cyberpunk street market",
    "a portrait of a young woman", "a dragon over a castle", "a cat sleeping on a windowsill",
    "an astronaut on mars", "a field of sunflowers", "a victorian library", "a koi pond",
    "a desert caravan", "a robot barista", "a glass greenhouse", "a jazz club interior",
    "a waterfall in a jungle", "a medieval market square", "a sports car on a coastal road",
    "a child flying a kite", "an owl on a branch", "a steampunk airship", "a bustling train station",
    "a ballet dancer on stage", "a knight in shining armor",
)
STYLES = (
    "oil painting", "watercolor", "cinematic still", "digital art", "studio ghibli style",
    "photorealistic", "concept art", "anime style", "35mm film photo", "ink illustration",
    "isometric 3d render", "impressionist", "low poly", "pixel art", "art nouveau",
)
LIGHTING = (
    "golden hour", "soft diffused light", "neon lighting", "dramatic rim light", "overcast daylight",
    "candlelight", "volumetric fog", "moonlight", "harsh midday sun", "blue hour", "studio lighting",
    "backlit",
)
CAMERA = (
    "wide angle", "close-up", "85mm lens", "shallow depth of field", "aerial view", "low angle shot",
    "macro", "tilt-shift", "symmetrical composition", "bokeh",
)
QUALITY_TAGS = (
    "highly detailed", "8k", "sharp focus", "trending on artstation", "(masterpiece:1.2)",
    "(best quality:1.3)", "intricate details", "[blurry]", "((ultra detailed))",
)
VIDEO_MOTION = (
    "slow dolly in", "camera pans left", "drone flyover", "handheld tracking shot", "slow motion",
    "time-lapse", "orbit around the subject", "static camera",
)
EDIT_ACTIONS = (
    "make the sky stormy", "replace the background with a beach", "turn it into winter",
    "add a rainbow", "remove the people", "change the jacket to red", "make it night time",
    "add falling cherry blossoms", "convert to black and white", "add a reflection in the water",
)
NEGATIVE_PROMPTS = (
    "blurry, low quality, watermark", "extra fingers, deformed hands", "text, logo, signature",
    "oversaturated, noisy", "lowres, jpeg artifacts",
)
CONTENT_FILTER_TERMS = {"gore": 0.85, "nude": 0.8, "blood splatter": 0.75}
HIGH_RATING_TERM = "golden hour"
SAFE_REPLACEMENTS = {"gore": "mystery", "nude": "elegant dress", "blood splatter": "red paint"}
TAGS = ("wip", "portfolio", "client-a", "experiment", "favorite")
FEEDBACK = {
    1: ("completely wrong subject", "artifacts everywhere"),
    2: ("hands look wrong", "too dark", "faces are distorted"),
    3: ("ok but flat lighting", "composition is off"),
    4: ("nice mood", "good colors"),
    5: ("exactly what I wanted", "great composition", "stunning light"),
}

# Per reason: (message template, error code, http status); {p} is the provider, {v} a detail.
ERRORS = {
    "content_filter": ("[{p}] 400 Bad Request: the prompt was blocked by the content policy "
                       "(code: content_policy_violation)", "content_policy_violation", 400),
    "invalid_parameters": ("[{p}] 400 Bad Request: InvalidParameter: {v}", "InvalidParameter", 400),
    "rate_limit": ("[{p}] 429 Too Many Requests: rate limit exceeded, retry after {v}s",
                   "rate_limit_exceeded", 429),
    "quota_exceeded": ("[{p}] 402 Payment Required: insufficient quota, monthly credits exhausted",
                       "insufficient_quota", 402),
    "authentication": ("[{p}] 401 Unauthorized: invalid or expired API key", "invalid_api_key", 401),
    "timeout": ("[{p}] 504 Gateway Timeout: generation did not finish within {v}s", "timeout", 504),
    "network_error": ("ConnectionResetError: [Errno 104] Connection reset by peer", None, None),
    "server_error": ("[{p}] 500 Internal Server Error: upstream worker crashed ({v})",
                     "internal_error", 500),
    "cancelled": ("Generation cancelled by the user", None, None),
    "unknown": ("[{p}] Unexpected response from provider: {v}", None, None),
}

# Background failure rates per reason (on top of the planted, trait-driven ones).
BASE_FAILURES = {
    "rate_limit": 0.025, "server_error": 0.015, "network_error": 0.01, "quota_exceeded": 0.004,
    "authentication": 0.002, "cancelled": 0.008, "unknown": 0.004,
}

MODEL_PROFILES = {
    "seedream-4.0": {"kind": "image", "provider": "byteplus", "weight": 0.4, "timeout_rate": 0.01},
    "seededit-3.0": {"kind": "edit", "provider": "byteplus", "weight": 0.15, "timeout_rate": 0.01},
    "wan2.2-t2v": {"kind": "video", "provider": "dashscope", "weight": 0.15, "timeout_rate": 0.04},
    "seedance-1.0-pro": {"kind": "video_pro", "provider": "byteplus", "weight": 0.15,
                         "timeout_rate": 0.03},
    "real-esrgan-x4": {"kind": "upscale", "provider": "replicate", "weight": 0.15,
                       "timeout_rate": 0.005},
}
# Planted parameter failures: guidance above this is rejected most of the time; too many steps time out.
GUIDANCE_LIMIT = 15.0
GUIDANCE_FAIL_RATE = 0.7
STEPS_LIMIT = 50
STEPS_TIMEOUT_RATE = 0.45
