"""The parts of Android around the app: the home-screen launcher and the lock screen."""

from __future__ import annotations

from collections.abc import Callable

from devices.sim.hierarchy import DESIGN_HEIGHT, DESIGN_WIDTH, Node
from devices.sim.window_frame import activity_window

LAUNCHER_PACKAGE = "com.google.android.apps.nexuslauncher"
LAUNCHER_ACTIVITY = "com.google.android.apps.nexuslauncher.NexusLauncherActivity"
LAUNCHER_PID = 1820
SYSTEMUI_PACKAGE = "com.android.systemui"
SYSTEMUI_PID = 1433
_LAUNCHER_ID = f"{LAUNCHER_PACKAGE}:id/"
_SYSTEMUI_ID = f"{SYSTEMUI_PACKAGE}:id/"
_ICONS = ("Phone", "Messages", "Chrome", "Camera", "Play Store", "Settings", "Photos")


def launcher(app_label: str | None, open_app: dict[str, Callable[[], object]]) -> Node:
    """The home screen: a grid of app icons, the app's among them when it is installed; tapping an icon in
    `open_app` starts that app (the others are not modelled)."""
    labels = list(_ICONS) + ([app_label] if app_label else [])
    icons = []
    for i, label in enumerate(labels):
        left, top = 40 + (i % 4) * 250, 1500 + (i // 4) * 300
        icons.append(
            Node(
                "android.widget.TextView",
                (left, top, left + 250, top + 280),
                text=label,
                desc=label,
                rid=_LAUNCHER_ID + "icon",
                clickable=True,
                action=open_app.get(label),
            )
        )
    workspace = Node(
        "android.view.ViewGroup",
        (0, 0, DESIGN_WIDTH, DESIGN_HEIGHT),
        rid=_LAUNCHER_ID + "workspace",
        children=icons,
        scrollable=True,
    )
    search = Node(
        "android.widget.TextView",
        (40, 2240, 1040, 2360),
        desc="Search",
        rid=_LAUNCHER_ID + "search_container_hotseat",
        clickable=True,
    )
    return activity_window(LAUNCHER_PACKAGE, [workspace, search])


def keyguard(clock_text: str, date_text: str, display_on: bool) -> Node:
    """The lock screen (also what is dumped while the display is off); swipe up to unlock."""
    children = [
        Node("android.widget.TextView", (240, 500, 840, 760), text=clock_text, rid=_SYSTEMUI_ID + "clock"),
        Node("android.widget.TextView", (240, 780, 840, 850), text=date_text, rid=_SYSTEMUI_ID + "date_view"),
        Node("android.widget.ImageView", (490, 2020, 590, 2120), desc="Unlock", rid=_SYSTEMUI_ID + "lock_icon"),
        Node(
            "android.widget.TextView",
            (240, 2160, 840, 2230),
            text="Swipe up to open" if display_on else "",
            rid=_SYSTEMUI_ID + "keyguard_indication_text",
        ),
    ]
    return Node(
        "android.widget.FrameLayout",
        (0, 0, DESIGN_WIDTH, DESIGN_HEIGHT),
        package=SYSTEMUI_PACKAGE,
        rid=_SYSTEMUI_ID + "notification_shade",
        children=children,
    )
