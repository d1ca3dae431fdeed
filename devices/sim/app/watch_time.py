"""Watch time: which video is on screen and how long it has played (not while paused); a view is recorded when
another video (or none) replaces it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devices.sim.app.account import Account
from devices.sim.app.world import Video


@dataclass(slots=True)
class _Watching:
    video: Video
    played_s: float = 0.0  # real seconds played before `since`
    since: float | None = None  # playing since then; None while paused


class WatchTime:
    """Turns what the screen shows over time into the account's views (in app seconds)."""

    def __init__(self, clock: Callable[[], float], time_scale: float) -> None:
        self._clock, self._scale = clock, time_scale
        self._watching: _Watching | None = None

    def showing(self, video: Video | None, account: Account, playing: bool = True) -> None:
        """The video on screen now (None: no video is being watched), playing or paused."""
        if self._watching is not None and (video is None or video.id != self._watching.video.id):
            self.stop(account)
        if video is None:
            return
        watching, now = self._watching or _Watching(video), self._clock()
        if playing and watching.since is None:
            watching.since = now
        elif not playing and watching.since is not None:
            watching.played_s, watching.since = watching.played_s + now - watching.since, None
        self._watching = watching

    def stop(self, account: Account) -> None:
        """Record the current view on `account`: how long it played, and how many times it played through."""
        if self._watching is None:
            return
        playing = self._clock() - self._watching.since if self._watching.since is not None else 0.0
        v, watched = self._watching.video, (self._watching.played_s + playing) / self._scale
        account.views.append(
            {
                "video": v.id,
                "author": v.author,
                "length_s": v.length_s,
                "watched_s": round(watched, 2),
                "loops": int(watched // v.length_s),
            }
        )
        self._watching = None
