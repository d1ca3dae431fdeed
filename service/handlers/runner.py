"""The one command loop: load → decide → append, and on a version conflict (another writer
appended to a stream first) again from the load. When the streams keep changing for
MAX_CONFLICT_RETRIES rounds, the command is refused with `Contention` (40901: try again),
never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple

from service.domain.errors import TransitionRefused
from service.store.interface import EventStore
from service.store.records import ConcurrencyError, Fence, RecordedEvent, SideWrite, StreamAppend

MAX_CONFLICT_RETRIES = 50


class Contention(TransitionRefused):
    """The streams kept changing under the command; the client may simply try again."""


class Decision(NamedTuple):
    """What a command decided: the appends, the side writes that commit with them, and the fence
    of the agent incarnation appending for a phone (FencedOff once it no longer owns it)."""

    appends: Sequence[StreamAppend]
    side_writes: Sequence[SideWrite] = ()
    fence: Fence | None = None


async def run_command(
    store: EventStore, decide: Callable[[int], Awaitable[Decision | None]], what: str
) -> list[RecordedEvent]:
    """Call `decide(round)` (it loads what it needs; round 0 first) and append what it decided;
    again on a conflict. Nothing to append (None, or no appends) records nothing."""
    for attempt in range(MAX_CONFLICT_RETRIES):
        decision = await decide(attempt)
        if decision is None or not decision.appends:
            return []
        try:
            return await store.append(*decision.appends, side_writes=decision.side_writes, fence=decision.fence)
        except ConcurrencyError:
            continue
    raise Contention(f"{what} kept changing while the command was applied; try again")
