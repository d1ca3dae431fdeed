"""The default limits: what applies to every account that sets none of its own. Pure.

They come from `PUT /limits` and from `serve --limits FILE`. A file is recorded when its
content differs from the last file recorded, so an unchanged file at a restart keeps what
`PUT /limits` set since, and an edited one applies its edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.domain.limits import Limits, limits_fields, limits_from
from service.events import DefaultLimitsSet

FROM_API, FROM_FILE = "api", "file"


@dataclass(frozen=True, slots=True)
class DefaultLimitsState:
    """The defaults now, and the last file's."""

    version: int = 0
    limits: Limits = Limits()
    from_file: Limits | None = None


def evolve(state: DefaultLimitsState, event: DefaultLimitsSet) -> DefaultLimitsState:
    """The state after one event."""
    limits = limits_from(event.daily, event.working_hours, event.timezone, event.cooldown_hours)
    return replace(
        state,
        version=state.version + 1,
        limits=limits,
        from_file=limits if event.source == FROM_FILE else state.from_file,
    )


def fold(events: Sequence[DefaultLimitsSet]) -> DefaultLimitsState:
    """The state after the whole stream."""
    state = DefaultLimitsState()
    for event in events:
        state = evolve(state, event)
    return state


def decide_set_defaults(state: DefaultLimitsState, limits: Limits, source: str) -> list[DefaultLimitsSet]:
    """Replace the defaults; a file only when it changed since the last file, the API only when
    they differ from the defaults now."""
    unchanged = state.from_file == limits if source == FROM_FILE else state.limits == limits
    return [] if unchanged else [DefaultLimitsSet(**limits_fields(limits), source=source)]
