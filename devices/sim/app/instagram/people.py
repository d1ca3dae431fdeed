"""Finding people: search and its results, a user's profile (follow, requested, the Following sheet, the unfollow
confirmation of a private account), the own profile and the account switcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.sim.app.instagram.parts import (
    BUTTON,
    EDIT,
    FRAME,
    GROUP,
    IMAGE,
    LINEAR,
    TEXT,
    TOP,
    UNAVAILABLE,
    UNAVAILABLE_BODY,
    W,
    back_button,
    bottom_sheet,
    count_text,
    tab_bar,
    view,
)
from devices.sim.app.instagram.world import is_private, profile, search_users, topic_reels, user_exists
from devices.sim.app.screen import Screen
from devices.sim.hierarchy import Node

if TYPE_CHECKING:
    from devices.sim.app.instagram.app import InstagramApp

SHEET_ROWS = ("Add to Close Friends list", "Add to favorites", "Mute", "Restrict")


@dataclass(eq=False)
class SearchPage(Screen):
    """Search and explore: the field; once submitted, the accounts that match and a grid of reels on the topic."""

    name = "search"
    submitted: str | None = None

    def render(self, app: InstagramApp) -> list[Node]:
        query = self.fields.get("query", "")
        nodes = [
            view(
                EDIT,
                (40, TOP + 20, 1040, TOP + 120),
                "action_bar_search_edit_text",
                text=query or "Search",
                hint="Search",
                field="query",
                focused=self.focus == "query",
                long_clickable=True,
            )
        ]
        if self.submitted is None:
            return nodes + [tab_bar(app, "search")]
        users = search_users(self.submitted)
        tabs = view(
            LINEAR,
            (0, TOP + 140, W, TOP + 230),
            "fixed_tabbar_tabs_container",
            children=[
                view(
                    TEXT,
                    (20 + i * 260, TOP + 150, 260 + i * 260, TOP + 220),
                    "tab_button_name_text",
                    text=label,
                    selected=i == 0,
                    clickable=True,
                )
                for i, label in enumerate(("For you", "Accounts", "Reels", "Tags"))
            ],
        )
        nodes.append(tabs)
        top = TOP + 250
        if not users:
            nodes.append(
                view(
                    TEXT,
                    (140, top + 40, 940, top + 120),
                    "no_found_text",
                    text=f'No results found for "{self.submitted}"',
                )
            )
        for i, handle in enumerate(users[:4]):
            y = top + i * 160
            nodes.append(
                view(
                    GROUP,
                    (0, y, W, y + 150),
                    "row_search_user_container",
                    action=lambda h=handle: app.open_profile(h),
                    children=[
                        view(IMAGE, (30, y + 20, 140, y + 130), "row_search_user_imageview"),
                        view(TEXT, (170, y + 25, 900, y + 80), "row_search_user_username", text=handle),
                        view(TEXT, (170, y + 85, 900, y + 130), "row_search_user_fullname", text=profile(handle).name),
                    ],
                )
            )
        grid_top = top + max(len(users[:4]), 1) * 160 + 40
        reels = topic_reels(self.submitted)
        for i, post in enumerate(reels[:6]):
            left, y = (i % 3) * 360, grid_top + (i // 3) * 480
            nodes.append(
                view(
                    FRAME,
                    (left, y, left + 355, y + 475),
                    "image_button",
                    desc=f"Reel by {post.author} at row {i // 3 + 1}, column {i % 3 + 1}",
                    action=lambda i=i: app.open_reels(reels, i),
                )
            )
        return nodes + [tab_bar(app, "search")]

    def submit(self, app: InstagramApp) -> None:
        query = self.fields.get("query", "").strip()
        if query:
            self.submitted, self.focus = query, None
            app.account.searches.append(query)


def follow_label(app: InstagramApp, handle: str) -> str:
    """Follow, Following or Requested."""
    if handle in app.account.follows:
        return "Following"
    return "Requested" if handle in app.account.requested else "Follow"


@dataclass(eq=False)
class UserProfile(Screen):
    """Another user's profile: counters, the follow button, Message; a private account's notice; a missing one."""

    name = "profile"
    handle: str = ""

    def render(self, app: InstagramApp) -> list[Node]:
        handle = self.handle
        nodes = [back_button(app)]
        if not user_exists(handle):
            return nodes + [
                view(TEXT, (100, 1000, 980, 1080), text=UNAVAILABLE),
                view(TEXT, (100, 1100, 980, 1250), text=UNAVAILABLE_BODY),
            ]
        facts = profile(handle)
        followers = facts.followers + app.host.instagram_followers(handle)
        nodes.append(view(TEXT, (160, TOP + 30, 900, TOP + 100), "action_bar_title", text=handle))
        nodes += counters(facts.posts, followers, facts.following, TOP + 180)
        nodes += [
            view(TEXT, (40, TOP + 400, 1040, TOP + 460), "profile_header_full_name", text=facts.name),
            view(TEXT, (40, TOP + 470, 1040, TOP + 530), "profile_header_bio_text", text=facts.bio),
        ]
        label = follow_label(app, handle)
        action = (
            (lambda: app.push(FollowSheet(handle=handle)))
            if label == "Following"
            else ((lambda: app.withdraw_request(handle)) if label == "Requested" else (lambda: app.follow(handle)))
        )
        nodes.append(
            view(BUTTON, (40, TOP + 560, 520, TOP + 660), "profile_header_follow_button", text=label, action=action)
        )
        nodes.append(
            view(
                BUTTON,
                (540, TOP + 560, 1040, TOP + 660),
                "profile_header_message_button",
                text="Message",
                clickable=True,
            )
        )
        if is_private(handle) and handle not in app.account.follows:
            nodes.append(
                view(
                    LINEAR,
                    (0, TOP + 800, W, TOP + 1100),
                    "private_profile_empty_state",
                    children=[
                        view(
                            TEXT,
                            (100, TOP + 850, 980, TOP + 920),
                            "row_profile_header_empty_profile_notice_title",
                            text="This account is private",
                        ),
                        view(
                            TEXT,
                            (100, TOP + 930, 980, TOP + 1040),
                            "row_profile_header_empty_profile_notice_subtitle",
                            text="Follow this account to see their photos and videos.",
                        ),
                    ],
                )
            )
        return nodes


def counters(posts: int, followers: int, following: int, top: int) -> list[Node]:
    """The v410 counters: a value above each label."""
    nodes = []
    for i, (value, label, short) in enumerate(
        ((posts, "posts", "post_count"), (followers, "followers", "followers"), (following, "following", "following"))
    ):
        left = 300 + i * 250
        outer = {
            "post_count": "profile_header_post_count_front_familiar",
            "followers": "profile_header_followers_stacked_familiar",
            "following": "profile_header_following_stacked_familiar",
        }[short]
        nodes.append(
            view(
                LINEAR,
                (left, top, left + 240, top + 160),
                outer,
                desc=f"{count_text(value)}{label}",
                clickable=True,
                children=[
                    view(
                        TEXT,
                        (left, top, left + 240, top + 80),
                        f"profile_header_familiar_{short}_value",
                        text=count_text(value),
                    ),
                    view(TEXT, (left, top + 85, left + 240, top + 140), text=label),
                ],
            )
        )
    return nodes


@dataclass(eq=False)
class FollowSheet(Screen):
    """Tapping Following: close friends, favourites, mute, restrict, Unfollow."""

    name = "follow_sheet"
    sheet = True
    handle: str = ""

    def render(self, app: InstagramApp) -> list[Node]:
        rows = [
            view(TEXT, (60, 1700 + i * 120, W - 60, 1800 + i * 120), text=label, clickable=True)
            for i, label in enumerate(SHEET_ROWS)
        ]
        rows.append(
            view(
                TEXT,
                (60, 1700 + len(SHEET_ROWS) * 120, W - 60, 1800 + len(SHEET_ROWS) * 120),
                "follow_sheet_unfollow_row",
                text="Unfollow",
                action=self._unfollow(app),
            )
        )
        return [
            bottom_sheet(app, 1600, [view(TEXT, (340, 1620, 740, 1680), text=self.handle), *rows], on_outside=app.pop)
        ]

    def _unfollow(self, app: InstagramApp):
        def unfollow() -> None:
            app.pop()
            if is_private(self.handle):
                app.push(UnfollowDialog(handle=self.handle))
            else:
                app.unfollow(self.handle)

        return unfollow


@dataclass(eq=False)
class UnfollowDialog(Screen):
    """Unfollowing a private account asks first: its posts will be hidden until a new request is accepted."""

    name = "unfollow_confirm"
    sheet = True
    handle: str = ""

    def render(self, app: InstagramApp) -> list[Node]:
        def confirm() -> None:
            app.unfollow(self.handle)
            app.pop()

        panel = view(
            LINEAR,
            (90, 900, 990, 1500),
            "dialog_container",
            clickable=True,
            children=[
                view(TEXT, (140, 940, 940, 1020), "igds_headline_headline", text=f"Unfollow {self.handle}?"),
                view(
                    TEXT,
                    (140, 1030, 940, 1180),
                    "igds_headline_body",
                    text=f"If you change your mind, you'll have to request to follow {self.handle} again.",
                ),
                view(BUTTON, (140, 1220, 940, 1320), "primary_button", text="Unfollow", action=confirm),
                view(BUTTON, (140, 1340, 940, 1440), "secondary_button", text="Cancel", action=app.pop),
            ],
        )
        return [
            Node(FRAME, (0, 0, W, 2400), children=[Node("android.view.View", (0, 0, W, 2400), clickable=True), panel])
        ]


@dataclass(eq=False)
class OwnProfile(Screen):
    """The Profile tab: the username with its chevron (the account switcher), counters, Edit and Share profile."""

    name = "own_profile"

    def render(self, app: InstagramApp) -> list[Node]:
        me = app.account
        title = view(
            LINEAR,
            (40, TOP + 20, 800, TOP + 120),
            "action_bar_username_container",
            action=lambda: app.push(Switcher()),
            children=[
                view(TEXT, (40, TOP + 30, 600, TOP + 100), "action_bar_title", text=me.username),
                view(
                    IMAGE,
                    (610, TOP + 40, 670, TOP + 100),
                    "action_bar_title_chevron",
                    action=lambda: app.push(Switcher()),
                ),
            ],
        )
        followers = app.host.instagram_followers(me.username)
        nodes = [
            title,
            view(IMAGE, (960, TOP + 20, 1060, TOP + 120), desc="Options", clickable=True),
            *counters(sum(p.status == "published" for p in me.posts), followers, len(me.follows), TOP + 180),
            view(BUTTON, (40, TOP + 560, 520, TOP + 660), text="Edit profile", clickable=True),
            view(BUTTON, (540, TOP + 560, 1040, TOP + 660), text="Share profile", clickable=True),
        ]
        return nodes + [tab_bar(app, "profile")]


@dataclass(eq=False)
class Switcher(Screen):
    """The account switcher: each signed-in account, then Add account."""

    name = "switcher"
    sheet = True

    def render(self, app: InstagramApp) -> list[Node]:
        rows = []
        for i, account in enumerate(app.accounts):
            y = 1500 + i * 150
            rows.append(
                view(
                    GROUP,
                    (0, y, W, y + 140),
                    desc=account.username,
                    action=lambda name=account.username: app.switch_account(name),
                    children=[
                        view(IMAGE, (40, y + 20, 140, y + 120), "row_user_imageview"),
                        view(TEXT, (170, y + 40, 900, y + 100), "username_textview", text=account.username),
                    ],
                )
            )
        y = 1500 + len(app.accounts) * 150
        rows.append(
            view(
                GROUP,
                (0, y, W, y + 140),
                desc="Add account",
                clickable=True,
                children=[view(TEXT, (170, y + 40, 900, y + 100), text="Add account")],
            )
        )
        listing = Node("android.widget.ListView", (0, 1500, W, y + 140), rid="android:id/list", children=rows)
        return [bottom_sheet(app, 1400, [listing], on_outside=app.pop)]
