"""How the UI layer treats what pops up, with a fake driver that serves canned dumps and records taps."""

from __future__ import annotations

import pytest

from devices.errors import ScriptFailed
from devices.ui import TikTokUI
from service.clock import SystemClock

PKG = "com.zhiliaoapp.musically"


def dump(*nodes: tuple[str, str, str, bool]) -> str:
    """A one-window dump of (class, text, content-desc, clickable) nodes stacked down the screen."""
    body = "".join(
        f'<node class="android.widget.{cls}" package="{PKG}" text="{text}" content-desc="{desc}" resource-id="" '
        f'clickable="{str(click).lower()}" bounds="[0,{i * 100}][1080,{i * 100 + 90}]" />'
        for i, (cls, text, desc, click) in enumerate(nodes))
    return f'<hierarchy rotation="0"><node class="android.widget.FrameLayout" package="{PKG}" bounds="[0,0][1080,2400]">{body}</node></hierarchy>'


HOME = dump(("FrameLayout", "", "Home", True), ("FrameLayout", "", "Profile", True))


class FakeDriver:
    """Each dump is the next screen of the list (the last one stays); taps are recorded."""

    serial = "FAKE1"

    def __init__(self, *screens: str) -> None:
        self.screens = list(screens)
        self.taps: list[tuple[int, int]] = []

    async def dump_hierarchy(self) -> str:
        return self.screens.pop(0) if len(self.screens) > 1 else self.screens[0]

    async def click(self, x: int, y: int) -> None:
        self.taps.append((x, y))


def ui_over(*screens: str) -> tuple[TikTokUI, FakeDriver]:
    driver = FakeDriver(*screens)
    return TikTokUI(driver, SystemClock(0.001)), driver


async def test_a_media_permission_is_allowed_and_a_contacts_one_denied():
    photos = dump(("TextView", "Allow TikTok to access photos and videos on this device?", "", False),
                  ("Button", "Allow", "", True), ("Button", "Don't allow", "", True))
    ui, driver = ui_over(photos, HOME)
    await ui.look()
    assert driver.taps == [(540, 145)] and ui.dismissed[-1].endswith("(Allow)")
    contacts = photos.replace("photos and videos on this device", "your contacts")
    ui, driver = ui_over(contacts, HOME)
    await ui.look()
    assert driver.taps == [(540, 245)] and ui.dismissed[-1].endswith("(Don't allow)")


async def test_a_dialog_without_a_button_is_closed_by_its_close_icon():
    friends = dump(("TextView", "Follow your friends", "", False), ("ImageView", "", "Close", True))
    ui, driver = ui_over(friends, HOME)
    assert (await ui.look()).find(ui.sel["tab_home"]) is not None
    assert driver.taps == [(540, 145)]


async def test_app_errors_and_limits_end_the_step_with_their_text():
    for text, reason in (("No internet connection", "TikTok says: No internet connection"),
                         ("Too many attempts. Try again later.", "rate limited by TikTok: Too many attempts. Try again later.")):
        ui, _ = ui_over(dump(("TextView", text, "", False)))
        with pytest.raises(ScriptFailed, match=f"^{reason}$"):
            await ui.look()


async def test_a_caption_that_mentions_too_many_things_is_not_a_rate_limit():
    ui, _ = ui_over(dump(("TextView", "too many cats, try again later maybe", "", False)))
    await ui.look()


async def test_a_tap_the_screen_ignores_is_tried_again_then_reported():
    search = dump(("ImageView", "", "Search", True))
    ui, driver = ui_over(search)
    with pytest.raises(ScriptFailed, match="^the search field did not show up on FAKE1$"):
        await ui.tap_until("home_search", "search_input", what="the search field", timeout_s=0.01)
    assert len(driver.taps) == 4


async def test_a_tap_that_leads_elsewhere_is_not_repeated():
    search = dump(("ImageView", "", "Search", True))
    field = dump(("EditText", "Search", "", True))
    ui, driver = ui_over(search, search, field)
    found, _ = await ui.tap_until("home_search", "search_input", what="the search field", timeout_s=1)
    assert found == "search_input" and len(driver.taps) == 1
