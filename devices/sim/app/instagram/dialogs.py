"""What Instagram draws over itself: "Save your login info?", "Turn on notifications", the action block, and the
notice of a post being shared."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices.sim.app.instagram.parts import BUTTON, FRAME, LINEAR, PACKAGE, TEXT, H, W, view
from devices.sim.faults import INSTAGRAM_DIALOG_KINDS
from devices.sim.hierarchy import Node
from devices.sim.window_frame import dialog_window

if TYPE_CHECKING:
    from devices.sim.app.instagram.app import InstagramApp

KINDS = INSTAGRAM_DIALOG_KINDS  # the random and on-demand ones; "blocked" comes from the actionblock fault
BLOCK_TITLE = "Try Again Later"
BLOCK_BODY = (
    "We limit how often you can do certain things on Instagram to protect our community. "
    "Tell us if you think we made a mistake."
)

# kind -> (headline id, headline, body id, body, [(button id, label)])
_DIALOGS = {
    "save_login": (
        "igds_headline_headline",
        "Save your login info?",
        "igds_headline_body",
        "We can save your login info on this device so you don't need to enter it again.",
        [("primary_button", "Save"), ("negative_button", "Not now")],
    ),
    "notifications": (
        "igds_headline_headline",
        "Turn on notifications",
        "igds_headline_body",
        "Get notifications when people follow you, like your posts and more.",
        [("primary_button", "Turn On"), ("negative_button", "Not Now")],
    ),
    "blocked": (
        "igds_alert_dialog_headline",
        BLOCK_TITLE,
        "igds_alert_dialog_subtext",
        BLOCK_BODY,
        [("igds_alert_dialog_primary_button", "Tell us"), ("igds_alert_dialog_cancel_button", "OK")],
    ),
}


def render(app: InstagramApp) -> list[Node]:
    """The dialog over the app, if one shows."""
    if app.dialog is None:
        return []
    title_id, title, body_id, body, buttons = _DIALOGS[app.dialog]

    def dismiss() -> None:
        app.dialog = None

    children = [
        view(TEXT, (140, 880, 940, 960), title_id, text=title),
        view(TEXT, (140, 980, 940, 1130), body_id, text=body),
    ]
    children += [
        view(BUTTON, (140, 1180 + i * 130, 940, 1290 + i * 130), short, text=label, action=dismiss)
        for i, (short, label) in enumerate(buttons)
    ]
    panel = view(LINEAR, (90, 800, 990, 1460), "dialog_container", children=children, clickable=True)
    return [dialog_window(PACKAGE, [Node("android.view.View", (0, 0, W, H), clickable=True), panel])]


def notice_window(text: str) -> Node:
    """A toast-like line over the app."""
    return Node(
        FRAME,
        (0, 1900, W, 2000),
        package=PACKAGE,
        children=[Node(TEXT, (140, 1900, 940, 2000), text=text, rid="android:id/message")],
    )
