"""Instagram's search: the Search and explore tab, a query submitted, its accounts and its reels."""

from __future__ import annotations

from dataclasses import dataclass

from devices.ui.navigation import Navigation
from devices.ui.screen import Screen
from devices.ui.session import AppSession

RESULTS = ("search_user_row", "search_no_results", "search_reel_tile")


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
            "tab_search", "search_input", what="the search field", button="the Search and explore tab"
        )
        await session.type_into(field, query)
        await session.press("enter")
        await session.expect(*RESULTS, what=f"search results for {query!r}")
        return await session.look()
