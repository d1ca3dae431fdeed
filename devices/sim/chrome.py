"""Chrome, the phone's browser: it opens the web addresses no installed app claims (`am start -a VIEW -d URL`,
uiautomator2's open_url), one tab with a history for Back, an address bar to type into. Pages are not fetched:
a page shows its address."""

from __future__ import annotations

from collections.abc import Callable

from devices.sim.hierarchy import DESIGN_HEIGHT, DESIGN_WIDTH, Node
from devices.sim.window_frame import STATUS_BAR_HEIGHT, activity_window

CHROME_PACKAGE = "com.android.chrome"
CHROME_ACTIVITY = "com.google.android.apps.chrome.Main"
URL_FIELD = "url"
_ID = f"{CHROME_PACKAGE}:id/"
_HINT = "Search or type web address"
_TOOLBAR_BOTTOM = STATUS_BAR_HEIGHT + 150


def is_web_address(url: str) -> bool:
    """Whether Chrome opens the address (http and https)."""
    return url.strip().lower().startswith(("http://", "https://"))


def display_url(url: str) -> str:
    """The address as the address bar shows it: without the scheme, `www.` and a lone trailing slash."""
    shown = url.strip().split("://", 1)[-1].removeprefix("www.")
    return shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown


class ChromeApp:
    """Chrome's process: running or not, seen or not, the tab's history, the address bar being edited."""

    package = CHROME_PACKAGE

    def __init__(self) -> None:
        self.running = False
        self.visible = False
        self.history: list[str | None] = []  # the tab's pages, None for the new tab page
        self.typed: str | None = None  # the address bar's text while it has focus

    @property
    def url(self) -> str | None:
        """The page shown (None: the new tab page)."""
        return self.history[-1] if self.history else None

    # -- lifecycle ------------------------------------------------------------------------------------
    def launch(self) -> None:
        """Start Chrome (on a new tab) or bring it back as it was."""
        if not self.running:
            self.history = [None]
        self.running = self.visible = True

    def open(self, url: str) -> None:
        """A VIEW intent: the address in a new tab (Back from it closes the tab and goes back behind)."""
        self.running = self.visible = True
        self.history, self.typed = [url.strip()], None

    def stop(self) -> None:
        """Kill the process: the tab is gone."""
        self.running = self.visible = False
        self.history, self.typed = [], None

    def show(self) -> None:
        """Seen again."""
        self.visible = True

    def hide(self) -> None:
        """Gone to the background."""
        self.visible = False

    def activity(self) -> str:
        """The activity in front."""
        return CHROME_ACTIVITY

    def screen_name(self) -> str:
        """The name the farm's state shows."""
        return "browser"

    # -- input ----------------------------------------------------------------------------------------
    def back(self) -> bool:
        """Back: leave the address bar, then the previous page; False on the first page (Chrome goes behind)."""
        if self.typed is not None:
            self.typed = None
        elif len(self.history) > 1:
            self.history.pop()
        else:
            return False
        return True

    def before_input(self) -> None:
        """Nothing to dismiss before a touch or a key."""

    def sync_view(self) -> None:
        """Nothing to account for after a touch or a key."""

    def swipe(self, direction: str) -> None:
        """A page that is one screen high does not scroll."""

    def focus_field(self, name: str) -> None:
        """Tapping the address bar: it shows the whole address, ready to edit."""
        if self.typed is None:
            self.typed = self.url or ""

    def set_field(self, name: str, text: str) -> None:
        """setText on the address bar."""
        self.typed = text

    def edit(self, change: Callable[[str], str]) -> bool:
        """Typing into the address bar; False when it does not have focus."""
        if self.typed is None:
            return False
        self.typed = change(self.typed)
        return True

    def submit(self) -> None:
        """Enter in the address bar: go there (`https://` is added when no scheme is typed)."""
        if self.typed is not None and self.typed.strip():
            typed = self.typed.strip()
            self.history.append(typed if "://" in typed else f"https://{typed}")
            self.typed = None

    # -- drawing --------------------------------------------------------------------------------------
    def windows(self) -> list[Node]:
        """The browser's window: the toolbar, then the page (or the new tab page)."""
        top, bottom = STATUS_BAR_HEIGHT, _TOOLBAR_BOTTOM
        focused = self.typed is not None
        text = self.typed if focused else (display_url(self.url) if self.url else "")
        toolbar = Node(
            "android.widget.FrameLayout",
            (0, top, DESIGN_WIDTH, bottom),
            rid=_ID + "toolbar",
            children=[
                Node(
                    "android.widget.ImageButton",
                    (0, top + 15, 120, bottom - 15),
                    desc="Open the home page",
                    rid=_ID + "home_button",
                    action=self._home,
                ),
                Node(
                    "android.widget.EditText",
                    (130, top + 20, 820, bottom - 20),
                    text=text or _HINT,
                    hint=_HINT,
                    rid=_ID + "url_bar",
                    field=URL_FIELD,
                    focused=focused,
                    long_clickable=True,
                ),
                Node(
                    "android.widget.ImageButton",
                    (830, top + 15, 950, bottom - 15),
                    desc="Switch or close tabs",
                    rid=_ID + "tab_switcher_button",
                    clickable=True,
                ),
                Node(
                    "android.widget.ImageButton",
                    (960, top + 15, 1080, bottom - 15),
                    desc="Customize and control Google Chrome",
                    rid=_ID + "menu_button",
                    clickable=True,
                ),
            ],
        )
        if self.url is None:
            page = Node(
                "android.widget.FrameLayout",
                (0, bottom, DESIGN_WIDTH, DESIGN_HEIGHT),
                rid=_ID + "ntp_content",
                children=[
                    Node("android.widget.TextView", (140, 900, 940, 1000), text="New tab", rid=_ID + "ntp_title")
                ],
            )
        else:
            page = Node(
                "android.webkit.WebView",
                (0, bottom, DESIGN_WIDTH, DESIGN_HEIGHT),
                text=display_url(self.url),
                scrollable=True,
                children=[Node("android.widget.TextView", (40, bottom + 60, 1040, bottom + 200), text=self.url)],
            )
        return [activity_window(CHROME_PACKAGE, [toolbar, page])]

    def _home(self) -> None:
        if self.url is not None:
            self.history.append(None)
