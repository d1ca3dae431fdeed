"""End to end: the vendor's Instagram examples run to completed on `droidledger serve --sim --app instagram`, and
leave their mark on the farm's Instagram; an action block fails the task with its text and rests the account."""

from __future__ import annotations

import pytest
from sim_server import SimServer, assert_run

POST_URL = "https://www.instagram.com/p/C9xYz12AbCd/"
REEL_URL = "https://www.instagram.com/reel/C7reel55Zz/"


@pytest.fixture(scope="module")
def server(start_server) -> SimServer:
    """Four phones, each with a TikTok and an Instagram account; tasks that name no app run on Instagram."""
    return start_server("--app", "instagram", sim=4)


def instagram(server: SimServer, serial: str) -> dict:
    state = server.phone(serial)["instagram"]
    return state["accounts"][state["current_account"]]


def test_comment_on_a_post_and_a_reel(server):
    phone = server.serials[0]
    ids = server.create(
        [phone],
        "comment",
        {
            "target_post_urls": [POST_URL, REEL_URL],
            "comment_content": "Great shot!\nLove the {colours|light}",
            "insert_emoji": True,
        },
    )
    tasks = server.wait_done(ids)
    assert [tasks[i]["status_text"] for i in ids] == ["completed", "completed"], [tasks[i]["error"] for i in ids]
    assert [server.task(i)["app"] for i in ids] == ["instagram", "instagram"]
    for task_id in ids:
        assert_run(server.events(task_id), ["prepare", "open-post", "comment"], serial=phone)
        assert server.events(task_id)[0]["data"]["app"] == "instagram"
    assert set(instagram(server, phone)["comments"]) == {"C9xYz12AbCd", "C7reel55Zz"}
    assert server.account(phone)["comments"] == {}  # nothing on TikTok


def test_post_a_reel_from_a_local_folder(server):
    phone = server.serials[1]
    folder = server.data_dir / "reels"
    folder.mkdir()
    (folder / "beach.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(3000))
    [task] = server.create(
        [phone],
        "post",
        {
            "content_type": 0,
            "captions": "Beach day #{summer|sea}",
            "material_source": "localFolder",
            "material_path": str(folder),
            "placement": "reel",
        },
    )
    done = server.wait_done([task])[task]
    assert done["status_text"] == "completed", done["error"]
    assert_run(
        server.events(task),
        ["prepare", "pick-material", "push-media", "open-editor", "caption", "publish", "wait-upload"],
        serial=phone,
    )
    [post] = instagram(server, phone)["posts"]
    assert (post["kind"], post["placement"], post["status"]) == ("reel", "reel", "published")
    assert post["caption"] in ("Beach day #summer", "Beach day #sea")
    assert server.account(phone)["posts"] == []


def test_follow_by_username_and_script_config_app(server):
    phone = server.serials[2]
    [follow] = server.create([phone], "follow", {"target_username": "@natgeo"})
    [on_tiktok] = server.create([phone], "follow", {"target_user": "natgeo", "app": "tiktok"})
    tasks = server.wait_done([follow, on_tiktok])
    assert tasks[follow]["status_text"] == tasks[on_tiktok]["status_text"] == "completed"
    assert (tasks[follow]["app"], tasks[on_tiktok]["app"]) == ("instagram", "tiktok")
    steps = assert_run(server.events(follow), ["prepare", "open-profile", "follow"], serial=phone)
    assert steps[1]["detail"] == "opened https://www.instagram.com/natgeo/"
    assert instagram(server, phone)["follows"] == ["natgeo"] and server.account(phone)["follows"] == ["natgeo"]


def test_an_action_block_fails_the_task_and_rests_the_instagram_account_only(start_server):
    # In-app time at its real pace: the block counts follows per app minute, and two tasks on a busy machine may
    # run more than the 0.6 s apart that a minute lasts at the usual time scale of 0.01.
    server = start_server("--app", "instagram", sim=1, time_scale=1.0)
    phone = server.serials[0]
    [tiktok] = server.create([phone], "match_account", {"app": "tiktok"})
    [match] = server.create([phone], "match_account", {})
    done = server.wait_done([tiktok, match])
    assert (done[tiktok]["app"], done[match]["app"]) == ("tiktok", "instagram")
    assert done[tiktok]["status_text"] == done[match]["status_text"] == "completed"
    username = server.phone(phone)["instagram"]["current_account"]
    tiktok_user = server.phone(phone)["current_account"]
    accounts = server.ok(server.client.get("/account", params={"serial": phone}))["accounts"]
    assert sorted((a["username"], a["package"]) for a in accounts) == sorted(
        [(username, "com.instagram.android"), (tiktok_user, "com.zhiliaoapp.musically")]
    )
    server.faults({"actionblock": 1})
    try:
        ids = server.create([phone], "follow", {"target_users": ["ann.a", "ann.b"]})
        first = server.wait_done(ids[:1])[ids[0]]
        second = server.wait_done(ids[1:])[ids[1]]
    finally:
        server.faults({"reset": True})
    assert first["status_text"] == "completed" and first["app"] == "instagram", first["error"]
    assert second["status_text"] == "failed"
    assert second["error"].startswith("action blocked by Instagram: Try Again Later … We limit how often")
    assert second["failed_step"] == "follow" and any(a.endswith("hierarchy.xml") for a in second["artifacts"])
    assert server.ok(server.client.get(f"/account/{username}"))["restricted"]["reason"] == second["error"]
    assert server.ok(server.client.get(f"/account/{tiktok_user}"))["restricted"] is None
    assert instagram(server, phone)["follows"] == ["ann.a"]
