"""Videos: open one by URL, the feed, like / favourite / follow the creator, comment (with an image)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.accounts import Accounts
from devices.ui.screen import Element, Screen
from devices.ui.session import RETRIES

VIDEO_CONTROLS = ("video_like", "video_comments", "video_favourite")


@dataclass(frozen=True, slots=True)
class VideoOnScreen:
    """What a video shows of itself."""

    author: str
    caption: str
    key: str                     # tells two videos apart (author, caption and like label)


class Videos(Accounts):
    """Watching and reacting to videos."""

    async def open_video(self, url: str) -> None:
        """Open a video (or a short link) by URL; ScriptFailed when it is not available."""
        await self.open_url(url)
        found, _ = await self.expect(*VIDEO_CONTROLS, "video_unavailable", what=f"the video {url}")
        if found == "video_unavailable":
            raise ScriptFailed(f"video not available: {url}")

    async def open_feed(self) -> None:
        """The For You feed."""
        await self.go_home()
        tab = await self.find("feed_for_you")
        if tab is not None and not tab.selected:
            await self.tap_until(tab, *VIDEO_CONTROLS, what="the For You feed")
        await self.expect(*VIDEO_CONTROLS, what="the For You feed")

    async def open_topic(self, topic: str) -> None:
        """Search a topic and open its first video (swipe for the next ones)."""
        screen = await self.search(topic)
        screen = await self.search_tab("search_tab_videos")
        tiles = screen.find_all(self.sel["video_tile"])
        if not tiles:
            raise ScriptFailed(f"no videos found for {topic!r}")
        await self.tap_until(tiles[0], *VIDEO_CONTROLS, what=f"a video about {topic!r}")

    async def current_video(self) -> VideoOnScreen:
        """The video playing now."""
        screen = await self.look()
        author = screen.find(self.sel["video_author"])
        avatar = screen.find(self.sel["video_avatar"])
        caption = screen.find(self.sel["video_caption"])
        like = screen.find(self.sel["video_like"])
        name = self.clean(author.text) if author else (avatar.desc if avatar else "")
        text = caption.text if caption else ""
        return VideoOnScreen(name, text, f"{name}|{text}|{like.desc if like else ''}")

    async def next_video(self) -> bool:
        """Swipe to the next video; False when the list has no next one (the same video stays)."""
        before = await self.current_video()
        for _ in range(RETRIES):
            await self.swipe_up()
            await self.expect(*VIDEO_CONTROLS, what="the next video")
            if (await self.current_video()).key != before.key:
                return True
        return False

    async def _toggle(self, name: str, state: str, what: str) -> bool:
        self.changed()
        _, button = await self.expect(name, what=f"the {what} button")
        if self.labelled(button, state):
            return False
        after = await self.tap_flips(name, state, what=what)
        if not self.labelled(after, state):
            raise ScriptFailed(f"the {what} did not register: the button reads {after.label if after else 'nothing'!r}")
        return True

    async def like(self) -> bool:
        """Like the video on screen; False if it already was."""
        return await self._toggle("video_like", "liked", "like")

    async def favourite(self) -> bool:
        """Add the video to Favourites; False if it already was."""
        return await self._toggle("video_favourite", "favourited", "favourite")

    async def follow_creator(self) -> bool:
        """Follow the video's creator from the + under the avatar; False if already followed (or own video)."""
        screen = await self.look(fresh=True)
        button = screen.find(self.sel["video_follow"])
        if button is None or self.labelled(button, "following"):
            return False
        after = await self.tap_flips("video_follow", "following", what="Follow (creator)")
        if after is not None and not self.labelled(after, "following"):
            raise ScriptFailed(f"following the creator did not register: the button reads {after.label!r}")
        return True

    async def comment(self, text: str, image: str | None = None) -> str:
        """Write a comment on the video on screen (with an image from the gallery); verified in the list."""
        self.changed()
        _, field = await self.tap_until("video_comments", "comment_input", what="the comment field",
                                        button="the comments button")
        if image is not None:
            await self._attach_image(image)
            _, field = await self.expect("comment_input", what="the comment field")
        await self.type_into(field, text)
        for _ in range(RETRIES):
            await self.tap_on("comment_post", what="the Post button of the comment")
            screen = await self.look()
            field = screen.find(self.sel["comment_input"])
            if self._shows_comment(screen, text) or field is None or field.text != text:
                break
        if not self._shows_comment(screen, text):
            raise ScriptFailed(f"the comment did not appear under the video: {text[:60]!r}")
        await self._close_comments(screen)
        return text

    def _shows_comment(self, screen: Screen, text: str) -> bool:
        listed = screen.find_all(self.sel["comment_text"])
        return any(e.text == text for e in listed) or any(
            e.text == text and not e.cls.endswith("EditText") for e in screen.elements)

    async def _attach_image(self, remote: str) -> None:
        await self.tap_until("comment_add_image", "gallery_tile", "gallery_empty", what="the gallery",
                             button="the Add image button")
        await self.pick_media([remote])
        await self.tap_until("next", "comment_attached", what="the attached image",
                             button="the Next button of the gallery")

    async def _close_comments(self, screen: Screen) -> None:
        close = screen.find(self.sel["comment_close"])
        if close is not None:
            await self.tap_until(close, *VIDEO_CONTROLS, what="the video")
        else:
            await self.press("back")

    async def pick_media(self, remotes: list[str]) -> None:
        """Select files in the gallery picker, in order (tiles are found by file name)."""
        await self.expect("gallery_tile", "gallery_empty", what="the gallery")
        missing = list(remotes)
        for _ in range(RETRIES):
            for remote in missing:
                screen = await self.look()
                tile = self._tile_for(screen, posixpath.basename(remote))
                if tile is None:
                    raise ScriptFailed(f"{posixpath.basename(remote)} is not in the phone's gallery")
                if not self._picked(screen, tile):
                    await self.tap(tile)
            screen = await self.look()
            missing = [r for r in remotes
                       if not (t := self._tile_for(screen, posixpath.basename(r))) or not self._picked(screen, t)]
            if not missing:
                break
        if missing:
            raise ScriptFailed(f"could not select {posixpath.basename(missing[0])} in the gallery")

    def _picked(self, screen: Screen, tile: Element) -> bool:
        """Selected tiles are checked, or show their number in the selection."""
        return tile.checked or tile.selected or any(e.text.isdigit() for e in screen.descendants(tile))

    def _tile_for(self, screen: Screen, name: str) -> Element | None:
        tiles = screen.find_all(self.sel["gallery_tile"])
        return next((t for t in tiles if t.desc.endswith(", " + name) or t.desc == name), None)
