"""Instagram profiles: a user's, opened by link or through search; follow (Following, or Requested for a private
account) and unfollow (the Following sheet, and the confirmation a private account asks for), each verified by the
button's label."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.instagram.search import Search
from devices.ui.navigation import Navigation
from devices.ui.screen import Element
from devices.ui.session import RETRIES, AppSession, bare_username

PROFILE_URL = "https://www.instagram.com/{}/"
PROFILE_SHOWN = ("profile_follow", "edit_profile", "page_unavailable")


@dataclass
class Profiles:
    """Other users' profiles."""

    session: AppSession
    navigation: Navigation
    search: Search

    async def open(self, username: str, *, access: str = "direct") -> str:
        """Open a user's profile by link (`direct`) or through search; ScriptFailed when the user does not exist."""
        name = bare_username(username)
        if access == "search":
            screen = await self.search.submit(name)
            rows = screen.find_all(self.session.sel["search_user_name"])
            row = next((e for e in rows if bare_username(e.text) == name), None)
            if row is None:
                raise ScriptFailed(f"user @{name} not found")
            await self.session.tap_until(row, *PROFILE_SHOWN, what=f"the profile of @{name}")
            how = f"found @{name} by search"
        else:
            await self.navigation.open_url(PROFILE_URL.format(name))
            how = f"opened {PROFILE_URL.format(name)}"
        found, _ = await self.session.expect(*PROFILE_SHOWN, what=f"the profile of @{name}")
        if found == "page_unavailable":
            raise ScriptFailed(f"user @{name} not found")
        if found == "edit_profile":
            raise ScriptFailed(f"@{name} is the account signed in on {self.session.serial}")
        title = await self.session.find("profile_title")
        if title is not None and title.text and bare_username(title.text) != name:
            raise ScriptFailed(f"the profile of @{bare_username(title.text)} opened instead of @{name}")
        private = await self.session.find("profile_private")
        return how + (" (a private account)" if private is not None else "")

    async def _button(self, name: str, what: str) -> Element:
        self.session.changed()
        _, button = await self.session.expect("profile_follow", what=f"the {what} button of @{name}")
        return button

    async def follow(self, username: str) -> str:
        """Follow the user whose profile is open; a private account's button reads Requested afterwards."""
        session, name = self.session, bare_username(username)
        button = await self._button(name, "Follow")
        if session.labelled(button, "following"):
            return f"already following @{name}"
        if session.labelled(button, "requested"):
            return f"already requested to follow @{name} (a private account)"
        after: Element | None = button
        for _ in range(RETRIES):
            await session.tap(after)  # type: ignore[arg-type]
            after = await session.find("profile_follow")
            if after is None or session.labelled(after, "following") or session.labelled(after, "requested"):
                break
        if session.labelled(after, "following"):
            return f"followed @{name}"
        if session.labelled(after, "requested"):
            return f"followed @{name}: requested (a private account)"
        raise ScriptFailed(f"could not follow @{name}: the button reads {after.label if after else 'nothing'!r}")

    async def unfollow(self, username: str) -> str:
        """Unfollow the user whose profile is open: Following, then Unfollow in the sheet (and in the confirmation
        a private account asks for); a pending request is withdrawn instead."""
        session, name = self.session, bare_username(username)
        button = await self._button(name, "Following")
        if session.labelled(button, "requested"):
            await session.tap(button)
            after = await session.find("profile_follow")
            if after is None or session.labelled(after, "requested"):
                raise ScriptFailed(f"could not withdraw the follow request to @{name}")
            return f"withdrew the follow request to @{name} (was not following)"
        if not session.labelled(button, "following"):
            return f"was not following @{name}"
        _, row = await session.tap_until(
            button, "follow_sheet_unfollow", what="the Unfollow row of the Following sheet"
        )
        found, element = await session.tap_until(
            row, "unfollow_confirm", "profile_follow", what=f"the profile of @{name}"
        )
        if found == "unfollow_confirm":
            await session.tap_until(element, "profile_follow", what=f"the profile of @{name}")
        after = await session.find("profile_follow")
        if after is None or not session.labelled(after, "follow") or session.labelled(after, "following"):
            raise ScriptFailed(f"could not unfollow @{name}: the button reads {after.label if after else 'nothing'!r}")
        return f"unfollowed @{name}"
