"""End to end: each script runs on a virtual phone through a real `droidledger serve --sim` process,
records its steps as events, and leaves its mark on the phone (read back through /sim/state).

One server for the module; each test works on phones (or accounts) no other test touches.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from sim_server import SimServer, assert_run, kinds

VIDEO = "https://www.tiktok.com/@mia.lopez/video/7300000000000000042"
CAPTIONS = {f"{a} day in {b} #walk" for a in ("Sunny", "Rainy") for b in ("Paris", "Rome")}


@pytest.fixture(scope="module")
def server(start_server) -> SimServer:
    """Seven phones with two accounts each."""
    return start_server("--sim-accounts", "2", sim=7)


def _png(path: Path, colour: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), colour).save(path)
    return path


def _detail(steps: list[dict], name: str) -> str:
    return next(s["detail"] for s in steps if s["name"] == name)


def test_follow_then_unfollow_by_search_changes_whom_the_account_follows(server):
    phone = server.serials[0]
    follow = server.create_one(phone, "follow", {"target_user": "@Dana.Fox"})
    assert server.wait_done([follow])[follow]["status_text"] == "completed"
    steps = assert_run(server.events(follow), ["prepare", "open-profile", "follow"], serial=phone)
    assert [s["detail"] for s in steps[1:]] == ["opened https://www.tiktok.com/@dana.fox", "followed @dana.fox"]
    assert "dana.fox" in server.account(phone)["follows"]

    unfollow = server.create_one(phone, "unfollow", {"target_users": ["dana.fox"], "access_method": "search"})
    assert server.wait_done([unfollow])[unfollow]["status_text"] == "completed"
    steps = assert_run(server.events(unfollow), ["prepare", "open-profile", "unfollow"], serial=phone)
    assert [s["detail"] for s in steps[1:]] == ["found @dana.fox by search", "unfollowed @dana.fox"]
    account = server.account(phone)
    assert "dana.fox" not in account["follows"]
    assert "dana.fox" in account["searches"]
    assert server.task(unfollow)["progress"] == {"step": 3, "steps": 3, "name": "unfollow"}


def test_posts_from_the_library_take_the_least_used_video_with_a_resolved_caption(server):
    phone = server.serials[1]
    library = server.data_dir / "materials" / "walks"
    library.mkdir(parents=True)
    for name in ("a.mp4", "b.mp4"):
        (library / name).write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    config = {"captions": "{Sunny|Rainy} day in {Paris|Rome} #walk", "materials_tags": "walks"}
    first = server.create_one(phone, "post", config)
    server.wait_done([first])
    second = server.create_one(phone, "post", config)
    tasks = server.wait_done([second])
    assert tasks[second]["status_text"] == "completed", tasks[second]["error"]

    steps = ["prepare", "pick-material", "push-media", "open-editor", "caption", "publish", "wait-upload"]
    used, posts = [], []
    for task_id in (first, second):
        events = server.events(task_id)
        recorded = assert_run(events, steps, serial=phone)
        [material] = [e["data"]["paths"] for e in events if e["type"] == "material-used"]
        used += material
        caption = re.fullmatch(r"caption '(.*)'", _detail(recorded, "caption")).group(1)
        assert caption in CAPTIONS
        posts.append(
            {
                "caption": caption,
                "media": [f"/sdcard/DCIM/droidledger/t{task_id}_0_{Path(material[0]).name}"],
                "kind": "video",
                "status": "published",
            }
        )
    assert sorted(used) == ["walks/a.mp4", "walks/b.mp4"]  # least used first: each once
    shown = [{k: p[k] for k in ("caption", "media", "kind", "status")} for p in server.account(phone)["posts"]]
    assert shown == posts


def test_posts_images_from_material_list_through_the_plus_button(server, tmp_path):
    phone = server.serials[1]
    images = [str(_png(tmp_path / f"img{i}.png", (40 * i, 90, 200))) for i in range(3)]
    task = server.create_one(
        phone,
        "post",
        {
            "content_type": 1,
            "image_count": 2,
            "material_list": images,
            "post_way": "addButton",
            "captions": "two of three",
        },
    )
    assert server.wait_done([task])[task]["status_text"] == "completed", server.task(task)["error"]
    steps = assert_run(
        server.events(task),
        ["prepare", "pick-material", "push-media", "open-editor", "caption", "publish", "wait-upload"],
        serial=phone,
    )
    assert _detail(steps, "pick-material") == "picked img0.png, img1.png from material_list"
    post = server.account(phone)["posts"][-1]
    assert post["caption"] == "two of three" and post["status"] == "published"
    assert post["media"] == [f"/sdcard/DCIM/droidledger/t{task}_{i}_img{i}.png" for i in range(2)]


def test_comment_lands_on_the_video_with_its_image(server):
    phone = server.serials[2]
    _png(server.data_dir / "upload" / "cat.png", (200, 10, 10))
    with_image = server.create_one(
        phone,
        "comment",
        {"target_post_urls": [VIDEO], "comment_content": "Lovely shot", "comment_image_path": "cat.png"},
    )
    plain = server.create_one(phone, "comment", {"target_post_url": VIDEO, "comment_content": "{Great|Nice} video"})
    tasks = server.wait_done([with_image, plain])
    assert [tasks[t]["status_text"] for t in (with_image, plain)] == ["completed", "completed"]
    assert_run(server.events(with_image), ["prepare", "open-post", "push-image", "comment"], serial=phone)
    steps = assert_run(server.events(plain), ["prepare", "open-post", "comment"], serial=phone)
    text = re.fullmatch(r"commented '(.*)'", _detail(steps, "comment")).group(1)
    assert text in ("Great video", "Nice video")
    image = f"/sdcard/Pictures/droidledger/t{with_image}_0_cat.png"
    assert server.account(phone)["comments"]["7300000000000000042"] == [
        {"text": "Lovely shot", "image": image},
        {"text": text, "image": None},
    ]
    assert image in server.phone(phone)["media"]


def _watched(server: SimServer, task_id: int) -> tuple[list[str], list[str]]:
    """The watch-video details of a completed warm-up, and the authors they name."""
    steps = [
        e["data"]
        for e in server.events(task_id)
        if e["type"] == "step-completed" and e["data"]["name"] == "watch-video"
    ]
    assert steps, kinds(server.events(task_id))
    details = [s["detail"] for s in steps]
    return details, [re.match(r"watched video \d+ by @(\S+) for", d).group(1) for d in details]


@pytest.mark.parametrize("like, collect, index", [(100, 0, 3), (0, 100, 4)])
def test_warmup_likes_and_favourites_follow_the_probabilities(server, like, collect, index):
    phone = server.serials[index]
    task = server.create_one(
        phone,
        "account_warmup",
        {
            "task_duration": 90,
            "min_duration": 15,
            "max_duration": 20,
            "like_probable": like,
            "collect_probable": collect,
        },
    )
    assert server.wait_done([task])[task]["status_text"] == "completed", server.task(task)["error"]
    events = server.events(task)
    started = next(e["data"] for e in events if e["type"] == "started")
    assert isinstance(started["seed"], int)
    details, authors = _watched(server, task)
    assert len(details) >= 5  # 90 s of 15-20 s videos
    account = server.account(phone)
    reacted = account["likes"] if like else account["favourites"]
    untouched = account["favourites"] if like else account["likes"]
    word = "liked" if like else "favourited"
    assert all(d.endswith(", " + word) for d in details), details
    assert untouched == []
    assert len(set(reacted)) == len(reacted) == len(details)
    # A view is recorded when the next video replaces it: every video but the one still on screen.
    views = {view["video"]: view for view in account["views"]}
    assert [views[video]["author"] for video in reacted[:-1]] == authors[:-1]
    assert all(views[video]["watched_s"] >= 15 for video in reacted[:-1])


def test_match_account_fills_the_registry_with_the_phones_accounts(server):
    phone = server.serials[5]
    signed_in = sorted(server.phone(phone)["accounts"])
    assert server.accounts(phone) == []
    task = server.create_one(phone, "match_account", {})
    assert server.wait_done([task])[task]["status_text"] == "completed"
    steps = assert_run(server.events(task), ["prepare", "read-accounts", "register"], serial=phone)
    assert steps[2]["detail"] == f"registered 2 accounts on {phone}"
    assert server.accounts(phone) == signed_in


def test_multi_account_runs_one_task_per_registered_account_each_after_a_switch(server):
    phone = server.serials[5]
    names = server.accounts(phone)
    if not names:  # run alone: register them first
        server.wait_done([server.create_one(phone, "match_account", {})])
        names = server.accounts(phone)
    assert len(names) == 2
    ids = server.create([phone], "follow", {"target_users": ["multi.target"]}, enable_multi_account=True)
    assert len(ids) == 2
    tasks = server.wait_done(ids)
    assert sorted(t["username"] for t in tasks.values()) == names
    for task_id, task in tasks.items():
        assert task["status_text"] == "completed", task["error"]
        steps = assert_run(
            server.events(task_id),
            ["prepare", "switch-account", "open-profile", "follow"],
            serial=phone,
            username=task["username"],
        )
        assert steps[1]["detail"] == f"signed in as @{task['username']}"
    for name in names:
        assert "multi.target" in server.account(phone, name)["follows"]


def test_usernames_mode_runs_on_the_accounts_phone_as_that_account(server):
    phone = server.serials[6]
    first, second = list(server.phone(phone)["accounts"])
    assert server.phone(phone)["current_account"] == first
    server.ok(server.client.post("/account", json={"username": "@" + second.upper(), "serial": phone}))
    [task_id] = server.create(None, "follow", {"target_users": ["by.username"]}, usernames=[second])
    task = server.wait_done([task_id])[task_id]
    assert (task["status_text"], task["serial"]) == ("completed", phone), task["error"]
    steps = assert_run(
        server.events(task_id), ["prepare", "switch-account", "open-profile", "follow"], serial=phone, username=second
    )  # as the request gave it
    assert steps[1]["detail"] == f"signed in as @{second}"
    state = server.phone(phone)
    assert state["current_account"] == second
    assert "by.username" in state["accounts"][second]["follows"]
    assert "by.username" not in state["accounts"][first]["follows"]
