"""The deterministic world Instagram shows: users, posts and reels derived from hashes.

Every user exists except handles beginning with `nosuchuser`; handles beginning with `private` are private
accounts (a follow becomes a request, which those whose handle holds `friend` accept at once); a post or reel whose
code begins with `0` no longer exists.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from devices.sim.app.world import creator_handle, search_users

MISSING_USER_PREFIX = "nosuchuser"
PRIVATE_PREFIX = "private"
_CODE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_CAPTIONS = (
    "golden hour never misses 🌅",
    "sunday reset ☕️",
    "new drop, link in bio",
    "tried the viral pasta 🍝",
    "weekend in the mountains 🏔️",
    "a little dump from this week",
    "rate this fit 1-10",
    "studio day 🎧",
    "throwback to summer ☀️",
    "my morning routine ✨",
    "cannot stop making this recipe",
    "city lights 🌃",
)
__all__ = [
    "Post",
    "Profile",
    "accepts_requests",
    "feed_post",
    "is_private",
    "post_by_code",
    "post_exists",
    "profile",
    "reel",
    "search_users",
    "topic_reels",
    "user_exists",
]


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def user_exists(handle: str) -> bool:
    """Whether a handle has an account: all do but `nosuchuser...`."""
    return not handle.lower().startswith(MISSING_USER_PREFIX)


def is_private(handle: str) -> bool:
    """Whether the account is private (handles beginning with `private`)."""
    return handle.lower().startswith(PRIVATE_PREFIX)


def accepts_requests(handle: str) -> bool:
    """Whether a private account accepts a follow request at once (its handle holds `friend`)."""
    return is_private(handle) and "friend" in handle.lower()


def post_exists(code: str) -> bool:
    """Whether a post or reel code still exists: all do but codes beginning with 0."""
    return bool(code) and not code.startswith("0")


def _code(*seed: object) -> str:
    h = _hash("code", *seed)
    chars = []
    for _ in range(11):
        chars.append(_CODE_CHARS[h % len(_CODE_CHARS)])
        h //= len(_CODE_CHARS)
    code = "C" + "".join(chars)[1:]
    return code


@dataclass(frozen=True, slots=True)
class Post:
    """A post (photo, carousel or video) or a reel, as the app shows it."""

    code: str
    author: str
    kind: str  # photo, carousel, video, reel
    caption: str
    likes: int
    comments: int
    slides: int = 1


def _post(code: str, author: str, kind: str | None = None, topic: str = "") -> Post:
    h = _hash("post", code)
    kind = kind or ("photo", "carousel", "video")[h % 3]
    caption = _CAPTIONS[(h >> 4) % len(_CAPTIONS)]
    if topic:
        caption = f"{caption} #{re.sub(r'[^a-z0-9]', '', topic.lower())}"
    return Post(
        code,
        author,
        kind,
        caption,
        20 + (h >> 8) % 90_000,
        (h >> 28) % 900,
        2 + (h >> 40) % 6 if kind == "carousel" else 1,
    )


def post_by_code(code: str, reel_link: bool) -> Post:
    """The post a /p/<code>/ link (or a reel a /reel/<code>/ link) opens."""
    return _post(code, creator_handle("ig", code), "reel" if reel_link else None)


def feed_post(seed: int, account: str, index: int) -> Post:
    """The `index`-th post of an account's home feed."""
    code = _code(seed, account, "feed", index)
    return _post(code, creator_handle("ig", seed, account, "feed", index))


def reel(seed: int, account: str, index: int) -> Post:
    """The `index`-th reel of an account's Reels tab."""
    code = _code(seed, account, "reels", index)
    return _post(code, creator_handle("ig", seed, account, "reels", index), "reel")


def topic_reels(topic: str, count: int = 9) -> list[Post]:
    """The reels a search for a topic shows in its grid."""
    key = topic.strip().lower()
    return [_post(_code("topic", key, i), creator_handle("ig", "topic", key, i), "reel", topic) for i in range(count)]


@dataclass(frozen=True, slots=True)
class Profile:
    """Public facts of a user."""

    handle: str
    name: str
    bio: str
    posts: int
    followers: int
    following: int


def profile(handle: str) -> Profile:
    """The public profile of an existing user."""
    h = _hash("ig-profile", handle)
    words = [w for w in re.split(r"[._0-9]+", handle) if w]
    return Profile(
        handle,
        " ".join(w.capitalize() for w in words) or handle,
        ("📍 somewhere sunny", "coffee & film 🎞️", "creator • dm for collabs", "")[h % 4],
        h % 400,
        (h >> 10) % 900_000,
        (h >> 30) % 2_000,
    )
