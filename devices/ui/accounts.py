"""The accounts signed in on the phone: which is current, the list, switching."""

from __future__ import annotations

from devices.errors import ScriptFailed
from devices.ui.people import People
from devices.ui.screen import Element, Screen


class Accounts(People):
    """Own profile and the account switcher."""

    async def open_own_profile(self) -> Screen:
        """The Profile tab."""
        await self.go_home()
        await self.tap_until("tab_profile", "own_username", "profile_menu", "edit_profile", what="your profile",
                             button="the Profile tab")
        return await self.look()

    def _own_name(self, screen: Screen) -> str | None:
        element = screen.find(self.sel["own_username"]) or screen.find(self.sel["profile_handle"])
        return self.clean(element.text) if element is not None and element.text else None

    async def _open_switcher(self) -> Screen:
        switcher = ("add_account",)
        opener = await self.find("own_username")
        if opener is not None:
            await self.tap_until(opener, *switcher, what="the account switcher")
        else:
            await self.tap_until("profile_menu", "settings_and_privacy", what="Settings and privacy",
                                 button="the Profile menu")
            await self.tap_until("settings_and_privacy", "switch_account_row", what="Switch account")
            await self.tap_until("switch_account_row", *switcher, what="the account switcher")
        return await self.look()

    def _account_rows(self, screen: Screen) -> list[Element]:
        names = screen.find_all(self.sel["account_row_name"])
        if names:
            return names
        # Without ids: the texts between the switcher's title and "Add account".
        end = screen.find(self.sel["add_account"])
        if end is None:
            return []
        titles = [e for e in screen.matching(self.sel["switch_account_title"]) if e.position < end.position]
        start = titles[-1].position + 1 if titles else 0
        skip = set(self.sel.label("switch_account")) | set(self.sel.label("add_account"))
        return [e for e in screen.elements[start:end.position]
                if e.text and e.text not in skip and e.cls.endswith("TextView") and screen.reachable(e)]

    async def signed_in_accounts(self) -> list[str]:
        """Every account signed in on the phone, as the switcher lists them."""
        await self.open_own_profile()
        rows = self._account_rows(await self._open_switcher())
        names = [self.clean(e.text) for e in rows]
        await self.press("back")
        if not names:
            raise ScriptFailed(f"the account switcher on {self.serial} lists no accounts")
        return names

    async def switch_account(self, username: str) -> str:
        """Make `username` the current account (nothing to do if it already is)."""
        name = self.clean(username)
        screen = await self.open_own_profile()
        if self._own_name(screen) == name:
            return f"@{name} was already signed in"
        rows = self._account_rows(await self._open_switcher())
        row = next((e for e in rows if self.clean(e.text) == name), None)
        if row is None:
            await self.press("back")
            listed = ", ".join("@" + self.clean(e.text) for e in rows) or "none"
            raise ScriptFailed(f"account @{name} is not signed in on {self.serial} (signed in: {listed})")
        await self.tap_until(row, "own_username", "profile_menu", what="your profile")
        now = self._own_name(await self.look())
        if now != name:
            raise ScriptFailed(f"switching to @{name} on {self.serial} failed: @{now} is signed in")
        return f"switched to @{name}"
