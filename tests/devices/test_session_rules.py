"""How an app session treats what pops up, with a fake driver that serves canned dumps and records taps."""

from __future__ import annotations

import pytest
from fake_phone import FakeDriver, centre, dump

from devices.errors import AccountWarned, ScriptFailed
from devices.selectors import load_selectors
from devices.ui.session import AppSession
from service.clock import SystemClock

HOME = dump(("FrameLayout", "", "Home", True), ("FrameLayout", "", "Profile", True))


def session_over(*screens: str) -> tuple[AppSession, FakeDriver]:
    driver = FakeDriver(*screens)
    return AppSession(driver, SystemClock(0.001), load_selectors("tiktok")), driver


async def test_a_media_permission_is_allowed_and_a_contacts_one_denied():
    photos = dump(
        ("TextView", "Allow TikTok to access photos and videos on this device?", "", False),
        ("Button", "Allow", "", True),
        ("Button", "Don't allow", "", True),
    )
    session, driver = session_over(photos, HOME)
    await session.look()
    assert driver.taps == [centre(1)] and session.interruptions.dismissed[-1].endswith("(Allow)")
    contacts = photos.replace("photos and videos on this device", "your contacts")
    session, driver = session_over(contacts, HOME)
    await session.look()
    assert driver.taps == [centre(2)] and session.interruptions.dismissed[-1].endswith("(Don't allow)")


async def test_a_dialog_without_a_button_is_closed_by_its_close_icon():
    friends = dump(("TextView", "Follow your friends", "", False), ("ImageView", "", "Close", True))
    session, driver = session_over(friends, HOME)
    assert (await session.look()).find(session.sel["tab_home"]) is not None
    assert driver.taps == [centre(1)]


async def test_dismissed_dialogs_are_reported_once():
    friends = dump(("TextView", "Follow your friends", "", False), ("Button", "Not now", "", True))
    session, _ = session_over(friends, HOME)
    await session.look()
    assert session.interruptions.take() == ["Follow your friends (Not now)"]
    assert session.interruptions.take() == []


async def test_app_errors_and_limits_end_the_step_with_their_text():
    for text, reason in (
        ("No internet connection", "TikTok says: No internet connection"),
        ("Too many attempts. Try again later.", "rate limited by TikTok: Too many attempts. Try again later."),
    ):
        session, _ = session_over(dump(("TextView", text, "", False)))
        with pytest.raises(ScriptFailed, match=f"^{reason}$"):
            await session.look()


ACTION_BLOCKED = dump(
    ("TextView", "Action blocked", "", False),
    ("TextView", "You're temporarily blocked from following accounts.", "", False),
    ("Button", "OK", "", True),
)


async def test_a_rate_limit_and_an_action_block_are_warnings_to_the_account():
    session, _ = session_over(dump(("TextView", "Too many attempts. Try again later.", "", False)))
    with pytest.raises(AccountWarned, match="^rate limited by TikTok: Too many attempts. Try again later.$"):
        await session.look()
    session, _ = session_over(ACTION_BLOCKED)
    with pytest.raises(AccountWarned, match="^action blocked by TikTok: You're temporarily blocked from following"):
        await session.look()


async def test_an_app_error_is_no_warning_to_the_account():
    session, _ = session_over(dump(("TextView", "Something went wrong", "", False)))
    with pytest.raises(ScriptFailed) as caught:
        await session.look()
    assert not isinstance(caught.value, AccountWarned)


async def test_an_earlier_tasks_action_block_is_dismissed_by_its_ok_while_preparing():
    session, driver = session_over(ACTION_BLOCKED, HOME)
    with session.interruptions.from_earlier_tasks():
        screen = await session.look()
    assert driver.taps == [centre(2)] and screen.find(session.sel["tab_home"]) is not None
    assert session.interruptions.take() == ["Action blocked (OK)"]


async def test_an_earlier_tasks_message_fails_nothing_while_preparing():
    session, _ = session_over(dump(("TextView", "Too many attempts. Try again later.", "", False)))
    with session.interruptions.from_earlier_tasks():
        screen = await session.look()
    assert session.interruptions.shows_message(screen, session.sel)
    with pytest.raises(ScriptFailed, match="^rate limited by TikTok"):
        await session.look(fresh=True)


async def test_a_caption_that_mentions_too_many_things_is_not_a_rate_limit():
    session, _ = session_over(dump(("TextView", "too many cats, try again later maybe", "", False)))
    await session.look()


async def test_a_tap_the_screen_ignores_is_tried_again_then_reported():
    search = dump(("ImageView", "", "Search", True))
    session, driver = session_over(search)
    with pytest.raises(ScriptFailed, match="^the search field did not show up on FAKE1$"):
        await session.tap_until("home_search", "search_input", what="the search field", timeout_s=0.01)
    assert len(driver.taps) == 4


async def test_a_tap_that_leads_elsewhere_is_not_repeated():
    search = dump(("ImageView", "", "Search", True))
    field = dump(("EditText", "Search", "", True))
    session, driver = session_over(search, search, field)
    found, _ = await session.tap_until("home_search", "search_input", what="the search field", timeout_s=1)
    assert found == "search_input" and len(driver.taps) == 1


async def test_the_same_hierarchy_again_is_parsed_and_checked_once_but_a_new_one_is(monkeypatch):
    from devices.ui import session as session_module

    parsed = []
    real_parse = session_module.Screen.parse
    monkeypatch.setattr(session_module.Screen, "parse", lambda xml: parsed.append(xml) or real_parse(xml))
    limited = dump(("TextView", "Too many attempts. Try again later.", "", False))
    session, driver = session_over(HOME, HOME, HOME, limited)
    first = await session.look()
    assert await session.look(fresh=True) is first and await session.look(fresh=True) is first
    assert parsed == [HOME]
    with pytest.raises(AccountWarned):  # a different dump is parsed and checked again
        await session.look(fresh=True)
    with pytest.raises(AccountWarned):  # and the same message keeps ending steps: a warning is never cached
        await session.look(fresh=True)
    assert parsed == [HOME, limited]
