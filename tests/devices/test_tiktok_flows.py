"""TikTok's flows as parts of the app, each over a fake driver that serves canned dumps and records taps
(the same flows against the virtual farm are in test_prepare_on_farm.py and test_scripts_on_farm.py)."""

from __future__ import annotations

import random

import pytest
from fake_phone import FakeDriver, centre, dump

from devices.errors import ScriptFailed
from devices.ui.screen import Screen
from devices.ui.tiktok import TikTok
from devices.ui.tiktok.sounds import choose_row
from service.clock import SystemClock

FOLLOW = dump(("TextView", "Followers", "", False), ("Button", "Follow", "", True))
FOLLOWING = FOLLOW.replace('text="Follow"', 'text="Following"')
UNFOLLOW_SHEET = dump(("TextView", "Unfollow", "", True), ("TextView", "Cancel", "", True))


def tiktok_over(*screens: str) -> tuple[TikTok, FakeDriver]:
    driver = FakeDriver(*screens)
    return TikTok(driver, SystemClock(0.001)), driver


async def test_follow_taps_the_button_until_it_reads_following():
    app, driver = tiktok_over(FOLLOW, FOLLOWING)
    assert await app.profiles.follow("@Ada") == "followed @ada"
    assert driver.taps == [centre(1)]


async def test_following_someone_already_followed_taps_nothing():
    app, driver = tiktok_over(FOLLOWING)
    assert await app.profiles.follow("ada") == "already following @ada"
    assert driver.taps == []


async def test_a_follow_button_that_never_flips_fails_with_what_it_reads():
    app, driver = tiktok_over(FOLLOW)
    with pytest.raises(ScriptFailed, match="^could not follow @ada: the button reads 'Follow'$"):
        await app.profiles.follow("ada")
    assert len(driver.taps) == 4


async def test_unfollow_confirms_in_the_sheet_and_checks_the_button_reads_follow_again():
    app, driver = tiktok_over(FOLLOWING, UNFOLLOW_SHEET, FOLLOW)
    assert await app.profiles.unfollow("ada") == "unfollowed @ada"
    assert driver.taps == [centre(1), centre(0)]


async def test_like_is_false_when_the_video_was_liked_already_and_true_after_a_flip():
    liked = dump(("Button", "", "Unlike video", True), ("Button", "", "Read or add comments", True))
    app, driver = tiktok_over(liked)
    assert await app.feed.like() is False and driver.taps == []
    app, driver = tiktok_over(liked.replace("Unlike video", "Like video"), liked)
    assert await app.feed.like() is True and driver.taps == [centre(0)]


def test_a_sound_row_is_chosen_by_title_then_by_part_of_it_then_the_first_or_by_the_draw():
    rows = Screen.parse(
        dump(
            ("TextView", "Summer Vibes", "", True),
            ("TextView", "Chill Guitar Loop", "", True),
            ("TextView", "Chill Guitar", "", True),
        )
    ).elements[1:]
    assert choose_row(rows, "chill guitar") is rows[2]
    assert choose_row(rows, "guitar") is rows[1]
    assert choose_row(rows, "polka") is rows[0]
    assert choose_row(rows, None, random.Random(3).randrange) is rows[random.Random(3).randrange(3)]
    assert choose_row([], "any") is None


def test_every_part_holds_the_apps_one_session():
    app, _ = tiktok_over(FOLLOW)
    parts = (
        app.navigation,
        app.preparation,
        app.media,
        app.search,
        app.profiles,
        app.accounts,
        app.feed,
        app.gallery,
        app.comments,
        app.sounds,
        app.create,
    )
    assert all(part.session is app.session for part in parts)
