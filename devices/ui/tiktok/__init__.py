"""TikTok on one phone: its flows, each a part over the app's one session.

    search     the search field and its result tabs                     search.py
    profiles   a user's profile by URL or search; follow, unfollow      profiles.py
    accounts   the own profile; the switcher: signed in, switch         accounts.py
    feed       a video by URL, For You, a topic; next; like, favourite  feed.py
    comments   a comment (with an image) under the video on screen      comments.py
    gallery    the in-app picker: pushed files chosen by name           gallery.py
    sounds     a sound's page, the editor's sound picker, the volumes   sounds.py
    create     into the editor, caption, product link, Post, upload     create.py

With the app-neutral parts of every PhoneApp (devices/ui/app.py): navigation, preparation, media.
"""

from __future__ import annotations

from typing import Any

from devices.selectors import load_selectors
from devices.ui.app import PhoneApp
from devices.ui.tiktok.accounts import Accounts
from devices.ui.tiktok.comments import Comments
from devices.ui.tiktok.create import Create
from devices.ui.tiktok.feed import Feed
from devices.ui.tiktok.gallery import Gallery
from devices.ui.tiktok.profiles import Profiles
from devices.ui.tiktok.search import Search
from devices.ui.tiktok.sounds import Sounds


class TikTok(PhoneApp):
    """The TikTok app on one phone, driven through a U2Driver; waits use `clock.sleep`."""

    def __init__(self, driver: Any, clock: Any, **timing: float) -> None:
        super().__init__(driver, clock, load_selectors("tiktok"), **timing)
        session, navigation = self.session, self.navigation
        self.search = Search(session, navigation)
        self.profiles = Profiles(session, navigation, self.search)
        self.accounts = Accounts(session, navigation)
        self.feed = Feed(session, navigation, self.search)
        self.gallery = Gallery(session)
        self.comments = Comments(session, self.gallery)
        self.sounds = Sounds(session, navigation, self.search)
        self.create = Create(session, navigation, self.gallery, self.accounts)
