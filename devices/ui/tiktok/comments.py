"""TikTok's comments under the video on screen: one written (with an image from the gallery),
verified in the list, then the sheet closed."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.screen import Screen
from devices.ui.session import RETRIES, AppSession
from devices.ui.tiktok.feed import VIDEO_CONTROLS
from devices.ui.tiktok.gallery import Gallery


@dataclass
class Comments:
    """The comments sheet of a video."""

    session: AppSession
    gallery: Gallery

    async def write(self, text: str, image: str | None = None) -> str:
        """Write a comment on the video on screen (with an image pushed to the phone); verified in the list."""
        session = self.session
        session.changed()
        _, field = await session.tap_until(
            "video_comments", "comment_input", what="the comment field", button="the comments button"
        )
        if image is not None:
            await self._attach_image(image)
            _, field = await session.expect("comment_input", what="the comment field")
        await session.type_into(field, text)
        for _ in range(RETRIES):
            await session.tap_on("comment_post", what="the Post button of the comment")
            screen = await session.look()
            field = screen.find(session.sel["comment_input"])
            if self._shows_comment(screen, text) or field is None or field.text != text:
                break
        if not self._shows_comment(screen, text):
            raise ScriptFailed(f"the comment did not appear under the video: {text[:60]!r}")
        await self._close(screen)
        return text

    def _shows_comment(self, screen: Screen, text: str) -> bool:
        listed = screen.find_all(self.session.sel["comment_text"])
        return any(e.text == text for e in listed) or any(
            e.text == text and not e.cls.endswith("EditText") for e in screen.elements
        )

    async def _attach_image(self, remote: str) -> None:
        await self.session.tap_until(
            "comment_add_image", "gallery_tile", "gallery_empty", what="the gallery", button="the Add image button"
        )
        await self.gallery.pick([remote])
        await self.session.tap_until(
            "next", "comment_attached", what="the attached image", button="the Next button of the gallery"
        )

    async def _close(self, screen: Screen) -> None:
        close = screen.find(self.session.sel["comment_close"])
        if close is not None:
            await self.session.tap_until(close, *VIDEO_CONTROLS, what="the video")
        else:
            await self.session.press("back")
