"""Watching videos: the For You feed, a video opened by URL or from a list, and the comment sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from devices.sim.app.account import Comment
from devices.sim.app.screen import BAR_TOP, TOP, Screen, W, bottom_bar, sheet, top_bar
from devices.sim.app.world import Video, compact_count, creator_handle, feed_video, video, video_id
from devices.sim.hierarchy import Node

if TYPE_CHECKING:
    from devices.sim.app.tiktok import TikTokApp

EMOJIS = ("😂", "😍", "🥰", "🔥", "👏", "😮", "😢")
FEED_SOURCES = (
    ("following", "feed_following"),
    ("foryou", "feed_foryou"),
    ("explore", "feed_explore"),
    ("shop", "feed_shop"),
)
_SAMPLE_COMMENTS = ("this is so good 😍", "who else is watching in 2024", "need part 2!!", "the ending 😂", "saved ✨")


def video_panel(app: TikTokApp, v: Video, bottom: int, player: Player) -> list[Node]:
    """A video playing (or paused: a play icon over it): the surface, the right rail of buttons, the creator and
    the caption. Tapping the surface pauses or resumes it."""
    ui, account = app.ui, app.account
    liked, favourite = v.id in account.likes, v.id in account.favourites
    likes, favourites = v.likes + liked, v.likes // 20 + favourite
    own = v.author == account.username
    rail = [
        ui.node("video_avatar", (950, 1040, 1050, 1140), desc=v.author, action=lambda: app.open_profile(v.author)),
        ui.node(
            "video_like",
            (950, 1260, 1050, 1360),
            desc=ui.s("unlike_video" if liked else "like_video", likes=compact_count(likes)),
            selected=liked,
            action=lambda: app.toggle(account.likes, v.id),
        ),
        ui.node("video_like_count", (950, 1360, 1050, 1410), text=compact_count(likes)),
        ui.node(
            "video_comment",
            (950, 1440, 1050, 1540),
            values={"comments": compact_count(v.comments)},
            action=lambda: app.push(CommentSheet(video=v)),
        ),
        ui.node("video_comment_count", (950, 1540, 1050, 1590), text=compact_count(v.comments)),
        ui.node(
            "video_favourite",
            (950, 1620, 1050, 1720),
            desc=ui.s("favourite_remove" if favourite else "favourite_add"),
            selected=favourite,
            action=lambda: app.toggle(account.favourites, v.id),
        ),
        ui.node("video_favourite_count", (950, 1720, 1050, 1770), text=compact_count(favourites)),
        ui.node("video_share", (950, 1800, 1050, 1900), values={"shares": compact_count(v.shares)}, clickable=True),
        ui.node("video_share_count", (950, 1900, 1050, 1950), text=compact_count(v.shares)),
        ui.node(
            "video_sound",
            (950, bottom - 120, 1050, bottom - 20),
            values={"sound": v.sound.title},
            action=lambda: app.open_sound_page(v.sound),
        ),
    ]
    if not own:
        following = v.author in account.follows
        rail.insert(
            1,
            ui.node(
                "video_follow",
                (975, 1120, 1025, 1170),
                desc=ui.s("following" if following else "follow"),
                action=(None if following else lambda: app.follow(v.author)),
                clickable=True,
            ),
        )
    pause = (
        [ui.node("video_play", (W // 2 - 90, bottom // 2 - 90, W // 2 + 90, bottom // 2 + 90))] if player.paused else []
    )
    return [
        ui.node("video_surface", (0, 0, W, bottom), action=player.toggle_pause),
        *pause,
        *rail,
        ui.node(
            "video_author",
            (40, bottom - 330, 800, bottom - 260),
            text=f"@{v.author}",
            action=lambda: app.open_profile(v.author),
        ),
        ui.node("video_caption", (40, bottom - 250, 900, bottom - 130), text=v.caption),
    ]


@dataclass(eq=False)
class Player(Screen):
    """A screen that plays one video at a time; a tap on it pauses or resumes, another video starts playing."""

    paused: bool = field(default=False, kw_only=True)

    def toggle_pause(self) -> None:
        """A tap on the video."""
        self.paused = not self.paused

    def current(self, app: TikTokApp) -> Video | None:
        """The video on screen."""
        raise NotImplementedError


@dataclass(eq=False)
class Feed(Player):
    """Home: the For You (or Following, Explore, Shop) feed, one video at a time; swipe up for the next."""

    name = "home"
    source: str = "foryou"
    index: int = 0

    def current(self, app: TikTokApp) -> Video | None:
        """The video on screen (None on an empty Following feed)."""
        if self.source == "following":
            follows = app.account.follows
            if not follows:
                return None
            author = follows[self.index % len(follows)]
            return video(video_id(app.seed, "following", author, self.index), author)
        return feed_video(app.seed, app.account.username, self.source, self.index)

    def render(self, app: TikTokApp) -> list[Node]:
        ui, v = app.ui, self.current(app)
        nodes = video_panel(app, v, BAR_TOP, self) if v is not None else [ui.node("feed_empty", (140, 1100, 940, 1200))]
        for i, (source, label) in enumerate(FEED_SOURCES):
            nodes.append(
                ui.node(
                    "feed_tab",
                    (100 + i * 210, TOP + 20, 290 + i * 210, TOP + 110),
                    text=ui.s(label),
                    selected=self.source == source,
                    action=lambda s=source: self._switch(app, s),
                )
            )
        nodes.append(ui.node("home_search", (960, TOP + 10, 1060, TOP + 110), action=app.open_search))
        nodes.append(bottom_bar(app, "home"))
        return nodes

    def _switch(self, app: TikTokApp, source: str) -> None:
        self.source, self.index, self.paused = source, 0, False

    def swipe(self, app: TikTokApp, direction: str) -> None:
        if direction == "up":
            self.index, self.paused = self.index + 1, False
        elif direction == "down" and self.index > 0:
            self.index, self.paused = self.index - 1, False


@dataclass(eq=False)
class Detail(Player):
    """A video opened by URL or from a grid; swipe up and down through its list. Empty list: unavailable."""

    name = "video"
    activity = "detail"
    videos: list[Video] = field(default_factory=list)
    index: int = 0

    def current(self, app: TikTokApp) -> Video | None:
        """The video on screen."""
        return self.videos[self.index] if self.videos else None

    def render(self, app: TikTokApp) -> list[Node]:
        v = self.current(app)
        if v is None:
            return [*top_bar(app), app.ui.node("video_unavailable", (140, 1100, 940, 1200))]
        return [*video_panel(app, v, 2300, self), *top_bar(app)]

    def swipe(self, app: TikTokApp, direction: str) -> None:
        if direction == "up" and self.index + 1 < len(self.videos):
            self.index, self.paused = self.index + 1, False
        elif direction == "down" and self.index > 0:
            self.index, self.paused = self.index - 1, False


@dataclass(eq=False)
class CommentSheet(Screen):
    """The comments of a video, the input with its emoji row, image attachment and Post."""

    name = "comments"
    sheet = True
    video: Video | None = None
    image: str | None = None

    def __post_init__(self) -> None:
        self.fields.setdefault("comment", "")

    def comments(self, app: TikTokApp) -> list[Comment]:
        """What the sheet lists: comments written on the farm (newest first), then the video's others."""
        v = self.video
        written = list(reversed(app.host.directory.comments.get(v.id, [])))
        return written + [
            Comment(creator_handle("comment", v.id, i), _SAMPLE_COMMENTS[(len(v.id) + i) % 5]) for i in range(3)
        ]

    def render(self, app: TikTokApp) -> list[Node]:
        ui, v = app.ui, self.video
        text, focused = self.fields["comment"], self.focus == "comment"
        total = v.comments + len(app.host.directory.comments.get(v.id, []))
        rows = []
        for i, c in enumerate(self.comments(app)[:6]):
            top = 1040 + i * 160
            rows.append(
                ui.node(
                    "comment_row",
                    (0, top, W, top + 150),
                    children=[
                        ui.node("comment_author", (160, top + 10, 900, top + 60), text=c.author),
                        ui.node("comment_text", (160, top + 65, 1000, top + 140), text=c.text),
                    ],
                )
            )
        children = [
            ui.node(
                "comments_title", (300, 920, 780, 1000), text=ui.s("comments_count", comments=compact_count(total))
            ),
            ui.node("close", (960, 910, 1060, 1010), action=app.pop),
            ui.node("list", (0, 1030, W, 2000), children=rows, scrollable=True),
            ui.field("comment_input", (40, 2180, 740, 2290), "comment", text, focused),
            ui.node("comment_image", (760, 2190, 850, 2280), action=lambda: app.pick_comment_image(self)),
            ui.node(
                "comment_send",
                (880, 2180, 1040, 2290),
                enabled=bool(text.strip() or self.image),
                action=lambda: self.submit(app),
            ),
        ]
        if focused:
            children += [
                ui.node(
                    "comment_emoji",
                    (40 + i * 140, 2060, 160 + i * 140, 2160),
                    text=e,
                    action=lambda e=e: app.edit(lambda t: t + e),
                )
                for i, e in enumerate(EMOJIS)
            ]
        if self.image:
            children += [
                ui.node("comment_attached", (40, 1900, 240, 2050)),
                ui.node("comment_remove_image", (200, 1900, 250, 1950), action=lambda: setattr(self, "image", None)),
            ]
        return [sheet(app, 900, children, on_outside=app.pop)]

    def submit(self, app: TikTokApp) -> None:
        text = self.fields["comment"].strip()
        if not text and not self.image:
            return
        comment = Comment(app.account.username, text, self.image)
        app.account.comments.setdefault(self.video.id, []).append(comment)
        app.host.directory.record_comment(self.video.id, comment)
        self.fields["comment"], self.image = "", None
