"""Which app each task runs on: script_config.app, a post URL or a placement, the account's app, the default;
and the contradictions refused (docs/instagram.md, "Which app a task runs on")."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.errors import ApiError
from service.requests import FilePolicy, fan_out, parse_create_task

NOW = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
IG_POST = "https://www.instagram.com/p/C9xYz12AbCd/"
IG_REEL = "https://www.instagram.com/reel/C7reel55Zz/"
TT_VIDEO = "https://www.tiktok.com/@alice/video/7300000000000000042"
# phone A has a TikTok and an Instagram account; B only a TikTok one
ACCOUNTS = {"A": ["tt_anna", "ig_anna"], "B": ["tt_bob"]}
APPS = {"tt_anna": "tiktok", "ig_anna": "instagram", "tt_bob": "tiktok"}


def apps_of(body: dict, *, default: str = "tiktok", data_dir: Path = Path("/nonexistent-data-dir")) -> list[str]:
    request = parse_create_task(json.dumps(body).encode(), FilePolicy(data_dir=data_dir))
    device_of = {name: serial for serial, names in ACCOUNTS.items() for name in names}
    tasks = fan_out(
        request,
        accounts_by_device=ACCOUNTS,
        device_of_account=device_of,
        now=NOW,
        rng=random.Random(1),
        app_of_account=APPS,
        default_app=default,
    )
    return [task.app for task in tasks]


def refusal(body: dict, **kwargs) -> str:
    with pytest.raises(ApiError) as caught:
        apps_of(body, **kwargs)
    assert int(caught.value.code) == 40001
    return caught.value.message


def follow(config: dict | None = None, **body) -> dict:
    return {"serials": ["A"], "script_name": "follow", "script_config": {"target_user": "x", **(config or {})}, **body}


def comment(urls: list[str], config: dict | None = None, **body) -> dict:
    return {
        "serials": ["A"],
        "script_name": "comment",
        "script_config": {"target_post_urls": urls, "comment_content": "hi", **(config or {})},
        **body,
    }


def test_script_config_app_wins_over_the_default() -> None:
    assert apps_of(follow({"app": "instagram"})) == ["instagram"]
    assert apps_of(follow({"app": "tiktok"}), default="instagram") == ["tiktok"]


def test_without_anything_naming_an_app_the_servers_default_decides() -> None:
    assert apps_of(follow()) == ["tiktok"]
    assert apps_of(follow(), default="instagram") == ["instagram"]


def test_a_comment_runs_on_the_app_of_its_post_url() -> None:
    assert apps_of(comment([IG_POST, IG_REEL, TT_VIDEO])) == ["instagram", "instagram", "tiktok"]
    assert apps_of(comment([TT_VIDEO]), default="instagram") == ["tiktok"]


def test_an_instagram_placement_makes_a_post_instagrams() -> None:
    post = {"serials": ["A"], "script_name": "post", "script_config": {"content_type": 1, "placement": "story"}}
    assert apps_of(post) == ["instagram"]
    post["script_config"] = {"content_type": 1}
    assert apps_of(post) == ["tiktok"]


def test_a_task_on_an_account_runs_on_the_app_that_account_lives_in() -> None:
    body = {"usernames": ["ig_anna", "tt_bob"], "script_name": "follow", "script_config": {"target_user": "x"}}
    assert apps_of(body) == ["instagram", "tiktok"]
    assert apps_of(body, default="instagram") == ["instagram", "tiktok"]


def test_the_config_and_the_account_agree_or_the_username_is_named() -> None:
    body = {
        "usernames": ["ig_anna", "tt_bob"],
        "script_name": "follow",
        "script_config": {"target_user": "x", "app": "instagram"},
    }
    message = refusal(body)
    assert message.startswith('usernames[1] "tt_bob" is a TikTok account, but the task runs on Instagram')
    body = {
        "usernames": ["tt_bob"],
        "script_name": "comment",
        "script_config": {"target_post_url": IG_POST, "comment_content": "hi"},
    }
    assert "is an Instagram post URL" in refusal(body)


def test_a_tiktok_url_with_app_instagram_is_refused_naming_both_fields() -> None:
    message = refusal(comment([IG_POST, TT_VIDEO], {"app": "instagram"}))
    assert message == ('script_config.target_post_urls[1] is a TikTok post URL but script_config.app is "instagram"')
    message = refusal(comment([IG_REEL], {"app": "tiktok"}))
    assert message == 'script_config.target_post_urls[0] is an Instagram post URL but script_config.app is "tiktok"'


def test_a_comment_image_on_instagram_is_refused(tmp_path: Path) -> None:
    (tmp_path / "upload").mkdir()
    (tmp_path / "upload" / "cat.png").write_bytes(b"png")
    assert apps_of(comment([TT_VIDEO], {"comment_image_path": "cat.png"}), data_dir=tmp_path) == ["tiktok"]
    for body in (
        comment([IG_POST], {"comment_image_path": "cat.png"}),
        comment([TT_VIDEO], {"comment_image_path": "cat.png", "app": "tiktok"})
        | {"script_config": {"target_post_urls": [IG_REEL], "comment_content": "hi", "comment_image_path": "cat.png"}},
    ):
        assert refusal(body, data_dir=tmp_path) == (
            "script_config.comment_image_path is TikTok only: a comment on Instagram cannot carry an image"
        )


def test_instagram_only_and_tiktok_only_post_options_do_not_mix() -> None:
    post = {
        "serials": ["A"],
        "script_name": "post",
        "script_config": {"content_type": 1, "app": "tiktok", "placement": "reel"},
    }
    assert refusal(post) == 'script_config.placement is Instagram only, but script_config.app is "tiktok"'
    post["script_config"] = {"content_type": 1, "placement": "reel", "add_product_link": 1}
    assert refusal(post) == "script_config.add_product_link is TikTok only: an Instagram post has no product link"


def test_an_unknown_app_is_refused() -> None:
    assert refusal(follow({"app": "youtube"})) == (
        'script_config.app must be one of "tiktok", "instagram", got "youtube"'
    )


def test_multi_account_takes_each_phones_accounts_of_the_tasks_app() -> None:
    body = follow({"app": "instagram"}, serials=["A", "B"], enable_multi_account=True)
    request = parse_create_task(json.dumps(body).encode(), FilePolicy(data_dir=Path("/x")))
    device_of = {name: serial for serial, names in ACCOUNTS.items() for name in names}
    tasks = fan_out(
        request,
        accounts_by_device=ACCOUNTS,
        device_of_account=device_of,
        now=NOW,
        rng=random.Random(1),
        app_of_account=APPS,
    )
    assert [(t.serial, t.username, t.app) for t in tasks] == [("A", "ig_anna", "instagram"), ("B", None, "instagram")]
    body = follow(serials=["A"], enable_multi_account=True)
    request = parse_create_task(json.dumps(body).encode(), FilePolicy(data_dir=Path("/x")))
    tasks = fan_out(
        request,
        accounts_by_device=ACCOUNTS,
        device_of_account=device_of,
        now=NOW,
        rng=random.Random(1),
        app_of_account=APPS,
    )
    assert [(t.username, t.app) for t in tasks] == [("tt_anna", "tiktok")]


def test_multi_account_refuses_urls_of_both_apps() -> None:
    body = comment([IG_POST, TT_VIDEO], enable_multi_account=True)
    assert "mixes TikTok and Instagram posts" in refusal(body)
