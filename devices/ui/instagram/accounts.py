"""Instagram's accounts signed in on the phone: the own profile's title, the switcher under its chevron, switching."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.navigation import Navigation
from devices.ui.screen import Element, Screen
from devices.ui.session import AppSession, bare_username

OWN_PROFILE = ("own_title", "edit_profile")


@dataclass
class Accounts:
    """The own profile and the account switcher."""

    session: AppSession
    navigation: Navigation

    async def open_own_profile(self) -> Screen:
        """The Profile tab."""
        await self.navigation.go_home()
        await self.session.tap_until("tab_profile", "edit_profile", what="your profile", button="the Profile tab")
        return await self.session.look()

    def _own_name(self, screen: Screen) -> str | None:
        title = screen.find(self.session.sel["own_title"])
        # A private account's title ends with a lock drawn as spaces.
        return bare_username(title.text) if title is not None and title.text.strip() else None

    async def _switcher_rows(self) -> list[Element]:
        session = self.session
        await session.tap_until(
            "switcher_chevron", "add_account", what="the account switcher", button="the chevron beside your username"
        )
        return (await session.look()).find_all(session.sel["account_row_name"])

    async def signed_in(self) -> list[str]:
        """Every account signed in on the phone, as the switcher lists them."""
        await self.open_own_profile()
        names = [bare_username(e.text) for e in await self._switcher_rows() if e.text.strip()]
        await self.session.press("back")
        if not names:
            raise ScriptFailed(f"the Instagram account switcher on {self.session.serial} lists no accounts")
        return names

    async def switch(self, username: str) -> str:
        """Make `username` the current account (nothing to do if it already is)."""
        session, name = self.session, bare_username(username)
        if self._own_name(await self.open_own_profile()) == name:
            return f"@{name} was already signed in"
        rows = await self._switcher_rows()
        row = next((e for e in rows if bare_username(e.text) == name), None)
        if row is None:
            await session.press("back")
            listed = ", ".join("@" + bare_username(e.text) for e in rows) or "none"
            raise ScriptFailed(
                f"account @{name} is not signed in to Instagram on {session.serial} (signed in: {listed})"
            )
        await session.tap_until(row, *OWN_PROFILE, what="your profile")
        now = self._own_name(await session.look(fresh=True))
        if now != name:
            raise ScriptFailed(f"switching to @{name} on {session.serial} failed: @{now} is signed in")
        return f"switched to @{name}"
