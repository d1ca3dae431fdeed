"""TikTok links the app opens from a VIEW intent: profiles, videos, vm.tiktok.com short links, sounds."""

from __future__ import annotations

from urllib.parse import urlparse

from devices.sim.app.create_screens import SoundPage
from devices.sim.app.own_screens import OwnProfile
from devices.sim.app.people_screens import UserProfile
from devices.sim.app.screen import Screen
from devices.sim.app.video_screens import Detail
from devices.sim.app.world import clean_handle, short_link_video, sound_named, video, video_exists

SHORT_LINK_HOSTS = ("vm.tiktok.com", "vt.tiktok.com")


def is_tiktok_link(url: str) -> bool:
    """Whether the app handles the link (any tiktok.com address)."""
    host = urlparse(url.strip()).netloc.lower()
    return host == "tiktok.com" or host.endswith(".tiktok.com")


def screen_for(url: str, me: str) -> Screen | None:
    """The screen a TikTok link opens over the feed (None: just the app); `me` is the signed-in username."""
    parsed = urlparse(url.strip())
    parts = [p for p in parsed.path.split("/") if p]
    if not parts:
        return None
    if parsed.netloc.lower() in SHORT_LINK_HOSTS:
        return Detail(videos=[short_link_video(parts[0])])
    if parts[0].startswith("@"):
        handle = clean_handle(parts[0])
        if len(parts) >= 3 and parts[1] in ("video", "photo"):
            return Detail(videos=[video(parts[2], handle)] if video_exists(parts[2]) else [])
        return OwnProfile() if handle == me else UserProfile(handle=handle)
    if parts[0] == "music" and len(parts) >= 2:
        title, _, _ = parts[1].rpartition("-")
        return SoundPage(sound=sound_named((title or parts[1]).replace("-", " ")))
    return None
