"""What the app needs from the phone it runs on (the Phone implements it), and the media kinds it knows."""

from __future__ import annotations

from typing import Protocol

from devices.sim.app.account import Directory
from devices.sim.app.ui import UI

MEDIA_KINDS = {
    ".mp4": "video",
    ".mov": "video",
    ".webm": "video",
    ".3gp": "video",
    ".mkv": "video",
    ".jpg": "photo",
    ".jpeg": "photo",
    ".png": "photo",
    ".webp": "photo",
    ".heic": "photo",
}


class AppHost(Protocol):
    """What the app needs from its phone."""

    ui: UI
    seed: int
    time_scale: float
    directory: Directory

    def clock(self) -> float:
        """Monotonic seconds (real time; app delays are multiplied by time_scale)."""

    def ratelimit(self) -> int:
        """Follows allowed per app minute (0: no limit)."""

    def actionblock(self) -> int:
        """Follows per app minute before the account is blocked from following (0: never)."""

    def media(self) -> list[tuple[str, str]]:
        """(path, "video" | "photo") of the scanned media, newest first."""

    def file_exists(self, path: str) -> bool:
        """Whether a file exists on the phone."""
