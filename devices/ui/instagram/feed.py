"""Instagram's posts and reels: one opened by link, the home feed, the Reels tab, a topic's reels; what shows, the
next one; like by a double tap on the media (the heart if that did not take), save, follow the author."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.instagram.profiles import Profiles
from devices.ui.instagram.search import Search
from devices.ui.navigation import Navigation
from devices.ui.screen import Screen
from devices.ui.session import RETRIES, AppSession, bare_username

CONTROLS = ("post_like", "reel_like")


@dataclass(frozen=True, slots=True)
class PostOnScreen:
    """What a post or reel shows of itself."""

    author: str
    caption: str
    key: str


@dataclass
class Feed:
    """Watching and reacting to posts and reels."""

    session: AppSession
    navigation: Navigation
    search: Search
    profiles: Profiles

    async def open_post(self, url: str) -> None:
        """Open a post or reel by link; ScriptFailed when it no longer exists."""
        await self.navigation.open_url(url)
        found, _ = await self.session.expect(*CONTROLS, "page_unavailable", what=f"the post {url}")
        if found == "page_unavailable":
            raise ScriptFailed(f"post not available (deleted, or never existed): {url}")

    async def open_for_you(self) -> None:
        """The home feed."""
        await self.navigation.go_home()
        await self.session.expect("post_like", what="the home feed")

    async def open_reels(self) -> None:
        """The Reels tab."""
        await self.navigation.go_home()
        await self.session.tap_until("tab_reels", "reel_like", what="the Reels tab", button="the Reels tab")

    async def open_topic(self, topic: str) -> None:
        """Search a topic and open its first reel (swipe for the next ones)."""
        screen = await self.search.submit(topic)
        tiles = screen.find_all(self.session.sel["search_reel_tile"])
        if not tiles:
            raise ScriptFailed(f"no reels found for {topic!r}")
        await self.session.tap_until(tiles[0], "reel_like", what=f"a reel about {topic!r}")

    def _on_screen(self, screen: Screen) -> tuple[str, str, str]:
        """(like, author, caption) element names of what shows: a reel's or a post's."""
        if screen.find(self.session.sel["reel_like"]) is not None:
            return "reel_like", "reel_author", "reel_caption"
        return "post_like", "post_author", "post_caption"

    async def current_video(self) -> PostOnScreen:
        """The post or reel on screen."""
        screen, sel = await self.session.look(), self.session.sel
        _, author_name, caption_name = self._on_screen(screen)
        author, caption = screen.find(sel[author_name]), screen.find(sel[caption_name])
        name = bare_username(author.text.replace("•", "")) if author else ""
        text = caption.text if caption else ""
        return PostOnScreen(name, text, f"{name}|{text}")

    async def next_video(self) -> bool:
        """Swipe to the next post or reel; False when there is no next one (the same stays)."""
        before = await self.current_video()
        for _ in range(RETRIES):
            await self.session.swipe_up()
            await self.session.expect(*CONTROLS, what="the next post")
            if (await self.current_video()).key != before.key:
                return True
        return False

    async def like(self) -> bool:
        """Like what shows by a double tap on its media; the heart when that did not register. False if liked."""
        session = self.session
        session.changed()
        screen = await session.look()
        like_name, _, _ = self._on_screen(screen)
        heart = screen.find(session.sel[like_name])
        if heart is None:
            raise ScriptFailed(f"the like button did not show up on {session.serial}")
        if heart.selected or session.labelled(heart, "liked"):
            return False
        media = screen.find(session.sel["reel_media" if like_name == "reel_like" else "post_media"])
        if media is not None:
            await session.double_tap(media)
        after = await session.find(like_name)
        if after is not None and not (after.selected or session.labelled(after, "liked")):
            await session.tap(after)
            after = await session.find(like_name)
        if after is None or not (after.selected or session.labelled(after, "liked")):
            raise ScriptFailed(f"the like did not register: the heart reads {after.label if after else 'nothing'!r}")
        return True

    async def favourite(self) -> bool:
        """Save what shows (the bookmark); False if it already was."""
        session = self.session
        session.changed()
        screen = await session.look()
        name = "reel_save" if self._on_screen(screen)[0] == "reel_like" else "post_save"
        button = screen.find(session.sel[name])
        if button is None:
            raise ScriptFailed(f"the save button did not show up on {session.serial}")
        if button.selected or session.labelled(button, "saved"):
            return False
        after = await session.tap_flips(name, "saved", what="save")
        if after is None or not (after.selected or session.labelled(after, "saved")):
            raise ScriptFailed(f"the save did not register: the button reads {after.label if after else 'nothing'!r}")
        return True

    async def follow_creator(self) -> bool:
        """Follow the author from their profile, then come back; False if already followed."""
        session = self.session
        screen = await session.look(fresh=True)
        _, author_name, _ = self._on_screen(screen)
        author = screen.find(session.sel[author_name])
        if author is None or not author.text.strip():
            return False
        name = bare_username(author.text.replace("•", ""))
        await session.tap_until(author, "profile_follow", "edit_profile", what=f"the profile of @{name}")
        detail = await self.profiles.follow(name)
        await session.press("back")
        await session.expect(*CONTROLS, what="the post after following its author")
        return detail.startswith("followed @")
