"""TikTok's accounts signed in on the phone: the own profile, the switcher's list, switching."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.navigation import Navigation
from devices.ui.screen import Element, Screen
from devices.ui.session import AppSession, bare_username

SWITCHER = ("add_account",)


@dataclass
class Accounts:
    """The own profile and the account switcher."""

    session: AppSession
    navigation: Navigation

    async def open_own_profile(self) -> Screen:
        """The Profile tab."""
        await self.navigation.go_home()
        await self.session.tap_until(
            "tab_profile", "own_username", "profile_menu", "edit_profile", what="your profile", button="the Profile tab"
        )
        return await self.session.look()

    def _own_name(self, screen: Screen) -> str | None:
        sel = self.session.sel
        element = screen.find(sel["own_username"]) or screen.find(sel["profile_handle"])
        return bare_username(element.text) if element is not None and element.text else None

    async def _open_switcher(self) -> Screen:
        session = self.session
        opener = await session.find("own_username")
        if opener is not None:
            await session.tap_until(opener, *SWITCHER, what="the account switcher")
        else:
            await session.tap_until(
                "profile_menu", "settings_and_privacy", what="Settings and privacy", button="the Profile menu"
            )
            await session.tap_until("settings_and_privacy", "switch_account_row", what="Switch account")
            await session.tap_until("switch_account_row", *SWITCHER, what="the account switcher")
        return await session.look()

    def _account_rows(self, screen: Screen) -> list[Element]:
        sel = self.session.sel
        names = screen.find_all(sel["account_row_name"])
        if names:
            return names
        # Without ids: the texts between the switcher's title and "Add account".
        end = screen.find(sel["add_account"])
        if end is None:
            return []
        titles = [e for e in screen.matching(sel["switch_account_title"]) if e.position < end.position]
        start = titles[-1].position + 1 if titles else 0
        skip = set(sel.label("switch_account")) | set(sel.label("add_account"))
        return [
            e
            for e in screen.elements[start : end.position]
            if e.text and e.text not in skip and e.cls.endswith("TextView") and screen.reachable(e)
        ]

    async def signed_in(self) -> list[str]:
        """Every account signed in on the phone, as the switcher lists them."""
        await self.open_own_profile()
        names = [bare_username(e.text) for e in self._account_rows(await self._open_switcher())]
        await self.session.press("back")
        if not names:
            raise ScriptFailed(f"the account switcher on {self.session.serial} lists no accounts")
        return names

    async def switch(self, username: str) -> str:
        """Make `username` the current account (nothing to do if it already is)."""
        session, name = self.session, bare_username(username)
        screen = await self.open_own_profile()
        if self._own_name(screen) == name:
            return f"@{name} was already signed in"
        rows = self._account_rows(await self._open_switcher())
        row = next((e for e in rows if bare_username(e.text) == name), None)
        if row is None:
            await session.press("back")
            listed = ", ".join("@" + bare_username(e.text) for e in rows) or "none"
            raise ScriptFailed(f"account @{name} is not signed in on {session.serial} (signed in: {listed})")
        await session.tap_until(row, "own_username", "profile_menu", what="your profile")
        now = self._own_name(await session.look())
        if now != name:
            raise ScriptFailed(f"switching to @{name} on {session.serial} failed: @{now} is signed in")
        return f"switched to @{name}"
