"""TikTok's videos: one opened by URL, the For You feed, a topic's videos; what plays, the next
one; like, favourite and follow the creator, each verified by the flipped label."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.navigation import Navigation
from devices.ui.session import RETRIES, AppSession, bare_username
from devices.ui.tiktok.search import Search

VIDEO_CONTROLS = ("video_like", "video_comments", "video_favourite")


@dataclass(frozen=True, slots=True)
class VideoOnScreen:
    """What a video shows of itself."""

    author: str
    caption: str
    key: str  # tells two videos apart (author, caption and like label)


@dataclass
class Feed:
    """Watching and reacting to videos."""

    session: AppSession
    navigation: Navigation
    search: Search

    async def open_post(self, url: str) -> None:
        """Open a video (or a short link) by URL; ScriptFailed when it is not available."""
        await self.navigation.open_url(url)
        found, _ = await self.session.expect(*VIDEO_CONTROLS, "video_unavailable", what=f"the video {url}")
        if found == "video_unavailable":
            raise ScriptFailed(f"video not available: {url}")

    async def open_for_you(self) -> None:
        """The For You feed."""
        await self.navigation.go_home()
        tab = await self.session.find("feed_for_you")
        if tab is not None and not tab.selected:
            await self.session.tap_until(tab, *VIDEO_CONTROLS, what="the For You feed")
        await self.session.expect(*VIDEO_CONTROLS, what="the For You feed")

    async def open_topic(self, topic: str) -> None:
        """Search a topic and open its first video (swipe for the next ones)."""
        await self.search.submit(topic)
        screen = await self.search.show_tab("search_tab_videos")
        tiles = screen.find_all(self.session.sel["video_tile"])
        if not tiles:
            raise ScriptFailed(f"no videos found for {topic!r}")
        await self.session.tap_until(tiles[0], *VIDEO_CONTROLS, what=f"a video about {topic!r}")

    async def current_video(self) -> VideoOnScreen:
        """The video playing now."""
        screen, sel = await self.session.look(), self.session.sel
        author = screen.find(sel["video_author"])
        avatar = screen.find(sel["video_avatar"])
        caption = screen.find(sel["video_caption"])
        like = screen.find(sel["video_like"])
        name = bare_username(author.text) if author else (avatar.desc if avatar else "")
        text = caption.text if caption else ""
        return VideoOnScreen(name, text, f"{name}|{text}|{like.desc if like else ''}")

    async def next_video(self) -> bool:
        """Swipe to the next video; False when the list has no next one (the same video stays)."""
        before = await self.current_video()
        for _ in range(RETRIES):
            await self.session.swipe_up()
            await self.session.expect(*VIDEO_CONTROLS, what="the next video")
            if (await self.current_video()).key != before.key:
                return True
        return False

    async def _toggle(self, name: str, state: str, what: str) -> bool:
        session = self.session
        session.changed()
        _, button = await session.expect(name, what=f"the {what} button")
        if session.labelled(button, state):
            return False
        after = await session.tap_flips(name, state, what=what)
        if not session.labelled(after, state):
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
        session = self.session
        screen = await session.look(fresh=True)
        button = screen.find(session.sel["video_follow"])
        if button is None or session.labelled(button, "following"):
            return False
        after = await session.tap_flips("video_follow", "following", what="Follow (creator)")
        if after is not None and not session.labelled(after, "following"):
            raise ScriptFailed(f"following the creator did not register: the button reads {after.label!r}")
        return True
