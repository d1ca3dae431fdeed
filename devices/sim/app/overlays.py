"""What is drawn over the app: interrupting dialogs, a toast, the upload progress notice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices.sim.app.screen import TOP, H, W
from devices.sim.app.ui import PACKAGE
from devices.sim.hierarchy import Node
from devices.sim.window_frame import dialog_window

if TYPE_CHECKING:
    from devices.sim.app.tiktok import TikTokApp

PERMISSION_PACKAGE = "com.google.android.permissioncontroller"
_PERMISSION_ID = "com.android.permissioncontroller:id/"

# kind -> title, body, buttons (the last ones dismiss as well: every button closes the dialog)
DIALOGS = {
    "rating": ("rating_title", "rating_body", ("rate", "not_now")),
    "friends": ("friends_dialog_title", "friends_dialog_body", ("find_friends_button", "skip")),
    "collections": ("collections_title", "collections_body", ("try_it", "not_now")),
    "blocked": ("blocked_title", "blocked_body", ("ok",)),  # the actionblock fault, never a random dialog
}


def _dismiss(app: TikTokApp) -> None:
    app.dialog = None


def _app_dialog(app: TikTokApp, kind: str) -> Node:
    ui = app.ui
    title, body, buttons = DIALOGS[kind]
    children = [
        ui.node("dialog_title", (140, 880, 940, 960), text=ui.s(title)),
        ui.node("dialog_body", (140, 980, 940, 1100), text=ui.s(body)),
    ]
    children += [
        ui.node(
            "dialog_button", (140, 1180 + i * 130, 940, 1290 + i * 130), text=ui.s(label), action=lambda: _dismiss(app)
        )
        for i, label in enumerate(buttons)
    ]
    if kind == "friends":
        children.append(ui.node("close", (900, 820, 980, 900), action=lambda: _dismiss(app)))
    panel = Node("android.widget.LinearLayout", (90, 800, 990, 1460), children=children, clickable=True)
    return dialog_window(PACKAGE, [Node("android.view.View", (0, 0, W, H), clickable=True), panel])


def _permission_dialog(app: TikTokApp) -> Node:
    ui = app.ui
    children = [
        Node(
            "android.widget.TextView",
            (140, 1000, 940, 1120),
            text=ui.s("permission_title"),
            rid=_PERMISSION_ID + "permission_message",
        ),
        Node(
            "android.widget.Button",
            (140, 1160, 940, 1270),
            text=ui.s("allow"),
            rid=_PERMISSION_ID + "permission_allow_button",
            action=lambda: _dismiss(app),
        ),
        Node(
            "android.widget.Button",
            (140, 1290, 940, 1400),
            text=ui.s("dont_allow"),
            rid=_PERMISSION_ID + "permission_deny_button",
            action=lambda: _dismiss(app),
        ),
    ]
    return dialog_window(
        PERMISSION_PACKAGE,
        [
            Node("android.view.View", (0, 0, W, H), clickable=True),
            Node("android.widget.LinearLayout", (90, 940, 990, 1440), children=children, clickable=True),
        ],
    )


def render(app: TikTokApp) -> list[Node]:
    """The windows over the app, bottom to top."""
    ui, windows = app.ui, []
    notices = []
    if app.uploading is not None:
        if app.upload_done:
            notices.append(
                ui.node(
                    "upload_banner",
                    (140, TOP + 150, 940, TOP + 230),
                    text=ui.s("upload_done"),
                    desc=ui.s("upload_done_desc"),
                )
            )
        else:
            post, now = app.uploading, app.host.clock()
            span = max(post.ready_at - app.upload_started, 1e-9)
            percent = max(0, min(99, int((now - app.upload_started) / span * 100)))
            notices.append(
                ui.node("upload_banner", (140, TOP + 150, 940, TOP + 230), text=ui.s("uploading", percent=percent))
            )
    if app.toast is not None:
        notices.append(ui.node("toast", (140, 1900, 940, 2000), text=app.toast))
    if notices:
        windows.append(Node("android.widget.FrameLayout", (0, TOP + 150, W, 2000), package=PACKAGE, children=notices))
    if app.dialog == "permission":
        windows.append(_permission_dialog(app))
    elif app.dialog is not None:
        windows.append(_app_dialog(app, app.dialog))
    return windows
