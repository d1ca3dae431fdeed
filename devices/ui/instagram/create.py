"""Instagram's create flow: Create, the destination (POST, REEL or STORY), the pushed files picked in the gallery
(the newest are the first tiles), Next to the caption, Share (a story: "Your story"), and the upload until shared."""

from __future__ import annotations

import time
from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.navigation import Navigation
from devices.ui.session import RETRIES, AppSession

DESTINATIONS = {"post": "dest_post", "reel": "dest_reel", "story": "dest_story"}


def destination(kind: str, count: int, placement: str) -> str:
    """Where a share goes: a story for placement story; else a reel for a video, a post for photos (a carousel
    when there are several)."""
    if placement == "story":
        return "story"
    return "reel" if kind == "video" else "post"


@dataclass
class Create:
    """Making a post, a reel or a story from files pushed to the phone."""

    session: AppSession
    navigation: Navigation

    async def open_gallery(self, where: str) -> None:
        """Create, then the destination's tab of the gallery."""
        session = self.session
        await self.navigation.go_home()
        await session.tap_until(
            "create", "gallery_tile", *DESTINATIONS.values(), what="the gallery", button="the Create button"
        )
        tab = DESTINATIONS[where]
        for _ in range(RETRIES):
            element = await session.find(tab)
            if element is None:
                raise ScriptFailed(f"the {where.upper()} tab of the gallery did not show up on {session.serial}")
            if element.selected:
                return
            await session.tap(element)
        raise ScriptFailed(f"the gallery stays off its {where.upper()} tab on {session.serial}")

    async def pick(self, count: int) -> None:
        """Select the `count` newest files (ours, just pushed), oldest of them first: the slides keep the order
        in which they were pushed."""
        session = self.session
        screen = await session.look(fresh=True)
        tiles = screen.find_all(session.sel["gallery_tile"])
        if len(tiles) < count:
            raise ScriptFailed(f"the gallery shows {len(tiles)} files; the post needs {count}")
        if count > 1:
            multiple = screen.find(session.sel["select_multiple"])
            if multiple is not None and not multiple.selected:
                await session.tap(multiple)
        for index in reversed(range(count)):
            tile = (await session.look()).find_all(session.sel["gallery_tile"])[index]
            if not tile.selected:
                await session.tap(tile)
        chosen = [t for t in (await session.look()).find_all(session.sel["gallery_tile"]) if t.selected]
        if len(chosen) != count:
            raise ScriptFailed(f"{len(chosen)} of {count} files are selected in the gallery")

    async def to_caption(self) -> None:
        """Next (the filters or the video editor), then Next again, until the caption shows."""
        await self.session.tap_until("next", "caption_input", what="the caption screen", button="the Next button")
        for _ in range(RETRIES):
            if await self.session.find("caption_input") is not None:
                return
            await self.session.tap_on("next", what="the Next button")
        await self.session.expect("caption_input", what="the caption screen")

    async def write_caption(self, caption: str) -> None:
        """Type the caption."""
        _, field = await self.session.expect("caption_input", what="the caption field")
        await self.session.type_into(field, caption)

    async def share(self, story: bool) -> None:
        """Share (a story: Your story); the home feed then shows the upload."""
        await self.session.tap_until(
            "your_story" if story else "share",
            "upload_notice",
            "tab_home",
            what="the home feed after sharing",
            button="the Share button",
        )

    async def wait_upload(self, timeout_s: float) -> str:
        """Until the feed says it was shared; ScriptFailed when it fails or outlasts `timeout_s` run seconds."""
        session = self.session
        deadline = time.monotonic() + max(timeout_s, 1.0) * session.clock.time_scale
        attempt = 0
        while True:
            screen = await session.look(fresh=attempt > 0)
            failed = screen.containing(session.sel.label("upload_failed"))
            if failed is not None:
                raise ScriptFailed(f"Instagram could not share it: {failed.label}")
            notice = screen.find(session.sel["upload_notice"])
            if notice is not None and session.mentions(notice, "shared"):
                return f"shared: {notice.label}"
            if notice is None and attempt >= 1 and screen.find(session.sel["tab_home"]) is not None:
                return "shared (the feed shows no upload any more)"
            attempt += 1
            if attempt >= 2 and time.monotonic() >= deadline:
                raise ScriptFailed(f"the upload did not finish within {timeout_s:.0f} s")
            await session.clock.sleep(session.poll_s)
