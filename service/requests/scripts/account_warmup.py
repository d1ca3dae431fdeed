"""The `account_warmup` script's config (docs/api.md, "account_warmup").

The ChatGPT `api_key` is a secret: the config shows it as "***" and it is returned apart,
as `chatgpt_api_key`. It is kept only when `generate_by_chatgpt` is true; otherwise it is
dropped and the config shows "".
"""

from __future__ import annotations

from typing import Any

import msgspec

from service.errors import invalid
from service.requests.fields import read_object
from service.requests.files import FileCheck
from service.requests.scripts.normalised import APP_FIELD, Normalised
from service.requests.values import boolean, choice, integer, number, show, text

_DURATION = number(0, 86_400, above=True)
_PERCENT = number(0, 100)


class ChatgptSettings(msgspec.Struct, kw_only=True, frozen=True):
    """How comments are generated with an OpenAI-compatible API."""

    api_key: str = ""
    model: str = "gpt-3.5-turbo"
    prompt: str = ""
    max_tokens: int = 100
    temperature: float = 0.7
    base_url: str = ""


class AccountWarmupConfig(msgspec.Struct, kw_only=True, frozen=True):
    """A warm-up's normalised config; `floow_probable` is the vendor's spelling."""

    task_duration: float = 600
    topic: str = ""
    min_duration: float = 15
    max_duration: float = 30
    like_probable: float = 0
    floow_probable: float = 0
    collect_probable: float = 0
    comment_probable: float = 0
    comment: str = ""
    insert_emoji: bool = False
    comment_order: str = "random"
    generate_by_chatgpt: bool = False
    chatgpt_settings: ChatgptSettings = ChatgptSettings()


def model(path: str, value: Any) -> str:
    """A non-empty model name."""
    if not text(path, value).strip():
        raise invalid(f"{path} must be a non-empty string, got {show(value)}")
    return value.strip()


def base_url(path: str, value: Any) -> str:
    """An http(s) URL, or "" for the API's usual address."""
    given = text(path, value).strip()
    if given and not given.lower().startswith(("http://", "https://")):
        raise invalid(f"{path} must be an http:// or https:// URL, got {show(value)}")
    return given


SETTINGS_FIELDS = {
    "api_key": text,
    "model": model,
    "prompt": text,
    "max_tokens": integer(1, 1_000_000),
    "temperature": number(0, 2),
    "base_url": base_url,
}


def chatgpt_settings(path: str, value: Any) -> ChatgptSettings:
    """The nested settings object; its first problem is the field's problem."""
    reading = read_object(path, value, SETTINGS_FIELDS)
    reading.raise_first()
    return ChatgptSettings(**reading.values)


FIELDS = {
    "task_duration": _DURATION,
    "topic": text,
    "min_duration": _DURATION,
    "max_duration": _DURATION,
    "like_probable": _PERCENT,
    "floow_probable": _PERCENT,
    "follow_probable": _PERCENT,
    "collect_probable": _PERCENT,
    "comment_probable": _PERCENT,
    "comment": text,
    "insert_emoji": boolean,
    "comment_order": choice("random", "sequential"),
    "generate_by_chatgpt": boolean,
    "chatgpt_settings": chatgpt_settings,
    "app": APP_FIELD,
}
ALIASES = {"follow_probable": "floow_probable"}


def normalise(path: str, raw: Any, files: FileCheck) -> Normalised:
    """The warm-up config made whole and its secret, or the first problem as a 40001."""
    reading = read_object(path, raw, FIELDS, ALIASES)
    app = reading.values.pop("app", None)
    config = AccountWarmupConfig(**reading.values)
    if config.min_duration > config.max_duration:
        reading.fail(
            reading.at("min_duration", "max_duration"),
            f"{path}.min_duration ({show(config.min_duration)}) must not exceed"
            f" max_duration ({show(config.max_duration)})",
        )
    key = config.chatgpt_settings.api_key.strip()
    if config.generate_by_chatgpt and not key:
        reading.fail(
            reading.at("generate_by_chatgpt", "chatgpt_settings"),
            f"{path}.chatgpt_settings.api_key is required when generate_by_chatgpt is true",
        )
    reading.raise_first()
    secrets = {"chatgpt_api_key": key} if config.generate_by_chatgpt else {}
    shown = msgspec.structs.replace(config.chatgpt_settings, api_key="***" if secrets else "")
    whole = msgspec.to_builtins(msgspec.structs.replace(config, chatgpt_settings=shown))
    return Normalised(config=whole, secrets=secrets, app=app)
