"""Instagram's ids and labels (English), and the pieces of layout its screens share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from devices.sim.hierarchy import DESIGN_HEIGHT, DESIGN_WIDTH, Node

if TYPE_CHECKING:
    from devices.sim.app.instagram.app import InstagramApp

PACKAGE = "com.instagram.android"
VERSION, VERSION_CODE = "417.0.0.54.77", 380117310
ACTIVITY = "com.instagram.mainactivity.InstagramMainActivity"
W, H = DESIGN_WIDTH, DESIGN_HEIGHT
TOP = 72
BAR_TOP = 2150
TEXT, BUTTON, IMAGE = "android.widget.TextView", "android.widget.Button", "android.widget.ImageView"
FRAME, LINEAR, GROUP = "android.widget.FrameLayout", "android.widget.LinearLayout", "android.view.ViewGroup"
EDIT, AUTOCOMPLETE = "android.widget.EditText", "android.widget.AutoCompleteTextView"

UNAVAILABLE = "Sorry, this page isn't available."
UNAVAILABLE_BODY = "The link you followed may be broken, or the page may have been removed."


def is_instagram_link(url: str) -> bool:
    """Whether the app handles the link (instagram.com addresses)."""
    host = urlparse(url.strip()).netloc.lower()
    return host in ("instagram.com", "www.instagram.com", "instagr.am")


def rid(short: str) -> str:
    """The full resource id of a short one."""
    return f"{PACKAGE}:id/{short}"


def view(cls: str, bounds: tuple[int, int, int, int], short: str = "", **kwargs: Any) -> Node:
    """A node of the app, with its resource id when it has one."""
    return Node(cls, bounds, rid=rid(short) if short else "", **kwargs)


def back_button(app: InstagramApp, top: int = TOP) -> Node:
    """The action bar's back arrow."""
    return view(IMAGE, (0, top, 140, top + 130), "action_bar_button_back", desc="Back", action=app.back)


def tab_bar(app: InstagramApp, active: str) -> Node:
    """The bottom tabs, in the late-2025 order: Home, Reels, Messages, Search and explore, Profile."""
    tabs = (
        ("feed_tab", "Home", "home"),
        ("clips_tab", "Reels", "reels"),
        ("direct_tab", "Messages", "direct"),
        ("search_tab", "Search and explore", "search"),
        ("profile_tab", "Profile", "profile"),
    )
    nodes = []
    for i, (short, desc, target) in enumerate(tabs):
        bounds = (i * 216, BAR_TOP, (i + 1) * 216, H - 126)
        children = (
            [view(IMAGE, (bounds[0] + 70, BAR_TOP + 30, bounds[2] - 70, BAR_TOP + 110), "tab_avatar")]
            if short == "profile_tab"
            else []
        )
        nodes.append(
            view(
                FRAME,
                bounds,
                short,
                desc=desc,
                selected=target == active,
                children=children,
                action=lambda t=target: app.open_tab(t),
            )
        )
    return view(LINEAR, (0, BAR_TOP, W, H - 126), "tab_bar", children=nodes)


def bottom_sheet(app: InstagramApp, top: int, children: list[Node], on_outside: Callable[[], None]) -> Node:
    """A bottom sheet over a dimmed scrim that takes taps outside it."""
    scrim = Node("android.view.View", (0, 0, W, top), action=on_outside, clickable=True)
    handle = view("android.view.View", (490, top + 20, 590, top + 40), "bottom_sheet_drag_handle_prism")
    panel = view(FRAME, (0, top, W, H), "bottom_sheet_container", children=[handle, *children], clickable=True)
    return Node(FRAME, (0, 0, W, H), children=[scrim, panel])


def count_text(n: int) -> str:
    """1234 -> "1,234", as Instagram prints counters below 10,000; 12.3K and 1.2M above."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 10_000:
        return f"{n / 1000:.1f}K"
    return f"{n:,}"
