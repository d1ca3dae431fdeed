"""Finding people and videos: search with its result tabs, a user's profile, the unfollow confirmation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.sim.app.screen import TOP, Screen, W, option_rows, sheet, top_bar
from devices.sim.app.world import (
    Sound,
    Video,
    compact_count,
    profile,
    search_sounds,
    search_users,
    search_videos,
    user_exists,
    video,
)
from devices.sim.hierarchy import Node

if TYPE_CHECKING:
    from devices.sim.app.tiktok import TikTokApp

SEARCH_TABS = (
    ("top", "search_top"),
    ("videos", "search_videos"),
    ("users", "search_users"),
    ("sounds", "search_sounds"),
    ("shop", "search_shop"),
)
TRENDING = ("cooking", "travel", "fitness", "dance challenge")


def user_row(app: TikTokApp, handle: str, top: int) -> Node:
    """A search result row: handle, name and followers, and its Follow / Following button."""
    ui, facts = app.ui, profile(handle)
    followed = handle in app.account.follows
    button = ui.node(
        "user_row_follow",
        (800, top + 35, 1040, top + 125),
        text=app.follow_label(handle),
        action=(lambda: app.unfollow(handle)) if followed else (lambda: app.follow(handle)),
    )
    return ui.node(
        "user_row",
        (0, top, W, top + 160),
        action=lambda: app.open_profile(handle),
        children=[
            ui.node("video_avatar", (40, top + 20, 160, top + 140), desc=handle),
            ui.node("user_row_handle", (190, top + 25, 780, top + 80), text=handle),
            ui.node(
                "user_row_name",
                (190, top + 85, 780, top + 135),
                text=ui.s("followers_line", name=facts.name, followers=compact_count(facts.followers)),
            ),
            *([] if handle == app.account.username else [button]),
        ],
    )


def video_tiles(app: TikTokApp, videos: list[Video], top: int, columns: int = 2) -> list[Node]:
    """A grid of video thumbnails; a tap opens the player over the whole list."""
    ui, size = app.ui, W // columns
    tiles = []
    for i, v in enumerate(videos):
        left, y = (i % columns) * size, top + (i // columns) * int(size * 1.3)
        tiles.append(
            ui.node(
                "video_tile",
                (left, y, left + size, y + int(size * 1.3)),
                desc=v.caption,
                action=lambda i=i: app.open_video(videos, i),
                children=[
                    ui.node(
                        "video_tile_caption",
                        (left + 10, y + int(size * 1.3) - 170, left + size - 10, y + int(size * 1.3) - 90),
                        text=v.caption,
                    ),
                    ui.node(
                        "video_tile_author",
                        (left + 10, y + int(size * 1.3) - 85, left + size - 10, y + int(size * 1.3) - 15),
                        text=f"@{v.author}",
                    ),
                ],
            )
        )
    return tiles


def sound_rows(
    app: TikTokApp,
    sounds: list[Sound],
    top: int,
    on_tap: Callable[[Sound], None],
    chosen: str | None = None,
    loading: str | None = None,
) -> list[Node]:
    """Rows of sounds (title, artist); the chosen one is selected, a loading one shows a spinner."""
    ui, rows = app.ui, []
    for i, s in enumerate(sounds):
        y = top + i * 150
        children = [
            ui.node("sound_row_title", (190, y + 20, 860, y + 75), text=s.title),
            ui.node("sound_row_artist", (190, y + 80, 860, y + 130), text=s.artist),
        ]
        if s.title == loading:
            children.append(ui.node("sound_loading", (900, y + 40, 980, y + 120)))
        rows.append(
            ui.node(
                "sound_row",
                (0, y, W, y + 150),
                children=children,
                selected=s.title == chosen,
                action=lambda s=s: on_tap(s),
            )
        )
    return rows


@dataclass(eq=False)
class Search(Screen):
    """The search page: an input, suggestions, and after submitting the Top/Videos/Users/Sounds/Shop tabs."""

    name = "search"
    activity = "search"
    submitted: str | None = None
    tab: str = "top"

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        nodes = [
            *top_bar(app),
            ui.field(
                "search_input",
                (150, TOP + 20, 850, TOP + 120),
                "query",
                self.fields.get("query", ""),
                self.focus == "query",
            ),
            ui.node("search_button", (870, TOP + 20, 1060, TOP + 120), action=lambda: self.submit(app)),
        ]
        if self.submitted is None:
            recent = list(dict.fromkeys(reversed(app.account.searches)))[:4]
            nodes.append(ui.node("section_title", (40, TOP + 170, 1040, TOP + 230), text=ui.s("you_may_like")))
            nodes += option_rows(
                app,
                TOP + 250,
                [("search_suggestion", q, lambda q=q: self._search(app, q)) for q in [*recent, *TRENDING]],
            )
            return nodes
        for i, (tab, label) in enumerate(SEARCH_TABS):
            nodes.append(
                ui.node(
                    "search_tab",
                    (20 + i * 210, TOP + 150, 220 + i * 210, TOP + 240),
                    text=ui.s(label),
                    selected=self.tab == tab,
                    action=lambda t=tab: setattr(self, "tab", t),
                )
            )
        return nodes + self._results(app, TOP + 270)

    def _results(self, app: TikTokApp, top: int) -> list[Node]:
        ui, query = app.ui, self.submitted or ""
        users = search_users(query) if self.tab in ("top", "users") else []
        empty = [ui.node("no_results", (140, top + 200, 940, top + 280))]
        if self.tab == "top":
            head = [ui.node("section_title", (40, top, 700, top + 60), text=ui.s("search_users"))]
            if users:
                head += [
                    user_row(app, users[0], top + 70),
                    ui.node(
                        "search_view_all", (800, top, 1040, top + 60), action=lambda: setattr(self, "tab", "users")
                    ),
                ]
            return head + video_tiles(app, search_videos(query)[:4], top + 260)
        if self.tab == "users":
            return [user_row(app, h, top + i * 170) for i, h in enumerate(users)] or empty
        if self.tab == "videos":
            return video_tiles(app, search_videos(query), top)
        if self.tab == "sounds":
            return sound_rows(app, search_sounds(query), top, app.open_sound_page) or empty
        return empty

    def _search(self, app: TikTokApp, query: str) -> None:
        self.fields["query"] = query
        self.submit(app)

    def submit(self, app: TikTokApp) -> None:
        query = self.fields.get("query", "").strip()
        if query:
            self.submitted, self.tab, self.focus = query, "top", None
            app.account.searches.append(query)


@dataclass(eq=False)
class UserProfile(Screen):
    """Another user's profile: counters, Follow / Following / Friends, Message, the videos grid."""

    name = "profile"
    activity = "profile"
    handle: str = ""

    def render(self, app: TikTokApp) -> list[Node]:
        ui, handle = app.ui, self.handle
        if not user_exists(handle):
            return [
                *top_bar(app),
                ui.node("profile_not_found", (100, 1000, 980, 1080)),
                ui.node("profile_not_found_hint", (100, 1100, 980, 1250)),
            ]
        facts, directory = profile(handle), app.host.directory
        following = handle in app.account.follows
        nodes = [
            *top_bar(app, handle, title_key="profile_title"),
            ui.node("profile_more", (960, TOP, 1060, TOP + 130), clickable=True),
            ui.node("profile_photo", (390, TOP + 160, 690, TOP + 460)),
            ui.node("profile_handle", (240, TOP + 480, 840, TOP + 540), text=f"@{handle}"),
        ]
        counts = (
            (facts.following, "count_following"),
            (facts.followers + directory.followers_in_farm(handle), "count_followers"),
            (facts.likes, "count_likes"),
        )
        nodes += counters(app, counts, TOP + 580)
        nodes.append(
            ui.node(
                "profile_follow",
                (160, TOP + 760, 640, TOP + 870),
                text=app.follow_label(handle),
                action=(lambda: app.push(UnfollowSheet(handle=handle))) if following else (lambda: app.follow(handle)),
            )
        )
        nodes.append(ui.node("profile_message", (660, TOP + 760, 920, TOP + 870), clickable=True))
        nodes.append(ui.node("profile_bio", (100, TOP + 900, 980, TOP + 960), text=facts.bio))
        for i, (_key, label) in enumerate(
            (("videos", "tab_videos"), ("reposted", "tab_reposted"), ("liked", "tab_liked"))
        ):
            nodes.append(
                ui.node(
                    "profile_tab",
                    (i * 360, TOP + 990, (i + 1) * 360, TOP + 1090),
                    desc=ui.s(label),
                    selected=i == 0,
                    clickable=True,
                )
            )
        posts = [video(p.id, handle) for p in directory.published_posts(handle)]
        videos = posts + [video(vid, handle) for vid in facts.videos]
        if not videos:
            return nodes + [ui.node("profile_empty", (140, TOP + 1300, 940, TOP + 1380))]
        return nodes + video_tiles(app, videos, TOP + 1100, columns=3)


def counters(app: TikTokApp, counts: tuple[tuple[int, str], ...], top: int) -> list[Node]:
    """Following / Followers / Likes, each number in the TextView just before its label."""
    ui, nodes = app.ui, []
    for i, (value, label) in enumerate(counts):
        left = 140 + i * 280
        nodes.append(
            ui.node(
                "profile_count",
                (left, top, left + 240, top + 150),
                children=[
                    ui.node("profile_count_value", (left, top, left + 240, top + 80), text=compact_count(value)),
                    ui.node("profile_count_label", (left, top + 85, left + 240, top + 140), text=ui.s(label)),
                ],
            )
        )
    return nodes


@dataclass(eq=False)
class UnfollowSheet(Screen):
    """Tapping Following on a profile: confirm with Unfollow."""

    name = "unfollow_confirm"
    sheet = True
    handle: str = ""

    def render(self, app: TikTokApp) -> list[Node]:
        def unfollow() -> None:
            app.unfollow(self.handle)
            app.pop()

        return [
            sheet(
                app,
                1980,
                option_rows(
                    app,
                    2000,
                    [("unfollow_confirm", app.ui.s("unfollow"), unfollow), ("cancel", app.ui.s("cancel"), app.pop)],
                ),
                on_outside=app.pop,
            )
        ]
