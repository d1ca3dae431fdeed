"""Before a task, on virtual phones: wake and unlock, app checks, the language, dialogs, accounts, limits."""

from __future__ import annotations

import pytest
from phone_runs import phone_ui

from devices.errors import AppProblem, ScriptFailed


async def test_a_ready_phone_prepares_without_warnings_and_lands_on_the_home_feed(farm):
    ui = phone_ui(farm, 0)
    assert await ui.prepare() == []
    assert farm.state(farm.serials[0])["screen"] == "home"


async def test_a_sleeping_locked_phone_is_woken_and_unlocked(farm):
    serial = farm.serials[1]
    farm.faults(f"screen={serial}:off")
    assert farm.state(serial)["display"] == "off"
    assert await phone_ui(farm, 1).prepare() == []
    assert farm.state(serial)["display"] == "on" and farm.state(serial)["screen"] == "home"
    farm.faults(f"screen={serial}:locked")
    await phone_ui(farm, 1).prepare()
    assert farm.state(serial)["display"] == "on"


async def test_a_missing_app_is_named(farm):
    serial = farm.serials[2]
    farm.faults(f"app={serial}:missing")
    try:
        with pytest.raises(AppProblem, match=rf"^TikTok \(com.zhiliaoapp.musically\) is not installed on {serial}$"):
            await phone_ui(farm, 2).prepare()
    finally:
        farm.faults(f"app={serial}:installed")


@pytest.mark.parametrize("version", ["34.1.2", "35.0.0"])
async def test_an_app_in_another_language_is_named(farm, version):
    serial = farm.serials[3]
    farm.faults(f"lang={serial}:fr,version={serial}:{version}")
    try:
        with pytest.raises(
            AppProblem, match=rf"TikTok on {serial} is in French; droidledger drives it in English only"
        ):
            await phone_ui(farm, 3).prepare()
    finally:
        farm.faults(f"lang={serial}:en,version={serial}:34.1.2")


async def test_an_unknown_version_warns_and_still_works_by_labels(farm):
    serial = farm.serials[4]
    farm.faults(f"version={serial}:35.2.0")
    try:
        ui = phone_ui(farm, 4)
        warnings = await ui.prepare()
        assert warnings == [
            f"TikTok 35.2.0 on {serial} is a version droidledger has no selectors for;"
            " using those of 34.1.2 (labels first)"
        ]
        await ui.profiles.open("version_check")
        assert await ui.profiles.follow("version_check") == "followed @version_check"
        names = await ui.accounts.signed_in()  # the switcher without its ids
        assert names == list(farm.state(serial)["accounts"])
    finally:
        farm.faults(f"version={serial}:34.1.2")


@pytest.mark.parametrize("kind", ["rating", "friends", "collections", "permission"])
async def test_an_interrupting_dialog_is_dismissed(farm, kind):
    serial = farm.serials[5]
    ui = phone_ui(farm, 5)
    await ui.prepare()
    farm.faults(f"popup={serial}:{kind}")
    assert farm.state(serial)["dialog"] == kind
    await ui.profiles.open("dialog_check")
    assert farm.state(serial)["dialog"] is None and len(ui.session.interruptions.dismissed) == 1


async def test_switching_accounts_and_reading_them(farm):
    serial = farm.serials[0]
    ui = phone_ui(farm, 0)
    await ui.prepare()
    names = await ui.accounts.signed_in()
    assert names == list(farm.state(serial)["accounts"]) and len(names) == 2
    assert await ui.switch_account("@" + names[1]) == f"switched to @{names[1]}"
    assert farm.state(serial)["current_account"] == names[1]
    assert await ui.switch_account(names[1]) == f"@{names[1]} was already signed in"
    with pytest.raises(ScriptFailed, match="account @nobody_here is not signed in"):
        await ui.switch_account("nobody_here")
    await ui.switch_account(names[0])


async def test_the_rate_limit_message_fails_the_step_with_its_text(farm):
    ui = phone_ui(farm, 1)
    await ui.prepare()
    farm.faults("ratelimit=1")
    try:
        await ui.profiles.open("limit_one")
        await ui.profiles.follow("limit_one")
        await ui.profiles.open("limit_two")
        with pytest.raises(ScriptFailed, match=r"^rate limited by TikTok: Too many attempts\. Try again later\.$"):
            await ui.profiles.follow("limit_two")
    finally:
        farm.faults("reset")
    assert farm.state(farm.serials[1])["toast"]  # the next task starts with the message still shown
    await ui.prepare()
    await ui.profiles.open("limit_three")
    assert await ui.profiles.follow("limit_three") == "followed @limit_three"
