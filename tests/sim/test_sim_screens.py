"""Every screen of the app and the system is reachable by hand, and shows the labels of devices/sim/app/ui.json."""

from __future__ import annotations

import time

from running_farm import RunningFarm, open_url, tap


def screen(farm: RunningFarm, serial: str) -> str:
    return farm.phone_state(serial)["screen"]


def test_home_feed_tabs_bottom_bar_and_inbox_friends(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    assert screen(farm, serial) == "home"
    for label in ("Following", "For You", "Explore", "Shop"):
        assert d(className="android.widget.TextView", text=label).exists
    for label in ("Home", "Friends", "Create", "Inbox", "Profile"):
        assert d(description=label).exists
    tap(d, className="android.widget.TextView", text="Following")
    assert d(text="Follow accounts to see their latest videos here").exists
    tap(d, description="Inbox")
    assert screen(farm, serial) == "inbox" and d(text="New followers").exists and d(text="Message requests").exists
    tap(d, description="Friends")
    assert screen(farm, serial) == "friends" and d(text="Find friends").exists
    d.press("back")
    assert screen(farm, serial) == "home"
    d.press("back")
    assert screen(farm, serial) == "launcher"
    tap(d, text="TikTok")  # the launcher icon resumes the app
    assert screen(farm, serial) == "home"


def test_search_results_tabs(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    tap(d, description="Search")
    assert screen(farm, serial) == "search" and d(text="You may like").exists
    d(className="android.widget.EditText").set_text("alice")
    tap(d, className="android.widget.Button", text="Search")
    for label in ("Top", "Videos", "Users", "Sounds", "Shop"):
        assert d(className="android.widget.TextView", text=label).exists
    assert d(text="alice").exists and d(text="View all").exists
    tap(d, text="View all")
    assert d(text="alice_official").exists and d(className="android.widget.Button", text="Follow").exists
    tap(d, className="android.widget.TextView", text="Videos")
    assert d(descriptionStartsWith="alice ").exists
    tap(d, className="android.widget.TextView", text="Sounds")
    assert d(text="alice (Remix)").exists
    tap(d, className="android.widget.TextView", text="Shop")
    assert d(text="No results found").exists


def test_profiles_videos_and_the_comment_sheet(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    open_url(d, "https://www.tiktok.com/@dance.queen")
    assert screen(farm, serial) == "profile"
    assert d(text="@dance.queen").exists and d(className="android.widget.Button", text="Follow").exists
    for label in ("Following", "Followers", "Likes"):
        assert d(className="android.widget.TextView", text=label).exists
    assert d(description="Videos").exists and d(description="Liked videos").exists
    open_url(d, "https://www.tiktok.com/@nosuchuser_42")
    assert d(text="Couldn't find this account").exists
    open_url(d, "https://www.tiktok.com/@dance.queen/video/7311122233344455566")
    assert screen(farm, serial) == "video" and d(text="@dance.queen").exists
    assert farm.phone_state(serial)["activity"] == "com.ss.android.ugc.aweme.detail.ui.DetailActivity"
    tap(d, descriptionContains="Read or add comments")
    assert screen(farm, serial) == "comments"
    assert d(className="android.widget.EditText", descriptionContains="Add comment", text="Comment...").exists
    assert d(className="android.widget.Button", description="Post").exists
    tap(d, description="Close")
    assert screen(farm, serial) == "video"
    open_url(d, "https://www.tiktok.com/@dance.queen/video/0123")
    assert d(text="Video currently unavailable").exists
    open_url(d, "https://vm.tiktok.com/ZMabc123/")
    assert screen(farm, serial) == "video" and d(descriptionStartsWith="Like video").exists
    tap(d, descriptionStartsWith="Sound:")
    assert screen(farm, serial) == "sound" and d(text="Use this sound").exists


def test_own_profile_menu_settings_and_account_switcher(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    tap(d, description="Profile")
    me = farm.phone_state(serial)["current_account"]
    assert screen(farm, serial) == "own_profile" and d(text=f"@{me}").exists
    for desc in ("Profile menu", "Profile photo", "Create a Story"):
        assert d(description=desc).exists
    assert d(text="Edit profile").exists and d(text="No videos yet").exists
    tap(d, description="Profile menu")
    assert screen(farm, serial) == "profile_menu"
    tap(d, text="Settings and privacy")
    assert screen(farm, serial) == "settings" and d(text="Log out").exists
    tap(d, text="Switch account")
    assert screen(farm, serial) == "switch_account" and d(text="Add account").exists
    d.press("back")
    assert screen(farm, serial) == "settings"


def test_the_create_flow_screens(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    tap(d, description="Create")
    assert screen(farm, serial) == "camera" and d(text="Add sound").exists and d(description="Record video").exists
    tap(d, description="Upload")
    assert screen(farm, serial) == "gallery" and d(text="Recents").exists
    assert not d(className="android.widget.Button", text="Next").info["enabled"]
    d.press("back")
    tap(d, text="Add sound")
    assert screen(farm, serial) == "sound_picker" and d(text="Recommended").exists
    tap(d, text="Done")
    tap(d, description="Close")
    assert screen(farm, serial) == "home"


def test_lock_screen_and_launcher(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    d.press("power")
    assert screen(farm, serial) == "off" and d.info["screenOn"] is False
    d.unlock()  # POWER, then a swipe up
    assert screen(farm, serial) == "home"
    farm.set_faults(f"screen={serial}:locked")
    assert screen(farm, serial) == "lockscreen" and d(text="Swipe up to open").exists
    d.swipe_ext("up")
    assert screen(farm, serial) == "home"
    d.press("home")
    assert d(text="TikTok", packageName="com.google.android.apps.nexuslauncher").exists


def test_every_app_window_has_the_frame_of_a_real_one(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    frame = ("android:id/content", "android:id/statusBarBackground", "android:id/navigationBarBackground")
    for package in ("com.zhiliaoapp.musically", "com.google.android.apps.nexuslauncher"):
        if package != "com.zhiliaoapp.musically":
            d.press("home")
        assert all(d(resourceId=rid, packageName=package).count == 1 for rid in frame)
        content = d.xpath('//*[@resource-id="android:id/content"]').get()
        assert content.info["bounds"] == {
            "left": 0,
            "top": 0,
            "right": d.info["displayWidth"],
            "bottom": d.info["displayHeight"],
        }
        assert (
            d(resourceId="android:id/content")
            .child(description="Profile" if package.endswith("musically") else "TikTok")
            .exists
        )
    d.app_start("com.zhiliaoapp.musically")
    farm.set_faults(f"popup={serial}:rating")  # a dialog's own window: content, no bars
    assert d(resourceId="android:id/content").count == 2
    assert d(resourceId="android:id/content", instance=1).child(text="Not now").exists
    assert d(resourceId="android:id/statusBarBackground").count == 1
    tap(d, text="Not now")


def test_tapping_the_playing_video_pauses_it_and_tapping_again_resumes(farm: RunningFarm) -> None:
    serial = farm.serials[0]
    d = farm.fresh(serial)
    w, h = d.window_size()
    views = len(farm.account(serial)["views"])
    d.click(w // 2, h // 2)
    assert d(description="Play", className="android.widget.ImageView").exists  # the play indicator
    time.sleep(1.0)  # 20 app seconds, paused
    d.click(w // 2, h // 2)
    assert not d(description="Play").exists
    d.swipe(w // 2, h * 3 // 4, w // 2, h // 4, steps=10)
    view = farm.account(serial)["views"][views]
    assert view["watched_s"] < 10  # the paused time did not count
    d.click(w // 2, h // 2)
    d.swipe(w // 2, h * 3 // 4, w // 2, h // 4, steps=10)  # the next video plays, whatever the last one did
    assert not d(description="Play").exists
