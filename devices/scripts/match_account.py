"""match_account: read the accounts signed in on the phone into the account registry."""

from __future__ import annotations

from typing import Any

from devices.scripts.base import ScriptContext
from service.domain.apps import TIKTOK


class MatchAccountScript:
    """Steps read-accounts, then register."""

    name = "match_account"

    def planned_steps(self, config: dict[str, Any], app: str = TIKTOK) -> int:
        """Two steps."""
        return 2

    async def run(self, ctx: ScriptContext) -> None:
        """The switcher's list goes to `ctx.register_accounts`, replacing the phone's entries."""
        found: list[str] = []

        async def read() -> str:
            found.extend(await ctx.ui.accounts.signed_in())
            return f"{len(found)} signed in: " + ", ".join("@" + name for name in found)

        async def register() -> str:
            await ctx.register_accounts(list(found))
            return f"registered {len(found)} account{'s' if len(found) != 1 else ''} on {ctx.serial}"

        await ctx.step("read-accounts", read)
        await ctx.step("register", register)
