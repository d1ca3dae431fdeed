"""The signed-in side: one's own profile, its menu, settings, the account switcher, Inbox and Friends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.sim.app.people_screens import counters, video_tiles
from devices.sim.app.screen import ROW, TOP, Screen, W, bottom_bar, option_rows, sheet, top_bar
from devices.sim.app.world import Video, profile, sound_named
from devices.sim.hierarchy import Node

if TYPE_CHECKING:
    from devices.sim.app.tiktok import TikTokApp


@dataclass(eq=False)
class OwnProfile(Screen):
    """The Profile tab: the username (tap to switch account), Profile menu, counters, one's posts."""

    name = "own_profile"

    def render(self, app: TikTokApp) -> list[Node]:
        ui, account = app.ui, app.account
        name = account.username
        nodes = [
            ui.node("own_story", (20, TOP + 10, 120, TOP + 110)),
            ui.node(
                "own_username", (240, TOP + 20, 840, TOP + 100), text=name, action=lambda: app.push(AccountSwitcher())
            ),
            ui.node("own_menu", (960, TOP + 10, 1060, TOP + 110), action=lambda: app.push(ProfileMenu())),
            ui.node("profile_photo", (390, TOP + 160, 690, TOP + 460)),
            ui.node("profile_handle", (240, TOP + 480, 840, TOP + 540), text=f"@{name}"),
        ]
        facts = profile(name)
        nodes += counters(
            app,
            (
                (len(account.follows), "count_following"),
                (facts.followers % 5000 + app.host.directory.followers_in_farm(name), "count_followers"),
                (facts.likes % 100_000, "count_likes"),
            ),
            TOP + 580,
        )
        nodes += [
            ui.node("own_edit", (160, TOP + 760, 640, TOP + 870), clickable=True),
            ui.node("own_share", (660, TOP + 760, 920, TOP + 870), clickable=True),
        ]
        for i, label in enumerate(("tab_videos", "tab_private", "tab_reposted", "tab_favourites", "tab_liked")):
            nodes.append(
                ui.node(
                    "profile_tab",
                    (i * 216, TOP + 990, (i + 1) * 216, TOP + 1090),
                    desc=ui.s(label),
                    selected=i == 0,
                    clickable=True,
                )
            )
        posts = [
            Video(p.id, name, p.caption, sound_named(p.sound or f"original sound - {name}"), 0, 0, 0, 15.0)
            for p in reversed(account.posts)
            if p.status == "published"
        ]
        nodes += (
            video_tiles(app, posts, TOP + 1100, columns=3)
            if posts
            else [ui.node("profile_empty", (140, TOP + 1300, 940, TOP + 1380))]
        )
        nodes.append(bottom_bar(app, "profile"))
        return nodes


@dataclass(eq=False)
class ProfileMenu(Screen):
    """The sheet behind Profile menu: Settings and privacy."""

    name = "profile_menu"
    sheet = True

    def render(self, app: TikTokApp) -> list[Node]:
        def settings() -> None:
            app.pop()
            app.push(Settings())

        ui = app.ui
        rows = option_rows(
            app,
            1860,
            [
                ("sheet_option", ui.s("menu_creator_tools"), None),
                ("sheet_option", ui.s("menu_qr_code"), None),
                ("sheet_option", ui.s("settings_and_privacy"), settings),
            ],
        )
        return [sheet(app, 1820, rows, on_outside=app.pop)]


@dataclass(eq=False)
class Settings(Screen):
    """Settings and privacy; Switch account opens the switcher."""

    name = "settings"
    activity = "settings"

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        labels = (
            "settings_account",
            "settings_privacy",
            "settings_security",
            "share_profile",
            "settings_notifications",
            "settings_language",
        )
        options = [("settings_row", ui.s(key), None) for key in labels]
        options.append(("settings_row", ui.s("switch_account"), lambda: app.push(AccountSwitcher())))
        options.append(("settings_row", ui.s("log_out"), None))
        return [
            *top_bar(app),
            ui.node("settings_title", (160, TOP + 30, 920, TOP + 100)),
            *option_rows(app, TOP + 180, options),
        ]


@dataclass(eq=False)
class AccountSwitcher(Screen):
    """The signed-in accounts, the current one selected; tap another to switch to it."""

    name = "switch_account"
    sheet = True

    def render(self, app: TikTokApp) -> list[Node]:
        ui, top = app.ui, 2400 - (len(app.accounts) + 2) * ROW - 60
        rows = [ui.node("switch_title", (60, top + 20, W - 60, top + 100))]
        for i, account in enumerate(app.accounts):
            y, current = top + (i + 1) * ROW, i == app.current
            children = [ui.node("account_row_name", (200, y + 30, 860, y + 110), text=account.username)]
            if current:
                children.append(ui.node("account_row_check", (900, y + 35, 980, y + 115)))
            rows.append(
                ui.node(
                    "account_row",
                    (0, y, W, y + ROW - 10),
                    children=children,
                    selected=current,
                    action=lambda name=account.username: app.switch_account(name),
                )
            )
        rows.append(
            ui.node(
                "account_add",
                (200, top + (len(app.accounts) + 1) * ROW + 30, 860, top + (len(app.accounts) + 1) * ROW + 110),
            )
        )
        return [sheet(app, top, rows, on_outside=app.pop)]


@dataclass(eq=False)
class Inbox(Screen):
    """The Inbox tab."""

    name = "inbox"

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        options = [
            ("inbox_row", ui.s(k), None)
            for k in ("inbox_new_followers", "inbox_activity", "inbox_system", "inbox_requests")
        ]
        return [
            *top_bar(app, ui.s("inbox"), back=False),
            *option_rows(app, TOP + 180, options),
            bottom_bar(app, "inbox"),
        ]


@dataclass(eq=False)
class FriendsPage(Screen):
    """The Friends tab."""

    name = "friends"

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        return [
            *top_bar(app, ui.s("friends_title"), back=False),
            *option_rows(app, TOP + 180, [("inbox_row", ui.s("find_friends"), None)]),
            bottom_bar(app, "friends"),
        ]
