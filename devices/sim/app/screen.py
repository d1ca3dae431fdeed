"""What every screen of the app shares: text fields, the activity it runs in, the layout pieces (bars, rows, sheets)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from devices.sim.hierarchy import DESIGN_HEIGHT, DESIGN_WIDTH, Node

if TYPE_CHECKING:
    from devices.sim.app.tiktok import TikTokApp

W, H = DESIGN_WIDTH, DESIGN_HEIGHT
TOP = 72
BAR_TOP = 2240
ROW = 150


@dataclass(eq=False)
class Screen:
    """A screen (or a bottom sheet over one) with its text fields and which of them has focus."""

    name: ClassVar[str] = "screen"
    activity: ClassVar[str] = "main"
    sheet: ClassVar[bool] = False
    fields: dict[str, str] = field(default_factory=dict, kw_only=True)
    focus: str | None = field(default=None, kw_only=True)

    def render(self, app: TikTokApp) -> list[Node]:
        """The nodes of this screen, in design coordinates."""
        raise NotImplementedError

    def submit(self, app: TikTokApp) -> None:
        """The IME action (Enter, search, send) on the focused field; by default nothing happens."""

    def swipe(self, app: TikTokApp, direction: str) -> None:
        """A swipe over the screen; by default nothing happens."""


@dataclass(eq=False)
class Draft:
    """A post being made: media, sound and its volumes, the product-link switch."""

    media: list[str]
    sound: str | None = None
    loading_sound: str | None = None
    sound_ready_at: float = 0.0
    original_volume: int = 50
    added_volume: int = 50
    product_link: bool = False


def top_bar(app: TikTokApp, title: str = "", back: bool = True, title_key: str = "page_title") -> list[Node]:
    """A back arrow and a title."""
    nodes = []
    if back:
        nodes.append(app.ui.node("back", (0, TOP, 140, TOP + 130), action=app.back))
    if title:
        nodes.append(app.ui.node(title_key, (160, TOP + 30, 920, TOP + 100), text=title))
    return nodes


def bottom_bar(app: TikTokApp, active: str) -> Node:
    """The tab bar: Home, Friends, Create, Inbox, Profile."""
    ui = app.ui
    tabs = []
    for i, (key, target) in enumerate(
        (
            ("tab_home", "home"),
            ("tab_friends", "friends"),
            ("tab_create", "create"),
            ("tab_inbox", "inbox"),
            ("tab_profile", "profile"),
        )
    ):
        bounds = (i * 216, BAR_TOP, (i + 1) * 216, H)
        children = (
            []
            if target == "create"
            else [ui.node("tab_label", (bounds[0] + 40, BAR_TOP + 100, bounds[2] - 40, H - 20), text=ui.s(target))]
        )
        tabs.append(
            ui.node(
                key, bounds, children=children, selected=target == active, action=(lambda t=target: app.open_tab(t))
            )
        )
    return Node("android.widget.LinearLayout", (0, BAR_TOP, W, H), children=tabs)


def sheet(app: TikTokApp, top: int, children: list[Node], on_outside: Callable[[], None] | None = None) -> Node:
    """A bottom sheet from `top` to the bottom, over a dimmed scrim that blocks the screen below."""
    scrim = Node("android.view.View", (0, 0, W, top), action=on_outside, clickable=True)
    panel = app.ui.node("sheet", (0, top, W, H), children=children, clickable=True)
    return Node("android.widget.FrameLayout", (0, 0, W, H), children=[scrim, panel])


def option_rows(app: TikTokApp, top: int, options: list[tuple[str, str, Callable[[], None] | None]]) -> list[Node]:
    """Rows of (element key, label, action) from `top`, one ROW high each."""
    return [
        app.ui.node(key, (60, top + i * ROW, W - 60, top + (i + 1) * ROW - 10), text=label, action=action)
        for i, (key, label, action) in enumerate(options)
    ]
