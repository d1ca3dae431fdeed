"""Instagram's comments under the post or reel on screen: the sheet, the composer, Post, verified in the list."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.screen import Screen
from devices.ui.session import RETRIES, AppSession


@dataclass
class Comments:
    """The comments sheet of a post or a reel."""

    session: AppSession

    async def write(self, text: str, image: str | None = None) -> str:
        """Write a comment on what shows; verified in the list (a row reading "<you> <comment>")."""
        session = self.session
        if image is not None:
            raise ScriptFailed("a comment on Instagram cannot carry an image")
        session.changed()
        found = await session.wait_for("post_comment", "reel_comment")
        if found is None:
            raise ScriptFailed(f"the comment button did not show up on {session.serial}")
        _, field = await session.tap_until(
            found[1], "comment_input", what="the comment field", button="the comment button"
        )
        await session.type_into(field, text)
        screen = await session.look()
        for _ in range(RETRIES):
            await session.tap_on("comment_post", what="the Post button of the comment")
            screen = await session.look()
            if self._shows(screen, text):
                break
        if not self._shows(screen, text):
            raise ScriptFailed(f"the comment did not appear under the post: {text[:60]!r}")
        for _ in range(2):  # the keyboard, then the sheet
            if (await session.look(fresh=True)).find(session.sel["comments_title"]) is None:
                break
            await session.press("back")
        return text

    def _shows(self, screen: Screen, text: str) -> bool:
        return any(e.text.endswith(" " + text) for e in screen.find_all(self.session.sel["comment_row"]))
