"""Server-Sent Events framing of the log (`GET /events/stream`)."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

import msgspec

from service.api.log_feed import KEEP, LogFeed, LogFilter
from service.api.schemas import EventOut
from service.store.records import RecordedEvent, StoreError

log = logging.getLogger("droidledger.api")

KEEP_ALIVE = b": keep-alive\n\n"
BATCH = 100  # events per chunk written to the connection
HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}  # no proxy buffering either

_encode = msgspec.json.Encoder().encode


def frame(recorded: RecordedEvent, shown: EventOut) -> bytes:
    """One event: `id:` its position, `event:` its type, `data:` the event as GET /events shows it."""
    data = _encode(shown).replace(b"\n", b"\ndata: ")  # JSON has no raw line breaks; never split a frame
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (recorded.position, recorded.type.encode(), data)


class Frames:
    """Each event's frame, encoded once however many clients it is sent to (the newest `size` kept);
    the last run of consecutive events joined once for all the clients it goes to."""

    def __init__(self, show: Callable[[RecordedEvent], EventOut], size: int = KEEP) -> None:
        self._show = show
        self._size = size
        self._frames: OrderedDict[int, bytes] = OrderedDict()
        self._last_run: tuple[int, int, bytes] = (0, 0, b"")  # the last run of positions joined, and its bytes

    def __call__(self, recorded: RecordedEvent) -> bytes:
        encoded = self._frames.get(recorded.position)
        if encoded is None:
            encoded = self._frames[recorded.position] = frame(recorded, self._show(recorded))
            if len(self._frames) > self._size:
                self._frames.popitem(last=False)
        return encoded

    def joined(self, events: list[RecordedEvent]) -> bytes:
        """The frames of events, in order, as one chunk."""
        first, last = events[0].position, events[-1].position
        if last - first + 1 != len(events):  # filtered: not a run of the log
            return b"".join(self(event) for event in events)
        if self._last_run[:2] != (first, last):
            self._last_run = (first, last, b"".join(self(event) for event in events))
        return self._last_run[2]


async def follow(
    feed: LogFeed, frames: Frames, after: int, where: LogFilter, keep_alive_s: float
) -> AsyncIterator[bytes]:
    """The frames of every event after `after` that passes `where`, then of each new one as it commits;
    a comment line when nothing was sent for `keep_alive_s`; ends when the feed closes, or when the
    log cannot be read (the client reconnects with Last-Event-ID, as Server-Sent Events clients do)."""
    feed.streams_open += 1
    try:
        yield b": following the log after position %d\n\n" % after
        last_sent = time.monotonic()
        while not feed.closing.is_set():
            try:
                events, after = await feed.matching(after, where, BATCH)
            except StoreError as exc:
                log.warning("an event stream ended after position %d: the log cannot be read (%s)", after, exc)
                return
            if events:
                yield b"".join(frames(event) for event in events)
                feed.sent["stream"] += len(events)
                last_sent = time.monotonic()
                continue
            quiet = time.monotonic() - last_sent
            if quiet >= keep_alive_s:
                yield KEEP_ALIVE
                last_sent = time.monotonic()
                continue
            if await feed.wait_beyond(after, keep_alive_s - quiet) == "closing":
                return
    finally:
        feed.streams_open -= 1
