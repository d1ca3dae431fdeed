"""Watch time: which video is on screen since when; a view is recorded when another video (or none) replaces it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from devices.sim.app.account import Account
from devices.sim.app.world import Video


@dataclass(slots=True)
class _Watching:
    video: Video
    since: float


class WatchTime:
    """Turns what the screen shows over time into the account's views (in app seconds)."""

    def __init__(self, clock: Callable[[], float], time_scale: float) -> None:
        self._clock, self._scale = clock, time_scale
        self._watching: _Watching | None = None

    def showing(self, video: Video | None, account: Account) -> None:
        """The video on screen now (None: no video is being watched)."""
        if self._watching is not None and (video is None or video.id != self._watching.video.id):
            self.stop(account)
        if video is not None and self._watching is None:
            self._watching = _Watching(video, self._clock())

    def stop(self, account: Account) -> None:
        """Record the current view on `account`: how long, and how many times the video played through."""
        if self._watching is None:
            return
        v, watched = self._watching.video, (self._clock() - self._watching.since) / self._scale
        account.views.append({"video": v.id, "author": v.author, "length_s": v.length_s,
                              "watched_s": round(watched, 2), "loops": int(watched // v.length_s)})
        self._watching = None
