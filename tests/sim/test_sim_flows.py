"""The five scripts' flows and account switching, done by hand with selectors and xpath, checked in the farm's state."""

from __future__ import annotations

from pathlib import Path

import uiautomator2 as u2
from running_farm import RunningFarm, open_url, tap

FOLLOWER, COMMENTER, POSTER, WARMER, SWITCHER = 2, 3, 7, 8, 9


def push_media(farm: RunningFarm, serial: str, tmp_path: Path, *names: str) -> list[str]:
    """Files pushed to the phone and announced to its media scanner, as the post script does."""
    device, paths = farm.client.device(serial), []
    for name in names:
        local = tmp_path / name
        local.write_bytes(name.encode() * 2048)
        folder = "/sdcard/DCIM/Camera" if name.endswith(".mp4") else "/sdcard/Pictures"
        device.sync.push(local, f"{folder}/{name}")
        device.shell(
            ["am", "broadcast", "-a", "android.intent.action.MEDIA_SCANNER_SCAN_FILE", "-d", f"file://{folder}/{name}"]
        )
        paths.append(f"{folder}/{name}")
    return paths


def search(d: u2.Device, text: str) -> None:
    tap(d, description="Search")
    d(className="android.widget.EditText").set_text(text)
    d.press("enter")


def test_follow_by_profile_url(farm: RunningFarm) -> None:
    serial = farm.serials[FOLLOWER]
    d = farm.fresh(serial)
    open_url(d, "https://www.tiktok.com/@mia.lopez.direct")
    tap(d, className="android.widget.Button", text="Follow")
    assert d(className="android.widget.Button", text="Following").wait(timeout=2)
    assert "mia.lopez.direct" in farm.account(serial)["follows"]


def test_follow_through_search(farm: RunningFarm) -> None:
    serial = farm.serials[FOLLOWER]
    d = farm.fresh(serial)
    search(d, "@noah.walker.search")
    tap(d, className="android.widget.TextView", text="Users")
    d.xpath('//*[@text="noah.walker.search"]/../android.widget.Button[@text="Follow"]').click(timeout=2)
    assert d.xpath('//*[@text="noah.walker.search"]/../android.widget.Button[@text="Following"]').wait(timeout=2)
    assert farm.account(serial)["follows"][-1] == "noah.walker.search"


def test_unfollow_confirms_with_unfollow(farm: RunningFarm) -> None:
    serial = farm.serials[FOLLOWER]
    d = farm.fresh(serial)
    open_url(d, "https://www.tiktok.com/@zoe.kim.unfollow")
    tap(d, className="android.widget.Button", text="Follow")
    assert "zoe.kim.unfollow" in farm.account(serial)["follows"]
    tap(d, className="android.widget.Button", text="Following")
    tap(d, text="Unfollow", clickable=True)
    assert d(className="android.widget.Button", text="Follow").wait(timeout=2)
    assert "zoe.kim.unfollow" not in farm.account(serial)["follows"]


def test_a_missing_user_cannot_be_followed(farm: RunningFarm) -> None:
    serial = farm.serials[FOLLOWER]
    d = farm.fresh(serial)
    open_url(d, "https://www.tiktok.com/@nosuchuser_abc")
    assert d(text="Couldn't find this account").wait(timeout=2)
    assert not d(className="android.widget.Button", text="Follow").exists
    d.press("back")
    search(d, "nosuchuser_abc")
    tap(d, className="android.widget.TextView", text="Users")
    assert d(text="No results found").exists


def test_comment_with_emoji_and_image_on_a_video_url(farm: RunningFarm, tmp_path: Path) -> None:
    serial = farm.serials[COMMENTER]
    [image] = push_media(farm, serial, tmp_path, "cat.jpg")
    d = farm.fresh(serial)
    open_url(d, "https://www.tiktok.com/@chef.marco/video/7300000000000000042")
    tap(d, descriptionContains="Read or add comments")
    tap(d, className="android.widget.EditText", descriptionContains="Add comment")
    d.send_keys("Great video")
    tap(d, text="😂")
    tap(d, description="Add image")
    tap(d, descriptionContains="cat.jpg")
    tap(d, className="android.widget.Button", text="Next")
    assert d(description="Attached image").exists
    tap(d, className="android.widget.Button", description="Post")
    assert d(text="Great video😂").wait(timeout=2)
    comments = farm.account(serial)["comments"]
    assert comments["7300000000000000042"] == [{"text": "Great video😂", "image": image}]


def test_comment_on_a_short_link(farm: RunningFarm) -> None:
    serial = farm.serials[COMMENTER]
    d = farm.fresh(serial)
    open_url(d, "https://vm.tiktok.com/ZMshort42/")
    tap(d, descriptionContains="Read or add comments")
    d(className="android.widget.EditText").set_text("first!")
    d.press("enter")
    account = farm.account(serial)
    assert [c["text"] for cs in account["comments"].values() for c in cs][-1] == "first!"
    assert d(text="first!").exists


def test_post_a_video_with_a_searched_sound_volume_caption_and_product_link(farm: RunningFarm, tmp_path: Path) -> None:
    serial = farm.serials[POSTER]
    clip, _ = push_media(farm, serial, tmp_path, "trip.mp4", "other.mp4")
    d = farm.fresh(serial)
    tap(d, description="Create")
    tap(d, description="Upload")
    tap(d, descriptionContains="trip.mp4")
    assert d(descriptionContains="trip.mp4", checked=True).exists
    tap(d, className="android.widget.Button", text="Next")
    tap(d, text="Add sound")
    tap(d, className="android.widget.EditText", text="Search sounds")
    d.send_keys("lofi")
    tap(d, className="android.widget.Button", text="Search")
    tap(d, text="lofi (Remix)")
    assert d(description="Loading").wait_gone(timeout=2)
    tap(d, text="Done")
    assert d(text="lofi (Remix)").exists
    tap(d, description="Volume")
    bar = d(className="android.widget.SeekBar", description="Original sound")
    left, top, right, bottom = bar.bounds()
    d.click(left + 0.3 * (right - left), (top + bottom) / 2)
    assert bar.get_text() == "30"
    tap(d, text="Done")
    tap(d, className="android.widget.Button", text="Next")
    d(className="android.widget.EditText", text="Add a description...").set_text("Road trip #travel")
    tap(d, className="android.widget.Switch", text="Add product link")
    tap(d, className="android.widget.Button", text="Post")
    assert d(textContains="Uploading").exists or d(textContains="successfully").exists
    assert d(textContains="successfully").wait(timeout=3)
    post = farm.account(serial)["posts"][-1]
    assert post == {
        **post,
        "caption": "Road trip #travel",
        "media": [clip],
        "kind": "video",
        "sound": "lofi (Remix)",
        "original_volume": 30,
        "added_volume": 50,
        "product_link": True,
        "status": "published",
    }
    tap(d, description="Profile")
    assert d(description="Road trip #travel").exists


def test_post_two_images_in_the_order_picked(farm: RunningFarm, tmp_path: Path) -> None:
    serial = farm.serials[POSTER]
    first, second = push_media(farm, serial, tmp_path, "a1.jpg", "a2.jpg")
    d = farm.fresh(serial)
    tap(d, description="Create")
    tap(d, description="Upload")
    tap(d, className="android.widget.TextView", text="Photos")
    tap(d, descriptionContains="a2.jpg")
    tap(d, descriptionContains="a1.jpg")
    assert d(descriptionContains="a1.jpg").child(text="2").exists
    tap(d, className="android.widget.Button", text="Next")
    tap(d, className="android.widget.Button", text="Next")
    d(className="android.widget.EditText").set_text("two pics")
    tap(d, className="android.widget.Button", text="Post")
    assert d(textContains="successfully").wait(timeout=3)
    post = farm.account(serial)["posts"][-1]
    assert (post["media"], post["kind"], post["sound"], post["caption"]) == ([second, first], "photo", None, "two pics")


def test_post_by_sharing_from_the_gallery(farm: RunningFarm, tmp_path: Path) -> None:
    serial = farm.serials[POSTER]
    d = farm.fresh(serial)
    [clip] = push_media(farm, serial, tmp_path, "shared.mp4")
    d.shell(
        [
            "am",
            "start",
            "-a",
            "android.intent.action.SEND",
            "-t",
            "video/mp4",
            "-p",
            "com.zhiliaoapp.musically",
            "--eu",
            "android.intent.extra.STREAM",
            f"file://{clip}",
        ]
    )
    tap(d, className="android.widget.Button", text="Next")
    d(className="android.widget.EditText").set_text("shared")
    tap(d, className="android.widget.Button", text="Post")
    assert d(textContains="successfully").wait(timeout=3)
    assert farm.account(serial)["posts"][-1]["media"] == [clip]


def test_post_with_a_sound_on_an_app_version_that_asks_to_publish(farm: RunningFarm, tmp_path: Path) -> None:
    serial = farm.serials[POSTER]
    [clip] = push_media(farm, serial, tmp_path, "dance.mp4")
    farm.set_faults(f"version={serial}:35.2.0")
    try:
        d = farm.fresh(serial)
        assert d.app_info("com.zhiliaoapp.musically")["versionName"] == "35.2.0"
        open_url(d, "https://www.tiktok.com/music/Chill-Guitar-7234567890123456789")
        tap(d, text="Use this sound")
        assert d(text="Chill Guitar").exists
        tap(d, description="Upload")
        tap(d, descriptionContains="dance.mp4")
        tap(d, className="android.widget.Button", text="Next")
        tap(d, className="android.widget.Button", text="Next")
        d(className="android.widget.EditText").set_text("with sound")
        tap(d, className="android.widget.Button", text="Post")
        assert d(text="Publish video publicly").exists
        tap(d, className="android.widget.Button", text="Publish now")
        assert d(textContains="successfully").wait(timeout=3)
        post = farm.account(serial)["posts"][-1]
        assert (post["sound"], post["media"], post["caption"]) == ("Chill Guitar", [clip], "with sound")
    finally:
        farm.set_faults(f"version={serial}:34.1.2")


def test_account_warmup_watches_likes_favourites_follows_comments_and_searches(farm: RunningFarm) -> None:
    serial = farm.serials[WARMER]
    d = farm.fresh(serial)
    for _ in range(3):
        d.swipe_ext("up", scale=0.6)
    author = d(textStartsWith="@").get_text()[1:]
    tap(d, descriptionStartsWith="Like video")
    assert d(descriptionStartsWith="Unlike video").exists
    tap(d, description="Add or remove this video from Favourites")
    assert d(description="Remove from Favourites").exists
    tap(d, className="android.widget.Button", description="Follow")
    assert d(className="android.widget.Button", description="Following").exists
    tap(d, descriptionContains="Read or add comments")
    d(className="android.widget.EditText").set_text("love this 🔥")
    tap(d, className="android.widget.Button", description="Post")
    tap(d, description="Close")
    tap(d, description="Search")
    d(focused=True).set_text("cooking")
    d.press("enter")
    tap(d, className="android.widget.TextView", text="Videos")
    d.xpath('(//*[starts-with(@content-desc, "cooking ")])[1]').click(timeout=2)
    d.swipe_ext("up", scale=0.6)
    d.press("back")
    account = farm.account(serial)
    [liked] = account["likes"]
    assert account["favourites"] == [liked]
    assert author in account["follows"]
    assert account["comments"] == {liked: [{"text": "love this 🔥", "image": None}]}
    assert account["searches"] == ["cooking"]
    watched = [v for v in account["views"] if v["watched_s"] > 0]
    assert len(watched) >= 5 and watched[3]["video"] == liked
    assert all(v["length_s"] >= 8 and v["loops"] == int(v["watched_s"] // v["length_s"]) for v in watched)


def test_switch_account_reads_the_signed_in_accounts_and_acts_as_the_new_one(farm: RunningFarm) -> None:
    serial = farm.serials[SWITCHER]
    d = farm.fresh(serial)
    phone = farm.phone_state(serial)
    first = phone["current_account"]
    tap(d, description="Profile")
    tap(d, description="Profile menu")
    tap(d, text="Settings and privacy")
    tap(d, text="Switch account")
    rows = d.xpath('//android.widget.LinearLayout[@clickable="true"]/android.widget.TextView').all()
    names = [row.text for row in rows]
    assert names == list(phone["accounts"]) and len(names) == 2
    assert d.xpath(f'//*[@text="{first}"]/../android.widget.ImageView[@content-desc="Selected"]').exists
    other = next(n for n in names if n != first)
    tap(d, text=other)
    assert d(text=f"@{other}").wait(timeout=2)
    assert farm.phone_state(serial)["current_account"] == other
    open_url(d, "https://www.tiktok.com/@ines.santos.switch")
    tap(d, className="android.widget.Button", text="Follow")
    assert "ines.santos.switch" in farm.account(serial, other)["follows"]
    assert "ines.santos.switch" not in farm.account(serial, first)["follows"]


def test_killing_the_app_during_an_upload_fails_the_post(farm: RunningFarm, tmp_path: Path) -> None:
    serial = farm.serials[POSTER]
    [clip] = push_media(farm, serial, tmp_path, "lost.mp4")
    d = farm.fresh(serial)
    d.shell(
        [
            "am",
            "start",
            "-a",
            "android.intent.action.SEND",
            "-p",
            "com.zhiliaoapp.musically",
            "--eu",
            "android.intent.extra.STREAM",
            f"file://{clip}",
        ]
    )
    tap(d, className="android.widget.Button", text="Next")
    tap(d, className="android.widget.Button", text="Post")
    d.app_stop("com.zhiliaoapp.musically")  # the upload takes 6 app seconds, 0.3 s here
    d.app_start("com.zhiliaoapp.musically")
    assert d(text="Upload failed. Try again.").exists
    assert farm.account(serial)["posts"][-1]["status"] == "failed"
