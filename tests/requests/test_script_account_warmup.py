"""account_warmup: defaults, ranges, the follow_probable alias and the ChatGPT secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import ApiError
from service.requests import CreateTaskRequest, FilePolicy, parse_create_task
from tests.support.script_configs import CHATGPT_DEFAULTS as SETTINGS
from tests.support.script_configs import WARMUP_DEFAULTS as DEFAULTS

POLICY = FilePolicy(data_dir=Path("/nonexistent-data-dir"))


def create(config: dict) -> CreateTaskRequest:
    body = {"serials": ["s"], "script_name": "account_warmup", "script_config": config}
    return parse_create_task(json.dumps(body).encode(), POLICY)


def refusal(config: dict) -> str:
    with pytest.raises(ApiError) as caught:
        create(config)
    assert int(caught.value.code) == 40001
    return caught.value.message


def test_an_empty_config_gets_every_default() -> None:
    request = create({})
    assert (request.config, request.targets, request.secrets) == (DEFAULTS, (), {})


def test_numbers_are_kept_as_given() -> None:
    config = create({"task_duration": 90.5, "like_probable": 12.5, "min_duration": 1, "max_duration": 1})
    assert (config.config["task_duration"], config.config["like_probable"]) == (90.5, 12.5)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ({"follow_probable": 40}, 40),
        ({"floow_probable": 30}, 30),
        ({"floow_probable": 30, "follow_probable": 40}, 30),
        ({"follow_probable": 40, "floow_probable": 30}, 30),
    ],
)
def test_follow_probable_is_stored_as_floow_probable(given: dict, stored: int) -> None:
    config = create(given).config
    assert config["floow_probable"] == stored
    assert "follow_probable" not in config


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"task_duration": 0}, "script_config.task_duration must be greater than 0 and at most 86400, got 0"),
        ({"task_duration": -3}, "script_config.task_duration must be greater than 0 and at most 86400, got -3"),
        ({"task_duration": "600"}, 'script_config.task_duration must be a number, got "600"'),
        ({"task_duration": True}, "script_config.task_duration must be a number, got true"),
        ({"min_duration": 0}, "script_config.min_duration must be greater than 0 and at most 86400, got 0"),
        ({"min_duration": 20, "max_duration": 10}, "script_config.min_duration (20) must not exceed max_duration (10)"),
        ({"min_duration": 40}, "script_config.min_duration (40) must not exceed max_duration (30)"),
        ({"like_probable": 140}, "script_config.like_probable must be between 0 and 100, got 140"),
        ({"collect_probable": -0.5}, "script_config.collect_probable must be between 0 and 100, got -0.5"),
        ({"follow_probable": 101}, "script_config.follow_probable must be between 0 and 100, got 101"),
        (
            {"comment_probable": None, "floow_probable": [1]},
            "script_config.floow_probable must be a number, got an array",
        ),
        ({"topic": 1}, "script_config.topic must be a string, got 1"),
        ({"insert_emoji": 0}, "script_config.insert_emoji must be true or false, got 0"),
        (
            {"comment_order": "shuffled"},
            'script_config.comment_order must be one of "random", "sequential", got "shuffled"',
        ),
        ({"generate_by_chatgpt": "true"}, 'script_config.generate_by_chatgpt must be true or false, got "true"'),
        ({"chatgpt_settings": "sk-1"}, 'script_config.chatgpt_settings must be an object, got "sk-1"'),
        (
            {"chatgpt_settings": {"temperature": 2.5}},
            "script_config.chatgpt_settings.temperature must be between 0 and 2, got 2.5",
        ),
        (
            {"chatgpt_settings": {"max_tokens": 0}},
            "script_config.chatgpt_settings.max_tokens must be between 1 and 1000000, got 0",
        ),
        (
            {"chatgpt_settings": {"model": " "}},
            'script_config.chatgpt_settings.model must be a non-empty string, got " "',
        ),
        (
            {"chatgpt_settings": {"base_url": "file:///etc"}},
            'script_config.chatgpt_settings.base_url must be an http:// or https:// URL, got "file:///etc"',
        ),
        (
            {"generate_by_chatgpt": True},
            "script_config.chatgpt_settings.api_key is required when generate_by_chatgpt is true",
        ),
        (
            {"generate_by_chatgpt": True, "chatgpt_settings": {"api_key": "  "}},
            "script_config.chatgpt_settings.api_key is required when generate_by_chatgpt is true",
        ),
    ],
)
def test_bad_values_are_named(config: dict, message: str) -> None:
    assert refusal(config) == message


def test_the_api_key_is_set_apart_and_shown_as_stars() -> None:
    settings = {
        "api_key": " sk-canary ",
        "model": "gpt-4o-mini",
        "temperature": 1,
        "base_url": "https://llm.example/v1",
    }
    request = create({"generate_by_chatgpt": True, "chatgpt_settings": settings})
    assert request.secrets == {"chatgpt_api_key": "sk-canary"}
    assert request.config["chatgpt_settings"] == {
        **SETTINGS,
        "api_key": "***",
        "model": "gpt-4o-mini",
        "temperature": 1,
        "base_url": "https://llm.example/v1",
    }
    assert "sk-canary" not in json.dumps(request.config)


def test_an_api_key_that_is_not_used_is_not_kept() -> None:
    request = create({"generate_by_chatgpt": False, "chatgpt_settings": {"api_key": "sk-canary"}})
    assert request.secrets == {}
    assert request.config["chatgpt_settings"]["api_key"] == ""
