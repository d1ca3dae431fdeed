"""TikTok profiles: a user's, opened by URL or through search; follow and unfollow, verified by
the button's flipped label."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.navigation import Navigation
from devices.ui.screen import Element, Screen
from devices.ui.session import AppSession, bare_username
from devices.ui.tiktok.search import Search

PROFILE_URL = "https://www.tiktok.com/@{}"
PROFILE_SHOWN = ("edit_profile", "profile_followers", "profile_not_found")


@dataclass
class Profiles:
    """Other users' profiles."""

    session: AppSession
    navigation: Navigation
    search: Search

    async def open(self, username: str, *, access: str = "direct") -> str:
        """Open a user's profile by URL (`direct`) or through search; ScriptFailed when the user does not exist."""
        name = bare_username(username)
        if access == "search":
            await self.search.submit(name)
            await self._open_from_results(name)
            how = f"found @{name} by search"
        else:
            await self.navigation.open_url(PROFILE_URL.format(name))
            how = f"opened {PROFILE_URL.format(name)}"
        found, _ = await self.session.expect(*PROFILE_SHOWN, what=f"the profile of @{name}")
        if found == "profile_not_found":
            raise ScriptFailed(f"user @{name} not found")
        if found == "edit_profile":
            raise ScriptFailed(f"@{name} is the account signed in on {self.session.serial}")
        return how

    async def _open_from_results(self, name: str) -> None:
        screen = await self.search.show_tab("search_tab_users")
        row = self._user_row(screen, name)
        if row is None:
            raise ScriptFailed(f"user @{name} not found")
        await self.session.tap_until(row, *PROFILE_SHOWN, what=f"the profile of @{name}")

    def _user_row(self, screen: Screen, name: str) -> Element | None:
        handles = screen.find_all(self.session.sel["user_row_handle"])
        candidates = handles or [e for e in screen.elements if e.cls.endswith("TextView") and screen.reachable(e)]
        return next((e for e in candidates if bare_username(e.text) == name), None)

    async def follow(self, username: str) -> str:
        """Follow the user whose profile is open; the detail of what happened."""
        session, name = self.session, bare_username(username)
        session.changed()
        _, button = await session.expect("profile_follow", what=f"the Follow button of @{name}")
        if session.labelled(button, "following"):
            return f"already following @{name}"
        after = await session.tap_flips("profile_follow", "following", what=f"Follow (@{name})")
        if not session.labelled(after, "following"):
            shown = after.label if after else "nothing"
            raise ScriptFailed(f"could not follow @{name}: the button reads {shown!r}")
        return f"followed @{name}"

    async def unfollow(self, username: str) -> str:
        """Unfollow the user whose profile is open (tap Following, confirm Unfollow)."""
        session, name = self.session, bare_username(username)
        session.changed()
        _, button = await session.expect("profile_follow", what=f"the Following button of @{name}")
        if not session.labelled(button, "following"):
            return f"was not following @{name}"
        _, confirm = await session.tap_until(button, "unfollow_confirm", what="the Unfollow confirmation")
        await session.tap_until(confirm, "profile_follow", what=f"the profile of @{name}")
        after = await session.find("profile_follow")
        if after is None or not session.labelled(after, "follow") or session.labelled(after, "following"):
            shown = after.label if after else "nothing"
            raise ScriptFailed(f"could not unfollow @{name}: the button reads {shown!r}")
        return f"unfollowed @{name}"
