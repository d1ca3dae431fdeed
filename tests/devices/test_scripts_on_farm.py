"""Every script end to end on virtual phones, through the real adbutils + uiautomator2: each leaves its mark."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_openai import fake_openai, reply
from phone_runs import FakeMaterials, make_run, phone_ui, start_farm
from PIL import Image

from devices.errors import ScriptFailed
from devices.scripts import SCRIPTS
from devices.scripts.base import RunHalted
from devices.scripts.texts import EMOJIS
from service.domain.admission import Allowance, Standing
from service.domain.limits import Limits, effective
from service.requests.spintax import resolve_spintax
from tests.support.script_configs import POST_DEFAULTS as POST

VIDEO_URL = "https://www.tiktok.com/@creator/video/7234567890123456789"


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    (folder / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(5000))
    (folder / "other.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(7000))
    for name, colour in (("red.jpg", (200, 0, 0)), ("green.png", (0, 200, 0)), ("blue.jpg", (0, 0, 200))):
        Image.new("RGB", (32, 32), colour).save(folder / name)
    return folder


async def run_script(farm, index: int, name: str, config: dict[str, Any], **kw: Any):
    """Prepare the phone as the actor does, then run the script."""
    ui = phone_ui(farm, index)
    await ui.prepare()
    run = make_run(ui, config, serial=farm.serials[index], **kw)
    await SCRIPTS[name].run(run.ctx)
    return run


async def test_follow_by_url_then_unfollow_by_search(farm):
    serial = farm.serials[0]
    run = await run_script(farm, 0, "follow", {"target_users": ["@Grace.Hopper"], "access_method": "direct"})
    assert [(r.name, r.detail, r.actions) for r in run.records] == [
        ("open-profile", "opened https://www.tiktok.com/@grace.hopper", ()),
        ("follow", "followed @grace.hopper", ("follow",)),
    ]
    assert "grace.hopper" in farm.account(serial)["follows"]
    run = await run_script(farm, 0, "unfollow", {"target_users": ["grace.hopper"], "access_method": "search"})
    assert [(r.detail, r.actions) for r in run.records] == [
        ("found @grace.hopper by search", ()),
        ("unfollowed @grace.hopper", ("unfollow",)),
    ]
    assert "grace.hopper" not in farm.account(serial)["follows"]
    run = await run_script(farm, 0, "unfollow", {"target_users": ["grace.hopper"]})
    assert [(r.detail, r.actions) for r in run.records][1] == ("was not following @grace.hopper", ())


@pytest.mark.parametrize("access", ["direct", "search"])
async def test_a_user_that_does_not_exist_fails_with_a_reason(farm, access):
    with pytest.raises(ScriptFailed, match=r"^user @nosuchuser1 not found$"):
        await run_script(farm, 0, "follow", {"target_users": ["nosuchuser1"], "access_method": access})


async def test_comment_with_spintax_emoji_and_an_image(farm, media, tmp_path):
    serial = farm.serials[1]
    (tmp_path / "upload").mkdir()
    Image.new("RGB", (16, 16), (9, 9, 9)).save(tmp_path / "upload" / "pic.jpg")
    config = {
        "target_post_urls": [VIDEO_URL],
        "comment_content": "{Great|Nice} video\nsecond line",
        "comment_order": "sequential",
        "comment_line": 1,
        "insert_emoji": True,
        "comment_image_path": "pic.jpg",
    }
    run = await run_script(farm, 1, "comment", config, data_dir=tmp_path, seed=4)
    [comment] = farm.account(serial)["comments"]["7234567890123456789"]
    rng = random.Random(4)
    expected = resolve_spintax("{Great|Nice} video", rng)
    assert comment["text"].startswith(expected + " ") and comment["text"][len(expected) + 1 :] in EMOJIS
    assert comment["image"] == "/sdcard/Pictures/droidledger/t7_0_pic.jpg"
    assert [r.name for r in run.records] == ["open-post", "push-image", "comment"]


async def test_comment_on_a_missing_video(farm):
    config = {"comment_content": "hi", "comment_order": "random", "insert_emoji": False, "comment_image_path": ""}
    with pytest.raises(ScriptFailed, match="video not available"):
        await run_script(farm, 1, "comment", {**config, "target_post_urls": ["https://www.tiktok.com/@a/video/0123"]})


async def test_post_shares_a_video_with_a_custom_sound_volumes_caption_and_product_link(farm, media):
    serial = farm.serials[2]
    config = {
        **POST,
        "material_list": [str(media / "clip.mp4")],
        "captions": "{Morning|Evening} vibes #fyp",
        "add_sound": "custom",
        "custom_sound_keyword": "summer",
        "origin_sound_volume": 30,
        "add_sound_volume": 80,
        "add_product_link": 1,
    }
    run = await run_script(farm, 2, "post", config, seed=9)
    post = farm.account(serial)["posts"][-1]
    assert post["caption"] == resolve_spintax(config["captions"], random.Random(9))
    assert post["media"] == ["/sdcard/DCIM/droidledger/t7_0_clip.mp4"] and post["kind"] == "video"
    assert (post["sound"], post["original_volume"], post["added_volume"]) == ("Summer Vibes", 30, 80)
    assert post["product_link"] is True and post["status"] == "published"
    assert len(run.records) == SCRIPTS["post"].planned_steps(config) == 7


async def test_post_images_from_a_folder_with_the_add_button(farm, media):
    serial = farm.serials[2]
    config = {
        **POST,
        "content_type": 1,
        "image_count": 2,
        "material_source": "localFolder",
        "material_path": str(media),
        "post_way": "addButton",
        "captions": "two pictures",
    }
    await run_script(farm, 2, "post", config)
    post = farm.account(serial)["posts"][-1]
    assert post["kind"] == "photo" and len(post["media"]) == 2 and post["caption"] == "two pictures"
    assert post["sound"] is None and post["status"] == "published"


async def test_post_from_the_library_with_a_sound_by_url(farm, media):
    serial = farm.serials[3]
    library = FakeMaterials([media / "other.mp4"])
    config = {
        **POST,
        "materials_tags": "",
        "post_way": "useSound",
        "add_sound_volume": 20,
        "sound_name": "https://www.tiktok.com/music/Chill-Guitar-7000000000000000001",
        "captions": "by sound",
    }
    await run_script(farm, 3, "post", config, materials=library)
    post = farm.account(serial)["posts"][-1]
    assert post["media"] == ["/sdcard/DCIM/droidledger/t7_0_other.mp4"]
    assert (post["sound"], post["added_volume"], post["status"]) == ("Chill Guitar", 20, "published")


async def test_post_with_a_sound_found_by_its_name(farm, media):
    serial = farm.serials[3]
    config = {**POST, "material_list": [str(media / "clip.mp4")], "post_way": "useSound", "sound_name": "Ocean Waves"}
    await run_script(farm, 3, "post", config)
    assert farm.account(serial)["posts"][-1]["sound"] == "Ocean Waves"


@pytest.fixture(scope="module")
def slow_app_farm():
    """One phone whose app keeps real time (an upload takes its 6 s) while the script's waits are
    scaled: the upload outlasts the script's wait on any machine, however slow."""
    yield from start_farm(devices=1, accounts_per_device=1, time_scale=1.0, seed=3)


async def test_post_fails_when_the_upload_outlasts_its_wait(slow_app_farm, media):
    config = {**POST, "material_list": [str(media / "clip.mp4")], "upload_wait_time": 1}
    with pytest.raises(ScriptFailed, match=r"^upload did not finish in 1 s$"):
        await run_script(slow_app_farm, 0, "post", config)


async def test_post_without_matching_material_fails(farm):
    with pytest.raises(ScriptFailed, match="^no material matches tags cats$"):
        await run_script(farm, 4, "post", {**POST, "materials_tags": "cats"})


WARMUP = {
    "task_duration": 80,
    "topic": "",
    "min_duration": 10,
    "max_duration": 20,
    "like_probable": 50,
    "floow_probable": 0,
    "collect_probable": 100,
    "comment_probable": 0,
    "comment": "",
    "insert_emoji": False,
    "comment_order": "random",
    "generate_by_chatgpt": False,
    "chatgpt_settings": {},
}


async def test_warmup_likes_and_favourites_as_its_seed_draws(farm):
    serial = farm.serials[5]
    before = farm.account(serial)
    run = await run_script(farm, 5, "account_warmup", WARMUP, seed=21)
    rng, watched, draws = random.Random(21), 0.0, []
    while watched < 80:
        watched += min(rng.uniform(10, 20), 80 - watched)
        draws.append([rng.random() * 100 < p for p in (50, 0, 100, 0)])
    after = farm.account(serial)
    videos = run.records[1:]
    assert len(videos) == len(draws) and all(r.name == "watch-video" for r in videos)
    assert len(after["likes"]) - len(before["likes"]) == sum(d[0] for d in draws)
    assert len(after["favourites"]) - len(before["favourites"]) == len(draws)
    assert [("liked" in r.detail) for r in videos] == [d[0] for d in draws]
    assert after["follows"] == before["follows"]


async def test_a_warmup_stops_liking_at_the_daily_limit_and_goes_on_watching(farm):
    serial = farm.serials[5]
    before = farm.account(serial)
    limits = effective(Limits(daily={"like": 3, "collect": 0}), None, UTC)
    allowance = Allowance([Standing("me", "me", limits, {"like": 2})], datetime.now(UTC))
    config = {**WARMUP, "like_probable": 100, "collect_probable": 100, "task_duration": 40}
    run = await run_script(farm, 5, "account_warmup", config, seed=3, allowance=allowance)
    videos = run.records[1:]
    assert len(videos) >= 2
    assert [r.actions for r in videos] == [("like",)] + [()] * (len(videos) - 1)
    assert all("no collect (daily collect limit)" in r.detail for r in videos)
    assert all("no like (daily like limit)" in r.detail for r in videos[1:])
    assert len(farm.account(serial)["likes"]) - len(before["likes"]) == 1
    assert farm.account(serial)["favourites"] == before["favourites"]


async def test_warmup_on_a_topic_follows_and_comments_from_templates(farm):
    serial = farm.serials[4]
    config = {
        **WARMUP,
        "topic": "baking",
        "task_duration": 30,
        "like_probable": 0,
        "collect_probable": 0,
        "floow_probable": 100,
        "comment_probable": 100,
        "comment": "so {good|tasty}",
        "insert_emoji": True,
    }
    run = await run_script(farm, 4, "account_warmup", config)
    account = farm.account(serial)
    assert "baking" in account["searches"] and run.records[0].detail == "searched 'baking'"
    written = [c["text"] for comments in account["comments"].values() for c in comments]
    assert len(written) == len(run.records) - 1 and all(t.split(" ")[1] in ("good", "tasty") for t in written)
    assert len(account["follows"]) >= len(run.records) - 1


async def test_warmup_comments_written_by_chatgpt(farm):
    serial = farm.serials[0]
    config = {
        **WARMUP,
        "task_duration": 15,
        "like_probable": 0,
        "collect_probable": 0,
        "comment_probable": 100,
        "generate_by_chatgpt": True,
    }
    with fake_openai(reply("What a view!")) as api:
        config["chatgpt_settings"] = {
            "api_key": "***",
            "model": "gpt-test",
            "prompt": "Be kind.",
            "max_tokens": 30,
            "temperature": 0.5,
            "base_url": api.base_url,
        }
        await run_script(farm, 0, "account_warmup", config, secrets={"chatgpt_api_key": "sk-farm"})
    written = [c["text"] for comments in farm.account(serial)["comments"].values() for c in comments]
    assert "What a view!" in written
    assert api.requests and api.requests[0][1]["authorization"] == "Bearer sk-farm"


async def test_match_account_registers_the_phones_accounts(farm):
    serial = farm.serials[5]
    run = await run_script(farm, 5, "match_account", {})
    assert run.registered == [list(farm.state(serial)["accounts"])]


async def test_a_stop_between_steps_halts_the_script(farm):
    with pytest.raises(RunHalted):
        await run_script(
            farm, 1, "follow", {"target_users": ["stopped_before"], "access_method": "direct"}, stop_after=1
        )
    assert "stopped_before" not in farm.account(farm.serials[1])["follows"]


async def test_scripts_survive_dialogs_popping_up_on_one_call_in_twenty(farm, media):
    serial = farm.serials[3]
    farm.faults("dialog=0.05")
    try:
        await run_script(farm, 3, "follow", {"target_users": ["popup_proof"], "access_method": "search"})
        await run_script(
            farm,
            3,
            "comment",
            {
                "target_post_urls": [VIDEO_URL],
                "comment_content": "through popups",
                "comment_order": "random",
                "insert_emoji": False,
                "comment_image_path": "",
            },
        )
        await run_script(
            farm,
            3,
            "post",
            {
                **POST,
                "material_list": [str(media / "clip.mp4")],
                "captions": "popups",
                "add_sound": "1",
                "add_product_link": 1,
            },
        )
    finally:
        farm.faults("reset")
    account = farm.account(serial)
    assert "popup_proof" in account["follows"]
    assert "through popups" in [c["text"] for c in account["comments"]["7234567890123456789"]]
    assert account["posts"][-1]["caption"] == "popups" and account["posts"][-1]["product_link"]


async def test_a_newer_app_version_posts_by_labels_and_confirms_publishing(farm, media):
    serial = farm.serials[4]
    farm.faults(f"version={serial}:35.1.0")
    try:
        config = {
            **POST,
            "content_type": 1,
            "image_count": 2,
            "material_list": [str(media / "red.jpg"), str(media / "blue.jpg")],
            "post_way": "addButton",
            "captions": "newer app",
            "add_sound": "custom",
            "custom_sound_keyword": "ocean",
            "add_sound_volume": 70,
        }
        await run_script(farm, 4, "post", config)
    finally:
        farm.faults(f"version={serial}:34.1.2")
    post = farm.account(serial)["posts"][-1]
    assert (post["caption"], post["sound"], post["added_volume"], post["status"]) == (
        "newer app",
        "Ocean Waves",
        70,
        "published",
    )
    assert len(post["media"]) == 2
