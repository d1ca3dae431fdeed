"""TikTok's search: a query typed and submitted from home, and the tabs of its results."""

from __future__ import annotations

from dataclasses import dataclass

from devices.ui.navigation import Navigation
from devices.ui.screen import Screen
from devices.ui.session import RETRIES, AppSession

RESULTS = ("search_tab_top", "search_tab_users", "search_no_results")


@dataclass
class Search:
    """The search field and its results."""

    session: AppSession
    navigation: Navigation

    async def submit(self, query: str) -> Screen:
        """Type `query` into search and submit it; the results' screen."""
        session = self.session
        await self.navigation.go_home()
        _, field = await session.tap_until(
            "home_search", "search_input", what="the search field", button="the Search button"
        )
        await session.type_into(field, query)
        button = await session.find("search_button")
        if button is not None:
            await session.tap_until(button, *RESULTS, what=f"search results for {query!r}")
        else:
            await session.press("enter")
            await session.expect(*RESULTS, what=f"search results for {query!r}")
        return await session.look()

    async def show_tab(self, name: str) -> Screen:
        """Switch the results to a tab (search_tab_users, search_tab_videos, search_tab_sounds)."""
        for _ in range(RETRIES):
            element = await self.session.find(name)
            if element is None or element.selected:
                break
            await self.session.tap(element)
        return await self.session.look()
