"""follow, unfollow and comment: targets, aliases, post URLs and their own fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import ApiError
from service.requests import CreateTaskRequest, FilePolicy, parse_create_task

POLICY = FilePolicy(data_dir=Path("/nonexistent-data-dir"))
VIDEO = "https://www.tiktok.com/@creator/video/7301234567890123456"
SHORT = "https://vm.tiktok.com/ZMabc123/"


def create(script: str, config: dict) -> CreateTaskRequest:
    body = {"serials": ["s"], "script_name": script, "script_config": config}
    return parse_create_task(json.dumps(body).encode(), POLICY)


def refusal(script: str, config: dict) -> str:
    with pytest.raises(ApiError) as caught:
        create(script, config)
    assert int(caught.value.code) == 40001
    return caught.value.message


# --- follow and unfollow ---------------------------------------------------------------


@pytest.mark.parametrize("script", ["follow", "unfollow"])
@pytest.mark.parametrize(
    ("config", "targets"),
    [
        ({"target_users": ["@a", " b ", "C"]}, ("@a", "b", "C")),
        ({"target_user": "@a"}, ("@a",)),
        ({"target_user": "a, @b\nc\r\n,,d "}, ("a", "@b", "c", "d")),
        ({"target_username": "@x"}, ("@x",)),
        ({"target_users": ["a"], "target_user": "b"}, ("a",)),
        ({"target_user": "b", "target_users": ["a"]}, ("a",)),
        ({"target_users": [], "target_user": "b"}, ("b",)),
        ({"target_user": "a", "target_username": "b"}, ("a",)),
        ({"target_username": "b", "target_user": "a"}, ("a",)),
        ({"target_users": ["a", "a"]}, ("a", "a")),
    ],
)
def test_follow_targets(script: str, config: dict, targets: tuple) -> None:
    request = create(script, config)
    assert request.targets == targets
    assert request.config == {"access_method": "direct"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "script_config needs at least one target: target_users or target_user"),
        ({"target_user": " , \n"}, "script_config needs at least one target: target_users or target_user"),
        ({"target_users": []}, "script_config needs at least one target: target_users or target_user"),
        ({"target_users": "a"}, 'script_config.target_users must be an array, got "a"'),
        ({"target_users": ["a", ""]}, 'script_config.target_users[1] must be a non-empty string, got ""'),
        ({"target_users": ["a", 7]}, "script_config.target_users[1] must be a non-empty string, got 7"),
        ({"target_users": ["@"]}, 'script_config.target_users[0] must name someone after its optional "@", got "@"'),
        ({"target_user": "a, @"}, 'script_config.target_user must name someone after its optional "@", got "@"'),
        ({"target_username": "@"}, 'script_config.target_username must name someone after its optional "@", got "@"'),
        ({"target_user": ["a"]}, "script_config.target_user must be a string, got an array"),
        (
            {"target_user": "a", "access_method": "url"},
            'script_config.access_method must be one of "direct", "search", got "url"',
        ),
    ],
)
def test_bad_follow_configs_are_named(config: dict, message: str) -> None:
    assert refusal("follow", config) == message


def test_access_method_search_is_kept() -> None:
    assert create("unfollow", {"target_user": "a", "access_method": "search"}).config == {"access_method": "search"}


def test_at_most_ten_thousand_targets() -> None:
    assert len(create("follow", {"target_users": ["u"] * 10_000}).targets) == 10_000
    assert refusal("follow", {"target_users": ["u"] * 10_001}) == (
        "script_config.target_users has 10,001 entries; at most 10,000 are allowed"
    )
    assert refusal("follow", {"target_user": ",".join(["u"] * 10_001)}) == (
        "script_config.target_user has 10,001 targets; at most 10,000 are allowed"
    )


# --- comment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        VIDEO,
        VIDEO + "/",
        VIDEO + "?is_from_webapp=1&sender_device=pc",
        "https://www.tiktok.com/@some.user_1/video/1",
        "http://www.tiktok.com/@u/video/1",
        SHORT,
        "https://vm.tiktok.com/ZMabc123",
        "https://www.instagram.com/p/Cx_a-1/",
        "https://www.instagram.com/reel/Cx_a-1/",
        "https://www.instagram.com/reel/Cx_a-1/?igsh=abc",
    ],
)
def test_tiktok_and_instagram_post_urls_are_accepted(url: str) -> None:
    assert create("comment", {"target_post_url": url, "comment_content": "nice"}).targets == (url,)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tiktok.com/@u",
        "https://www.tiktok.com/@u/video/abc",
        "https://www.tiktok.com.evil.example/@u/video/1",
        "https://evil.example/?u=https://www.tiktok.com/@u/video/1",
        "ftp://www.tiktok.com/@u/video/1",
        "https://www.instagram.com/stories/u/1/",
        "https://www.youtube.com/watch?v=x",
        "www.tiktok.com/@u/video/1",
        "javascript:alert(1)",
        "https://www.tiktok.com/@u/video/1 and more",
    ],
)
def test_anything_else_is_refused_as_a_post_url(url: str) -> None:
    assert refusal("comment", {"target_post_urls": [VIDEO, url], "comment_content": "x"}) == (
        f"script_config.target_post_urls[1] must be a TikTok or Instagram post URL, got {json.dumps(url)}"
    )


def test_comment_targets_split_and_the_list_wins() -> None:
    config = {"target_post_url": f"{VIDEO},\n {SHORT}", "comment_content": "x"}
    assert create("comment", config).targets == (VIDEO, SHORT)
    config = {"target_post_url": "not a url", "target_post_urls": [SHORT], "comment_content": "x"}
    assert create("comment", config).targets == (SHORT,)
    assert refusal("comment", {"target_post_url": f"{VIDEO}, nope", "comment_content": "x"}) == (
        'script_config.target_post_url must be a TikTok or Instagram post URL, got "nope"'
    )


def test_comment_defaults_and_kept_fields() -> None:
    request = create("comment", {"target_post_urls": [VIDEO], "comment_content": "{Great|Nice} video\nWow"})
    assert request.config == {
        "comment_content": "{Great|Nice} video\nWow",
        "comment_order": "random",
        "insert_emoji": False,
        "comment_image_path": "",
    }
    config = {"target_post_urls": [VIDEO], "comment_content": "a", "comment_order": "sequential", "insert_emoji": True}
    assert create("comment", config).config["comment_order"] == "sequential"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"target_post_urls": [VIDEO]},
            "script_config.comment_content is required: one or more comments, one per line",
        ),
        (
            {"target_post_urls": [VIDEO], "comment_content": " \n\n "},
            "script_config.comment_content is required: one or more comments, one per line",
        ),
        ({"comment_content": "x"}, "script_config needs at least one target: target_post_urls or target_post_url"),
        (
            {"target_post_urls": [VIDEO], "comment_content": "x", "comment_order": "Random"},
            'script_config.comment_order must be one of "random", "sequential", got "Random"',
        ),
        (
            {"target_post_urls": [VIDEO], "comment_content": "x", "insert_emoji": "yes"},
            'script_config.insert_emoji must be true or false, got "yes"',
        ),
        ({"target_post_urls": [VIDEO], "comment_content": 5}, "script_config.comment_content must be a string, got 5"),
    ],
)
def test_bad_comment_configs_are_named(config: dict, message: str) -> None:
    assert refusal("comment", config) == message
