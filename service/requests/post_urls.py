"""Post URLs a comment task may target (docs/api.md, "comment").

TikTok `https://www.tiktok.com/@user/video/<id>` and `https://vm.tiktok.com/<code>/`;
Instagram `https://www.instagram.com/p/<code>/` and `/reel/<code>/`. We also accept what
copying a link from a browser or the app adds: `http`, an upper-case host, a missing or
present trailing slash, a query string and a fragment. Anything else is refused.
"""

from __future__ import annotations

import re

from service.domain.apps import INSTAGRAM, TIKTOK

_TAIL = r"/?(?:[?#][^\s]*)?"
_POST_URL = re.compile(
    r"https?://(?i:www\.tiktok\.com)/@[A-Za-z0-9._-]+/video/[0-9]+"
    + _TAIL
    + r"|https?://(?i:vm\.tiktok\.com)/[A-Za-z0-9]+"
    + _TAIL
    + r"|https?://(?i:www\.instagram\.com)/(?:p|reel)/[A-Za-z0-9_-]+"
    + _TAIL
)
_INSTAGRAM = re.compile(r"https?://(?i:www\.instagram\.com)/")


def is_post_url(url: str) -> bool:
    """Whether `url` is a TikTok or Instagram post URL that the API accepts."""
    return _POST_URL.fullmatch(url) is not None


def is_instagram(url: str) -> bool:
    """Whether an accepted post URL is Instagram's."""
    return _INSTAGRAM.match(url) is not None


def app_of_url(url: str) -> str:
    """The app an accepted post URL belongs to: "instagram" or "tiktok"."""
    return INSTAGRAM if is_instagram(url) else TIKTOK
