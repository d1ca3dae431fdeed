"""The deterministic world the app shows: creators, videos, sounds and search results, derived from hashes.

Every user exists except handles beginning with `nosuchuser`; a video id beginning with `0` does not exist.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from devices.sim.names import FIRST_NAMES, LAST_NAMES

MISSING_USER_PREFIX = "nosuchuser"
_HANDLE = re.compile(r"^[a-z0-9._]{2,24}$")
_CAPTIONS = (
    "wait for it 😂 #fyp #funny",
    "morning routine that changed my life ☀️ #routine",
    "this recipe is too easy #food",
    "POV: monday again #relatable",
    "trying the viral trend 💃 #dance",
    "rate my setup 1-10 #tech",
    "3 tips nobody tells you #learnontiktok",
    "sunset hits different 🌅 #travel",
    "my cat did WHAT #cats",
    "day in my life #vlog",
    "outfit check 👀 #ootd",
    "you need this hack #lifehack",
)
SOUND_CATALOG = (
    ("Sunny Afternoon Beat", "Kevo Loops"),
    ("Lo-fi Study Loop", "Mellow Tapes"),
    ("Summer Vibes", "DJ Palma"),
    ("Epic Cinematic Rise", "Orchestra X"),
    ("Chill Guitar", "Ana Reis"),
    ("Dance Pop Hook", "Neon Hearts"),
    ("Ocean Waves", "Calm Studio"),
    ("Retro Synthwave", "Night Drive"),
    ("Acoustic Morning", "Ben Hollow"),
    ("Trap Energy", "808 Kid"),
    ("Happy Ukulele", "Island Folk"),
    ("Piano Reflections", "Clara Keys"),
)


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def compact_count(n: int) -> str:
    """12345 -> 12.3K, as the app prints counters."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 10_000:
        return f"{n / 1000:.1f}K"
    return str(n)


def user_exists(handle: str) -> bool:
    """Whether a handle has an account: all do but `nosuchuser...`."""
    return not handle.lower().startswith(MISSING_USER_PREFIX)


def video_exists(video_id: str) -> bool:
    """Whether a video id exists: all do but ids beginning with 0."""
    return bool(video_id) and video_id.isdigit() and not video_id.startswith("0")


def clean_handle(text: str) -> str:
    """A handle as typed (`@Alice `) reduced to its canonical form (`alice`)."""
    return text.strip().lstrip("@").strip().lower()


def creator_handle(*seed: object) -> str:
    """A realistic creator handle derived from `seed`."""
    h = _hash("creator", *seed)
    first, last = FIRST_NAMES[h % len(FIRST_NAMES)], LAST_NAMES[(h >> 8) % len(LAST_NAMES)]
    return (f"{first}.{last}", f"{first}_{last}{h % 97}", f"{last}{first}{h % 9}", f"its{first}{h % 999}")[
        (h >> 16) % 4
    ]


@dataclass(frozen=True, slots=True)
class Sound:
    """A sound: its id, title and artist."""

    id: str
    title: str
    artist: str


@dataclass(frozen=True, slots=True)
class Video:
    """A video as the app shows it."""

    id: str
    author: str
    caption: str
    sound: Sound
    likes: int
    comments: int
    shares: int
    length_s: float


def video(video_id: str, author: str, topic: str = "") -> Video:
    """The video `video_id` by `author` (its counters and caption derived from the id)."""
    h = _hash("video", video_id)
    caption = _CAPTIONS[h % len(_CAPTIONS)]
    if topic:
        caption = f"{topic} {caption}"
    sound = Sound(str(7_000_000_000_000_000_000 + h % 10**18), f"original sound - {author}", author)
    if h % 3 == 0:
        title, artist = SOUND_CATALOG[(h >> 4) % len(SOUND_CATALOG)]
        sound = sound_named(title, artist)
    return Video(
        video_id,
        author,
        caption,
        sound,
        50 + h % 250_000,
        3 + (h >> 20) % 4_000,
        (h >> 32) % 9_000,
        float(8 + (h >> 40) % 52),
    )


def video_id(*seed: object) -> str:
    """A 19-digit video id (never beginning with 0) derived from `seed`."""
    return str(7_000_000_000_000_000_000 + _hash("vid", *seed) % 10**18)


def feed_video(seed: int, account: str, source: str, index: int) -> Video:
    """The `index`-th video of a feed for an account."""
    author = creator_handle(seed, account, source, index)
    return video(video_id(seed, account, source, index), author)


def short_link_video(code: str) -> Video:
    """The video a vm.tiktok.com short code redirects to."""
    return video(video_id("short", code), creator_handle("short", code))


def sound_named(title: str, artist: str = "") -> Sound:
    """A sound by title (and artist)."""
    return Sound(
        str(7_000_000_000_000_000_000 + _hash("sound", title.lower()) % 10**18), title, artist or "TikTok Sounds"
    )


def search_users(query: str) -> list[str]:
    """Handles a user search lists: the exact handle first, then look-alikes (all share its prefix)."""
    base = re.sub(r"[^a-z0-9._]", "", clean_handle(query))
    if not base or not user_exists(base):
        return []
    suffixes = ("", "_official", f".{_hash('u', base) % 100}", "_tv", f"{_hash('v', base) % 1000}")
    return [base + s for s in suffixes if _HANDLE.match(base + s)]


def search_videos(query: str, count: int = 8) -> list[Video]:
    """Videos a search for a topic lists."""
    topic = query.strip()
    return [
        video(video_id("search", topic.lower(), i), creator_handle("search", topic.lower(), i), topic)
        for i in range(count)
    ]


def search_sounds(query: str) -> list[Sound]:
    """Sounds matching a keyword: catalogue titles containing it, then its remixes."""
    q = query.strip()
    found = [sound_named(t, a) for t, a in SOUND_CATALOG if q.lower() in t.lower()]
    if q:
        found += [sound_named(f"{q} (Remix)", "DJ Palma"), sound_named(f"{q} - sped up", "Night Drive")]
    return found


def recommended_sounds() -> list[Sound]:
    """The sound picker's Recommended list."""
    return [sound_named(t, a) for t, a in SOUND_CATALOG[:8]]


@dataclass(frozen=True, slots=True)
class Profile:
    """Public facts of a user."""

    handle: str
    name: str
    bio: str
    following: int
    followers: int
    likes: int
    videos: tuple[str, ...]


def profile(handle: str) -> Profile:
    """The public profile of an existing user."""
    h = _hash("profile", handle)
    words = [w for w in re.split(r"[._0-9]+", handle) if w]
    name = " ".join(w.capitalize() for w in words) or handle
    count = h % 10
    return Profile(
        handle,
        name,
        ("✨ living my best life", "📍 on tour", "daily videos 🎬", "")[h % 4],
        (h >> 8) % 900,
        (h >> 20) % 2_000_000,
        (h >> 36) % 40_000_000,
        tuple(video_id("profile", handle, i) for i in range(count)),
    )
