"""follow and unfollow: open the target's profile (by URL or through search), then flip the button."""

from __future__ import annotations

from typing import Any

from devices.errors import ScriptFailed
from devices.scripts.base import ScriptContext
from service.domain.apps import TIKTOK


def target_user(config: dict[str, Any]) -> str:
    """The task's single target (fan-out puts it in `target_users`)."""
    users = [u for u in config.get("target_users") or [] if str(u).strip()]
    if not users:
        raise ScriptFailed("the task names no target user")
    return str(users[0]).strip()


class FollowScript:
    """`follow` or `unfollow` one user: steps open-profile, then follow / unfollow."""

    def __init__(self, name: str) -> None:
        self.name = name

    def planned_steps(self, config: dict[str, Any], app: str = TIKTOK) -> int:
        """Two steps."""
        return 2

    async def run(self, ctx: ScriptContext) -> None:
        """Open the profile, then follow or unfollow, verified by the button's new label."""
        user = target_user(ctx.config)
        access = ctx.config.get("access_method", "direct")
        profiles = ctx.ui.profiles
        await ctx.step("open-profile", lambda: profiles.open(user, access=access))
        action = profiles.unfollow if self.name == "unfollow" else profiles.follow

        async def flip() -> str:
            detail = await action(user)
            if detail.startswith(f"{self.name}ed @"):  # not "already following", "was not following"
                ctx.did(self.name)
            return detail

        await ctx.step(self.name, flip)
