"""The frame Android puts around an app's views: the window's DecorView, `android:id/content`, the bar backgrounds.

A dump of a real phone shows every activity's views under
`FrameLayout (DecorView) > LinearLayout > FrameLayout android:id/content`, and beside the LinearLayout the
views that colour the status and navigation bars. A dialog's window has the DecorView and `android:id/content`
but no bars. Apps here build their views and hand them to these functions, as an Activity hands its layout to
setContentView."""

from __future__ import annotations

from devices.sim.hierarchy import DESIGN_HEIGHT, DESIGN_WIDTH, Node

CONTENT_ID = "android:id/content"
STATUS_BAR_ID = "android:id/statusBarBackground"
NAVIGATION_BAR_ID = "android:id/navigationBarBackground"
STATUS_BAR_HEIGHT = 63  # 24 dp at 420 dpi, in the 1080x2400 design space
NAVIGATION_BAR_HEIGHT = 126  # 48 dp

_SCREEN = (0, 0, DESIGN_WIDTH, DESIGN_HEIGHT)


def activity_window(package: str, views: list[Node]) -> Node:
    """An activity's window, edge to edge: its views in `android:id/content`, the bar backgrounds drawn over them."""
    content = Node("android.widget.FrameLayout", _SCREEN, rid=CONTENT_ID, children=views)
    return Node(
        "android.widget.FrameLayout",
        _SCREEN,
        package=package,
        children=[
            Node("android.widget.LinearLayout", _SCREEN, children=[content]),
            Node(
                "android.view.View",
                (0, DESIGN_HEIGHT - NAVIGATION_BAR_HEIGHT, DESIGN_WIDTH, DESIGN_HEIGHT),
                rid=NAVIGATION_BAR_ID,
            ),
            Node("android.view.View", (0, 0, DESIGN_WIDTH, STATUS_BAR_HEIGHT), rid=STATUS_BAR_ID),
        ],
    )


def dialog_window(package: str, views: list[Node]) -> Node:
    """A dialog's window over the screen: its views in `android:id/content`, no bars."""
    return Node(
        "android.widget.FrameLayout",
        _SCREEN,
        package=package,
        children=[Node("android.widget.FrameLayout", _SCREEN, rid=CONTENT_ID, children=views)],
    )
