"""Each option of docs/api.md changes what a script does: checked here with a UI fake that records its calls
(the same runs against the virtual farm are in test_scripts_on_farm.py)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from phone_runs import FakeMaterials, make_run

from devices.errors import ScriptFailed
from devices.scripts import SCRIPTS
from devices.scripts.base import RunHalted
from devices.scripts.texts import EMOJIS, TemplateComments
from devices.ui.tiktok.feed import VideoOnScreen
from tests.support.script_configs import POST_DEFAULTS as POST


class RecordingUI:
    """Answers like the TikTok app and remembers what its parts were asked, as ("part.flow", *args)."""

    ANSWERS = {
        "sounds.open_page": "Chill Guitar",
        "sounds.add": "Summer Vibes",
        "sounds.set_volumes": "30/80",
        "create.wait_upload": "published",
        "accounts.signed_in": ["ann", "bob"],
        "feed.next_video": True,
        "feed.current_video": VideoOnScreen("creator", "cap", "k"),
        "feed.like": True,
        "feed.favourite": True,
        "feed.follow_creator": True,
    }

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, part: str) -> Any:
        return _RecordingPart(self, part)

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


class _RecordingPart:
    def __init__(self, ui: RecordingUI, part: str) -> None:
        self.ui, self.part = ui, part

    def __getattr__(self, flow: str) -> Any:
        name = f"{self.part}.{flow}"

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.ui.calls.append((name, *args, *sorted(kwargs.items())))
            if name == "media.push":
                return [f"/sdcard/DCIM/droidledger/t7_{i}" for i in range(len(args[0]))]
            return RecordingUI.ANSWERS.get(name, f"did {name}")

        return call


@pytest.fixture
def media(tmp_path: Path) -> Path:
    for name in ("a.mp4", "b.mp4", "x.jpg", "y.png", "z.jpg", "notes.txt"):
        (tmp_path / name).write_bytes(b"data")
    return tmp_path


async def run_post(config: dict[str, Any], media: Path, **kw: Any) -> RecordingUI:
    ui = RecordingUI()
    run = make_run(ui, {**POST, **config}, **kw)
    await SCRIPTS["post"].run(run.ctx)
    assert [r.name for r in run.records][:3] == ["pick-material", "push-media", "open-editor"]
    assert len(run.records) == SCRIPTS["post"].planned_steps({**POST, **config})
    return ui


async def test_post_share_with_default_sound_has_six_steps_and_shares_the_video(media: Path):
    ui = await run_post({"material_list": [str(media / "x.jpg"), str(media / "a.mp4")]}, media)
    assert ("create.open_editor_by_share", ["/sdcard/DCIM/droidledger/t7_0"], "video") in ui.calls
    assert "sounds.add" not in ui.names() and "sounds.set_volumes" not in ui.names()
    assert ui.calls[0] == ("media.push", [media / "a.mp4"], "t7_", "/sdcard/DCIM/droidledger")


async def test_post_images_take_image_count_files_of_the_folder(media: Path):
    ui = await run_post(
        {
            "content_type": 1,
            "image_count": 2,
            "material_source": "localFolder",
            "material_path": str(media),
            "post_way": "addButton",
        },
        media,
    )
    pushed = ui.calls[0][1]
    assert len(pushed) == 2 and {p.suffix for p in pushed} <= {".jpg", ".png"}
    assert ui.names()[1:3] == ["create.open_camera", "create.open_editor_from_gallery"]


async def test_post_use_sound_opens_the_sound_page_and_sets_both_volumes(media: Path):
    ui = await run_post(
        {
            "material_list": [str(media / "a.mp4")],
            "post_way": "useSound",
            "sound_name": "Chill Guitar",
            "add_sound": "1",
            "origin_sound_volume": 30,
            "add_sound_volume": 80,
        },
        media,
    )
    assert ("sounds.open_page", "Chill Guitar") in ui.calls
    assert "sounds.add" not in ui.names()  # the post way's sound wins
    assert ("sounds.set_volumes", 30, 80) in ui.calls


async def test_post_custom_sound_searches_the_keyword_with_the_sound_wait_time(media: Path):
    ui = await run_post(
        {
            "material_list": [str(media / "a.mp4")],
            "add_sound": "custom",
            "custom_sound_keyword": "summer",
            "sound_wait_time": 4,
        },
        media,
    )
    call = next(c for c in ui.calls if c[0] == "sounds.add")
    assert call[1:3] == ("summer", 4.0)


async def test_post_sound_off_sets_only_a_changed_original_volume(media: Path):
    ui = await run_post({"material_list": [str(media / "a.mp4")], "add_sound": 0, "origin_sound_volume": 10}, media)
    assert "sounds.add" not in ui.names() and ("sounds.set_volumes", 10, None) in ui.calls


async def test_post_caption_spintax_product_link_and_upload_wait(media: Path):
    ui = await run_post(
        {
            "material_list": [str(media / "a.mp4")],
            "captions": "{Hi|Hello} {world|there} #fyp",
            "add_product_link": 1,
            "upload_wait_time": 45,
        },
        media,
        seed=3,
    )
    caption = next(c for c in ui.calls if c[0] == "create.write_caption")[1]
    rng = random.Random(3)
    from service.requests.spintax import resolve_spintax

    assert caption == resolve_spintax("{Hi|Hello} {world|there} #fyp", rng)
    assert ("create.set_product_link", True) in ui.calls and ("create.wait_upload", 45.0, caption) in ui.calls


async def test_post_from_the_library_asks_for_its_tags_and_count(media: Path):
    (media / "cats" / "funny").mkdir(parents=True)
    (media / "cats" / "funny" / "c.mp4").write_bytes(b"data")
    library = FakeMaterials([media / "a.mp4", media / "cats" / "funny" / "c.mp4"])
    ui = await run_post({"materials_tags": "cats, funny"}, media, materials=library)
    assert library.picked == [(("cats", "funny"), 1)]
    assert ui.calls[0][1] == [media / "cats" / "funny" / "c.mp4"]


async def test_post_with_no_matching_material_fails_with_the_tags(media: Path):
    run = make_run(RecordingUI(), {**POST, "materials_tags": "cats,dogs"})
    with pytest.raises(ScriptFailed, match="no material matches tags cats, dogs"):
        await SCRIPTS["post"].run(run.ctx)


async def test_post_list_without_the_wanted_kind_fails(media: Path):
    run = make_run(RecordingUI(), {**POST, "material_list": [str(media / "x.jpg")]})
    with pytest.raises(ScriptFailed, match="no video file"):
        await SCRIPTS["post"].run(run.ctx)


async def test_follow_direct_and_unfollow_by_search():
    ui = RecordingUI()
    run = make_run(ui, {"target_users": ["@Alice"], "access_method": "direct"})
    await SCRIPTS["follow"].run(run.ctx)
    run = make_run(ui, {"target_users": ["bob"], "access_method": "search"})
    await SCRIPTS["unfollow"].run(run.ctx)
    assert ui.calls == [
        ("profiles.open", "@Alice", ("access", "direct")),
        ("profiles.follow", "@Alice"),
        ("profiles.open", "bob", ("access", "search")),
        ("profiles.unfollow", "bob"),
    ]
    assert [r.name for r in run.records] == ["open-profile", "unfollow"]


async def test_follow_without_a_target_fails():
    with pytest.raises(ScriptFailed, match="no target user"):
        await SCRIPTS["follow"].run(make_run(RecordingUI(), {"target_users": []}).ctx)


COMMENT = {
    "target_post_urls": ["https://www.tiktok.com/@a/video/7123"],
    "comment_content": "one\n{two|deux}\nthree",
    "comment_order": "random",
    "insert_emoji": False,
    "comment_image_path": "",
}


async def test_comment_sequential_uses_the_tasks_line():
    ui = RecordingUI()
    await SCRIPTS["comment"].run(make_run(ui, {**COMMENT, "comment_order": "sequential", "comment_line": 3}).ctx)
    assert ("comments.write", "three", ("image", None)) in ui.calls


async def test_comment_random_resolves_spintax_and_adds_an_emoji():
    ui = RecordingUI()
    run = make_run(ui, {**COMMENT, "comment_content": "{a|b} c", "insert_emoji": True})
    await SCRIPTS["comment"].run(run.ctx)
    text = next(c for c in ui.calls if c[0] == "comments.write")[1]
    assert text[:4] in ("a c ", "b c ") and text[4:] in EMOJIS


async def test_comment_with_an_image_pushes_it_first(tmp_path: Path):
    (tmp_path / "upload").mkdir()
    (tmp_path / "upload" / "pic.jpg").write_bytes(b"jpg")
    ui = RecordingUI()
    run = make_run(ui, {**COMMENT, "comment_image_path": "pic.jpg"}, data_dir=tmp_path)
    await SCRIPTS["comment"].run(run.ctx)
    assert [r.name for r in run.records] == ["open-post", "push-image", "comment"]
    assert ui.calls[1] == ("media.push", [tmp_path / "upload" / "pic.jpg"], "t7_", "/sdcard/Pictures/droidledger")
    assert ui.calls[2][-1] == ("image", "/sdcard/DCIM/droidledger/t7_0")


def test_template_comments_in_order_cycle_and_at_random_draw_from_the_rng():
    ordered = TemplateComments("a\n\nb\n", "sequential", False, random.Random(0))
    assert [ordered.next() for _ in range(5)] == ["a", "b", "a", "b", "a"]
    drawn = TemplateComments("a\nb\nc", "random", False, random.Random(5))
    rng = random.Random(5)
    assert [drawn.next() for _ in range(4)] == [rng.choice(["a", "b", "c"]) for _ in range(4)]
    assert TemplateComments("", "random", False, random.Random(0)).next() is None


async def test_match_account_registers_what_the_phone_lists():
    run = make_run(RecordingUI(), {})
    await SCRIPTS["match_account"].run(run.ctx)
    assert run.registered == [["ann", "bob"]] and [r.name for r in run.records] == ["read-accounts", "register"]


async def test_a_stop_halts_at_the_next_step_boundary():
    ui = RecordingUI()
    run = make_run(ui, {"target_users": ["alice"]}, stop_after=1)
    with pytest.raises(RunHalted):
        await SCRIPTS["follow"].run(run.ctx)
    assert ui.names() == ["profiles.open"] and len(run.records) == 1


def test_planned_steps():
    assert SCRIPTS["follow"].planned_steps({}) == 2
    assert SCRIPTS["comment"].planned_steps(COMMENT) == 2
    assert SCRIPTS["comment"].planned_steps({**COMMENT, "comment_image_path": "/x.jpg"}) == 3
    assert SCRIPTS["post"].planned_steps(POST) == 6
    assert SCRIPTS["post"].planned_steps({**POST, "add_sound": "custom"}) == 7
    assert SCRIPTS["account_warmup"].planned_steps({}) == 0
    assert SCRIPTS["match_account"].planned_steps({}) == 2


WARMUP = {
    "task_duration": 60,
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


async def test_warmup_watches_until_the_duration_and_draws_each_action_in_order():
    ui = RecordingUI()
    run = make_run(ui, WARMUP, seed=11)
    await SCRIPTS["account_warmup"].run(run.ctx)
    rng, watched, likes = random.Random(11), 0.0, 0
    while watched < 60:
        watched += min(rng.uniform(10, 20), 60 - watched)
        like, _, _, _ = (rng.random() * 100 < p for p in (50, 0, 100, 0))
        likes += like
    videos = run.records[1:]
    assert run.records[0].detail == "opened the For You feed"
    assert ui.names().count("feed.like") == likes and ui.names().count("feed.favourite") == len(videos)
    assert sum(float(r.detail.split(" for ")[1].split(" s")[0]) for r in videos) == pytest.approx(60, abs=len(videos))


async def test_warmup_searches_one_of_its_topics_and_comments_from_templates_in_order():
    ui = RecordingUI()
    config = {
        **WARMUP,
        "topic": "cats\ndogs",
        "comment_probable": 100,
        "comment": "first\nsecond",
        "comment_order": "sequential",
        "task_duration": 25,
    }
    run = make_run(ui, config, seed=2)
    await SCRIPTS["account_warmup"].run(run.ctx)
    assert ui.calls[0][0] == "feed.open_topic" and ui.calls[0][1] in ("cats", "dogs")
    comments = [c[1] for c in ui.calls if c[0] == "comments.write"]
    assert comments == ["first", "second", "first"][: len(comments)] and comments
