"""People: search, a user's profile, follow and unfollow (verified by the flipped label)."""

from __future__ import annotations

from devices.errors import ScriptFailed
from devices.ui.prepare import Preparation
from devices.ui.screen import Element, Screen
from devices.ui.session import RETRIES

PROFILE_URL = "https://www.tiktok.com/@{}"


class People(Preparation):
    """Finding users and following them."""

    async def open_profile(self, username: str, *, access: str = "direct") -> str:
        """Open a user's profile by URL (`direct`) or through search; ScriptFailed when the user does not exist."""
        name = self.clean(username)
        if access == "search":
            await self.search(name)
            await self._open_user_from_results(name)
            how = f"found @{name} by search"
        else:
            await self.open_url(PROFILE_URL.format(name))
            how = f"opened {PROFILE_URL.format(name)}"
        found, _ = await self.expect("edit_profile", "profile_followers", "profile_not_found",
                                     what=f"the profile of @{name}")
        if found == "profile_not_found":
            raise ScriptFailed(f"user @{name} not found")
        if found == "edit_profile":
            raise ScriptFailed(f"@{name} is the account signed in on {self.serial}")
        return how

    async def search(self, query: str) -> Screen:
        """Type `query` into search and submit it; the results' screen."""
        await self.go_home()
        _, field = await self.tap_until("home_search", "search_input", what="the search field",
                                        button="the Search button")
        await self.type_into(field, query)
        results = ("search_tab_top", "search_tab_users", "search_no_results")
        button = await self.find("search_button")
        if button is not None:
            await self.tap_until(button, *results, what=f"search results for {query!r}")
        else:
            await self.press("enter")
            await self.expect(*results, what=f"search results for {query!r}")
        return await self.look()

    async def search_tab(self, name: str) -> Screen:
        """Switch the search results to a tab (search_tab_users, search_tab_videos, search_tab_sounds)."""
        for _ in range(RETRIES):
            element = await self.find(name)
            if element is None or element.selected:
                break
            await self.tap(element)
        return await self.look()

    async def _open_user_from_results(self, name: str) -> None:
        screen = await self.search_tab("search_tab_users")
        row = self._user_row(screen, name)
        if row is None:
            raise ScriptFailed(f"user @{name} not found")
        await self.tap_until(row, "edit_profile", "profile_followers", "profile_not_found", what=f"the profile of @{name}")

    def _user_row(self, screen: Screen, name: str) -> Element | None:
        handles = screen.find_all(self.sel["user_row_handle"])
        candidates = handles or [e for e in screen.elements if e.cls.endswith("TextView") and screen.reachable(e)]
        return next((e for e in candidates if self.clean(e.text) == name), None)

    async def follow(self, username: str) -> str:
        """Follow the user whose profile is open; the detail of what happened."""
        name = self.clean(username)
        self.changed()
        _, button = await self.expect("profile_follow", what=f"the Follow button of @{name}")
        if self.labelled(button, "following"):
            return f"already following @{name}"
        after = await self.tap_flips("profile_follow", "following", what=f"Follow (@{name})")
        if not self.labelled(after, "following"):
            shown = after.label if after else "nothing"
            raise ScriptFailed(f"could not follow @{name}: the button reads {shown!r}")
        return f"followed @{name}"

    async def unfollow(self, username: str) -> str:
        """Unfollow the user whose profile is open (tap Following, confirm Unfollow)."""
        name = self.clean(username)
        self.changed()
        _, button = await self.expect("profile_follow", what=f"the Following button of @{name}")
        if not self.labelled(button, "following"):
            return f"was not following @{name}"
        _, confirm = await self.tap_until(button, "unfollow_confirm", what="the Unfollow confirmation")
        await self.tap_until(confirm, "profile_follow", what=f"the profile of @{name}")
        after = await self.find("profile_follow")
        if after is None or not self.labelled(after, "follow") or self.labelled(after, "following"):
            shown = after.label if after else "nothing"
            raise ScriptFailed(f"could not unfollow @{name}: the button reads {shown!r}")
        return f"unfollowed @{name}"
