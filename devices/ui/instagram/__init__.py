"""Instagram on one phone: its flows, each a part over the app's one session.

    search     the search field and its results (accounts, a topic's reels)       search.py
    profiles   a user's profile by link or search; follow, unfollow, Requested    profiles.py
    accounts   the own profile; the switcher: signed in, switch                   accounts.py
    feed       a post or reel by link, the home feed, Reels, a topic; like by      feed.py
               double tap, save, follow the author
    comments   a comment under the post or reel on screen                         comments.py
    create     the gallery, POST / REEL / STORY, caption, Share, the upload       create.py

With the app-neutral parts of every PhoneApp (devices/ui/app.py): navigation, preparation, media.
The scripts call the same names as on TikTok (`profiles.follow`, `feed.like`, `comments.write`);
the post script calls `create.share` (Instagram's flow has no sound or product link).
"""

from __future__ import annotations

from typing import Any

from devices.selectors import load_selectors
from devices.ui.app import PhoneApp
from devices.ui.instagram.accounts import Accounts
from devices.ui.instagram.comments import Comments
from devices.ui.instagram.create import Create
from devices.ui.instagram.feed import Feed
from devices.ui.instagram.profiles import Profiles
from devices.ui.instagram.search import Search


class Instagram(PhoneApp):
    """The Instagram app on one phone, driven through a U2Driver; waits use `clock.sleep`."""

    def __init__(self, driver: Any, clock: Any, **timing: float) -> None:
        super().__init__(driver, clock, load_selectors("instagram"), **timing)
        session, navigation = self.session, self.navigation
        self.search = Search(session, navigation)
        self.profiles = Profiles(session, navigation, self.search)
        self.accounts = Accounts(session, navigation)
        self.feed = Feed(session, navigation, self.search, self.profiles)
        self.comments = Comments(session)
        self.create = Create(session, navigation)
