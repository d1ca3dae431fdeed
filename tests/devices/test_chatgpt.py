"""ChatGPT comments through an OpenAI-compatible API, tested against a local fake of that API."""

from __future__ import annotations

import socket

import pytest
from fake_openai import fake_openai, reply

from devices.errors import ScriptFailed
from devices.scripts.chatgpt import DEFAULT_PROMPT, generate_comment

KEY = "sk-test-0123456789abcdef"


async def test_a_comment_is_asked_with_the_settings_and_the_key_in_the_header():
    with fake_openai(reply('"Love this! 😍"')) as api:
        settings = {
            "model": "gpt-4o-mini",
            "prompt": "Be nice.",
            "max_tokens": 40,
            "temperature": 1.2,
            "base_url": api.base_url + "/",
        }
        assert await generate_comment(settings, KEY, "sunset #travel") == "Love this! 😍"
    [(path, headers, body)] = api.requests
    assert path == "/v1/chat/completions" and headers["authorization"] == f"Bearer {KEY}"
    assert body == {
        "model": "gpt-4o-mini",
        "max_tokens": 40,
        "temperature": 1.2,
        "messages": [
            {"role": "system", "content": "Be nice."},
            {"role": "user", "content": "The video's caption: sunset #travel"},
        ],
    }


async def test_defaults_apply_when_settings_are_empty():
    with fake_openai(reply("nice")) as api:
        await generate_comment({"base_url": api.base_url}, KEY, "")
    body = api.requests[0][2]
    assert body["model"] == "gpt-3.5-turbo" and body["max_tokens"] == 100 and body["temperature"] == 0.7
    assert body["messages"][0]["content"] == DEFAULT_PROMPT


async def test_an_error_answer_is_a_reason_that_never_shows_the_key():
    answer = lambda body: (401, {"error": {"message": f"Incorrect API key provided: {KEY}."}})  # noqa: E731
    with fake_openai(answer) as api:
        with pytest.raises(ScriptFailed) as failure:
            await generate_comment({"base_url": api.base_url}, KEY, "")
    assert failure.value.reason == "the ChatGPT API answered HTTP 401: Incorrect API key provided: ***."
    assert KEY not in repr(failure.value) and failure.value.__cause__ is None


async def test_an_unreachable_api_and_an_empty_answer_are_reasons():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ScriptFailed, match="could not be reached"):
        await generate_comment({"base_url": f"http://127.0.0.1:{port}/v1"}, KEY, "", timeout_s=2)
    with fake_openai(reply("  ")) as api:
        with pytest.raises(ScriptFailed, match="empty comment"):
            await generate_comment({"base_url": api.base_url}, KEY, "")


async def test_a_missing_key_fails_before_any_request():
    with pytest.raises(ScriptFailed, match="key is missing"):
        await generate_comment({}, "***", "")
