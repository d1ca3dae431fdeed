"""Comments written by an OpenAI-compatible chat API: `POST {base_url}/chat/completions`.

The API key comes from the secret store (`ctx.secrets["chatgpt_api_key"]`); it is sent only
in the Authorization header and scrubbed from any error text that could reach an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from devices.errors import ScriptFailed

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_PROMPT = (
    "Write one short, friendly comment (under 20 words) for a TikTok video. Reply with the comment only, no quotes."
)
TIMEOUT_S = 30.0


def _scrub(text: str, key: str) -> str:
    return text.replace(key, "***") if key else text


async def generate_comment(
    settings: Mapping[str, Any],
    api_key: str,
    caption: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout_s: float = TIMEOUT_S,
) -> str:
    """One comment for a video with this caption; ScriptFailed with a readable reason on any failure."""
    if not api_key or api_key == "***":
        raise ScriptFailed("the ChatGPT API key is missing from the secret store")
    base = (str(settings.get("base_url") or "").strip() or DEFAULT_BASE_URL).rstrip("/")
    prompt = str(settings.get("prompt") or "").strip() or DEFAULT_PROMPT
    body = {
        "model": settings.get("model") or "gpt-3.5-turbo",
        "messages": [
            {"role": "system", "content": prompt},
            {"role": "user", "content": f"The video's caption: {caption or '(none)'}"},
        ],
        "max_tokens": int(settings.get("max_tokens") or 100),
        "temperature": float(settings.get("temperature", 0.7)),
    }
    try:
        async with httpx.AsyncClient(timeout=timeout_s, transport=transport) as client:
            response = await client.post(
                f"{base}/chat/completions", json=body, headers={"Authorization": f"Bearer {api_key}"}
            )
    except httpx.HTTPError as exc:
        raise ScriptFailed(f"the ChatGPT API at {base} could not be reached ({exc.__class__.__name__})") from None
    if response.status_code != 200:
        raise ScriptFailed(
            f"the ChatGPT API answered HTTP {response.status_code}: {_scrub(_error_message(response), api_key)[:120]}"
        )
    try:
        text = str(response.json()["choices"][0]["message"]["content"]).strip().strip('"').strip()
    except (ValueError, KeyError, IndexError, TypeError):
        raise ScriptFailed("the ChatGPT API's answer has no choices[0].message.content") from None
    if not text:
        raise ScriptFailed("the ChatGPT API returned an empty comment")
    return text


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:120]
