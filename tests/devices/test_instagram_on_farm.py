"""Every script on the farm's Instagram, through the real adbutils + uiautomator2: each leaves its mark in the
farm's state (follows and requests, comments, posts with their placement, likes, saves)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from phone_runs import TIME_SCALE, make_run, start_farm
from PIL import Image

from devices.driver import U2Driver
from devices.errors import AccountWarned, ScriptFailed
from devices.scripts import SCRIPTS
from devices.ui.instagram import Instagram
from service.clock import SystemClock
from tests.support.script_configs import POST_DEFAULTS as POST

POST_URL = "https://www.instagram.com/p/C9xYz12AbCd/"
REEL_URL = "https://www.instagram.com/reel/C7reel55Zz/?igsh=abc"
COMMENT = {"comment_content": "hi", "comment_order": "random", "insert_emoji": False, "comment_image_path": ""}


@pytest.fixture(scope="module")
def farm():
    """Four phones, each with one TikTok and two Instagram accounts."""
    yield from start_farm(devices=4, accounts_per_device=1, instagram_accounts=2, time_scale=TIME_SCALE, seed=5)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    (folder / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(5000))
    for name, colour in (("red.jpg", (200, 0, 0)), ("green.png", (0, 200, 0)), ("blue.jpg", (0, 0, 200))):
        Image.new("RGB", (32, 32), colour).save(folder / name)
    return folder


def instagram(farm, serial: str) -> dict[str, Any]:
    return farm.state(serial)["instagram"]


def me(farm, serial: str) -> dict[str, Any]:
    state = instagram(farm, serial)
    return state["accounts"][state["current_account"]]


async def run_script(farm, index: int, name: str, config: dict[str, Any], **kw: Any):
    """Prepare Instagram on the phone as the actor does, then run the script as an Instagram task."""
    ui = Instagram(U2Driver(farm.serials[index], adb_port=farm.port, call_timeout_s=5.0), SystemClock(TIME_SCALE))
    await ui.prepare()
    run = make_run(ui, config, serial=farm.serials[index], **kw)
    run.ctx.app = "instagram"
    await SCRIPTS[name].run(run.ctx)
    return run


async def test_follow_by_link_then_unfollow_by_search(farm):
    serial = farm.serials[0]
    run = await run_script(farm, 0, "follow", {"target_users": ["@Grace.Hopper"], "access_method": "direct"})
    assert [(r.name, r.detail, r.actions) for r in run.records] == [
        ("open-profile", "opened https://www.instagram.com/grace.hopper/", ()),
        ("follow", "followed @grace.hopper", ("follow",)),
    ]
    assert "grace.hopper" in me(farm, serial)["follows"]
    assert farm.account(serial)["follows"] == []  # TikTok's account did nothing
    run = await run_script(farm, 0, "follow", {"target_users": ["grace.hopper"], "access_method": "search"})
    assert [(r.detail, r.actions) for r in run.records] == [
        ("found @grace.hopper by search", ()),
        ("already following @grace.hopper", ()),
    ]
    run = await run_script(farm, 0, "unfollow", {"target_users": ["grace.hopper"], "access_method": "search"})
    assert [(r.detail, r.actions) for r in run.records][1] == ("unfollowed @grace.hopper", ("unfollow",))
    assert "grace.hopper" not in me(farm, serial)["follows"]
    run = await run_script(farm, 0, "unfollow", {"target_users": ["grace.hopper"]})
    assert [(r.detail, r.actions) for r in run.records][1] == ("was not following @grace.hopper", ())


async def test_a_private_account_gets_a_request(farm):
    serial = farm.serials[1]
    run = await run_script(farm, 1, "follow", {"target_users": ["private.pia"]})
    assert [r.detail for r in run.records] == [
        "opened https://www.instagram.com/private.pia/ (a private account)",
        "followed @private.pia: requested (a private account)",
    ]
    assert me(farm, serial)["requested"] == ["private.pia"] and "private.pia" not in me(farm, serial)["follows"]
    run = await run_script(farm, 1, "follow", {"target_users": ["private.pia"]})
    assert run.records[1].detail == "already requested to follow @private.pia (a private account)"
    run = await run_script(farm, 1, "unfollow", {"target_users": ["private.pia"]})
    assert run.records[1].detail == "withdrew the follow request to @private.pia (was not following)"
    assert me(farm, serial)["requested"] == []


async def test_unfollowing_a_private_account_confirms_in_its_dialog(farm):
    serial = farm.serials[1]
    run = await run_script(farm, 1, "follow", {"target_users": ["private.friend"]})
    assert run.records[1].detail == "followed @private.friend"  # it accepted at once
    run = await run_script(farm, 1, "unfollow", {"target_users": ["private.friend"]})
    assert [(r.detail, r.actions) for r in run.records][1] == ("unfollowed @private.friend", ("unfollow",))
    assert "private.friend" not in me(farm, serial)["follows"]


@pytest.mark.parametrize("access", ["direct", "search"])
async def test_a_user_that_does_not_exist_fails_with_a_reason(farm, access):
    with pytest.raises(ScriptFailed, match="^user @nosuchuser9 not found$"):
        await run_script(farm, 2, "follow", {"target_users": ["nosuchuser9"], "access_method": access})


async def test_comment_on_a_post_and_a_reel_with_spintax_and_an_emoji(farm):
    serial = farm.serials[2]
    config = {**COMMENT, "comment_content": "Love this {shot|edit}", "insert_emoji": True}
    run = await run_script(farm, 2, "comment", {**config, "target_post_urls": [POST_URL]})
    text = run.records[1].detail.removeprefix("commented ").strip("'")
    assert text.startswith(("Love this shot ", "Love this edit ")) and run.records[1].actions == ("comment",)
    run = await run_script(
        farm, 2, "comment", {**COMMENT, "comment_content": "a\nb\nc", "comment_line": 2, "target_post_urls": [REEL_URL]}
    )
    assert run.records[1].detail == "commented 'b'"
    assert me(farm, serial)["comments"] == {"C9xYz12AbCd": [text], "C7reel55Zz": ["b"]}


async def test_a_post_that_no_longer_exists_fails_with_a_reason(farm):
    url = "https://www.instagram.com/p/0gone12345/"
    with pytest.raises(ScriptFailed, match="^post not available"):
        await run_script(farm, 3, "comment", {**COMMENT, "target_post_urls": [url]})


async def test_match_account_reads_the_instagram_accounts(farm):
    run = await run_script(farm, 3, "match_account", {})
    accounts = list(instagram(farm, farm.serials[3])["accounts"])
    assert len(accounts) == 2 and run.registered == [accounts]
    assert not set(accounts) & set(farm.state(farm.serials[3])["accounts"])  # TikTok's are others


async def test_a_double_tap_on_the_media_likes_it(farm):
    ui = Instagram(U2Driver(farm.serials[2], adb_port=farm.port, call_timeout_s=5.0), SystemClock(TIME_SCALE))
    await ui.prepare()
    await ui.feed.open_for_you()
    before = len(me(farm, farm.serials[2])["likes"])
    media = await ui.session.find("post_media")
    await ui.session.tap(media)
    assert len(me(farm, farm.serials[2])["likes"]) == before  # one tap does not like
    await ui.session.double_tap(media)
    assert len(me(farm, farm.serials[2])["likes"]) == before + 1
    heart = await ui.session.find("post_like")
    assert heart.selected and heart.desc == "Liked"
    assert await ui.feed.like() is False  # already liked


async def test_post_a_reel_a_carousel_and_a_story(farm, media):
    serial = farm.serials[3]
    await run_script(
        farm, 3, "post", {**POST, "captions": "first {reel|clip}", "material_list": [str(media / "clip.mp4")]}
    )
    images = [str(media / n) for n in ("red.jpg", "green.png", "blue.jpg")]
    run = await run_script(
        farm, 3, "post", {**POST, "content_type": 1, "image_count": 3, "captions": "three", "material_list": images}
    )
    assert run.records[2].detail == "a carousel of 3 files on the POST tab"
    await run_script(
        farm, 3, "post", {**POST, "content_type": 1, "placement": "story", "material_list": [str(media / "red.jpg")]}
    )
    run = await run_script(
        farm, 3, "post", {**POST, "content_type": 1, "captions": "one", "material_list": [str(media / "green.png")]}
    )
    assert run.records[2].detail == "a photo of 1 file on the POST tab"
    posts = [(p["kind"], p["placement"], p["caption"], len(p["media"]), p["status"]) for p in me(farm, serial)["posts"]]
    assert posts[0][0:2] == ("reel", "reel") and posts[0][2] in ("first reel", "first clip")
    assert posts[1:] == [
        ("carousel", "post", "three", 3, "published"),
        ("story", "story", "", 1, "published"),
        ("photo", "post", "one", 1, "published"),
    ]
    carousel = me(farm, serial)["posts"][1]["media"]
    assert [Path(p).name.split("_", 2)[2] for p in carousel] == ["red.jpg", "green.png", "blue.jpg"]


async def test_warmup_watches_the_feed_then_reels_liking_and_saving(farm):
    serial = farm.serials[1]
    run = await run_script(
        farm,
        1,
        "account_warmup",
        {"task_duration": 80, "min_duration": 10, "max_duration": 10, "like_probable": 100, "collect_probable": 100},
    )
    names = [r.name for r in run.records]
    assert names[0] == "open-feed" and "open-reels" in names
    account = me(farm, serial)
    watched = [r for r in run.records if r.name == "watch-video"]
    assert len(watched) == 8 and all(("like" in r.actions and "collect" in r.actions) for r in watched)
    assert len(account["likes"]) == 8 and len(account["saves"]) == 8


async def test_warmup_on_a_topic_follows_and_comments(farm):
    serial = farm.serials[0]
    run = await run_script(
        farm,
        0,
        "account_warmup",
        {
            "task_duration": 20,
            "min_duration": 10,
            "max_duration": 10,
            "topic": "hiking",
            "floow_probable": 100,
            "comment_probable": 100,
            "comment": "wow",
            "comment_order": "sequential",
        },
    )
    assert run.records[0].detail == "searched 'hiking'"
    account = me(farm, serial)
    assert "hiking" in account["searches"] and len(account["follows"]) >= 1
    assert sum(len(texts) for texts in account["comments"].values()) == 2


async def test_the_action_block_is_a_warning_with_its_text():
    # A farm whose app minute lasts a real minute: the block counts follows per app minute.
    with contextmanager(start_farm)(devices=1, time_scale=1.0, seed=6, faults="actionblock=1") as farm:
        await run_script(farm, 0, "follow", {"target_users": ["ada.one"]})
        with pytest.raises(AccountWarned) as warned:
            await run_script(farm, 0, "follow", {"target_users": ["ada.two"]})
        assert warned.value.reason == (
            "action blocked by Instagram: Try Again Later … We limit how often you can do certain things on"
            " Instagram to protect our community. Tell us if you think we made a mistake."
        )
        assert me(farm, farm.serials[0])["follows"] == ["ada.one"]


@pytest.mark.parametrize(
    ("kind", "title"),
    [("save_login", "Save your login info? (Not now)"), ("notifications", "Turn on notifications (Not Now)")],
)
async def test_dialogs_are_dismissed_and_named(farm, kind, title):
    serial = farm.serials[0]
    ui = Instagram(U2Driver(serial, adb_port=farm.port, call_timeout_s=5.0), SystemClock(TIME_SCALE))
    await ui.prepare()
    ui.take_dismissed()
    farm.faults(f"popup={serial}:{kind}")
    assert instagram(farm, serial)["dialog"] == kind
    await ui.profiles.open(f"linus.{kind}")
    assert await ui.profiles.follow(f"linus.{kind}") == f"followed @linus.{kind}"
    assert ui.take_dismissed() == [title]
    assert f"linus.{kind}" in me(farm, serial)["follows"] and instagram(farm, serial)["dialog"] is None
