"""TikTokUI: everything the scripts do in the TikTok app, on one phone.

Built from small layers, each a module: session (look, tap, wait, type), prepare (screen,
lock, app, language, home), people (search, profiles, follow), accounts (switcher), videos
(feed, like, favourite, comment) and create (the post flow).
"""

from __future__ import annotations

from typing import Any

from devices.selectors import AppSelectors
from devices.ui.create import Create

PACKAGE = "com.zhiliaoapp.musically"


class TikTokUI(Create):
    """The TikTok app on one phone, driven through a U2Driver; waits use `clock.sleep`."""

    def __init__(self, driver: Any, clock: Any, *, selectors: AppSelectors | None = None,
                 package: str | None = None, **timing: float) -> None:
        super().__init__(driver, clock, selectors=selectors, package=package, **timing)
