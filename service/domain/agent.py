"""The agent aggregate: one name, one incarnation alive at a time (docs/agents.md); and what an
agent's end means for the phones it owned and their tasks. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.domain.errors import DomainError
from service.events import AgentEvent, AgentLost, AgentStarted, AgentStopped

INTERRUPTED_BY_RESTART = "interrupted by a restart"

# A post or a comment lost after these steps may have been published: its outcome on the phone is
# unknown (the step being run was Post / the upload, or sending the comment).
OUTCOME_UNKNOWN_AFTER = {"post": frozenset({"caption", "publish"}), "comment": frozenset({"open-post", "push-image"})}


class AgentNotAlive(DomainError):
    """The incarnation is not the live one of its name."""


@dataclass(frozen=True, slots=True)
class AgentState:
    """An agent name's last incarnation."""

    name: str
    version: int = 0
    incarnation: str | None = None
    alive: bool = False


def evolve(state: AgentState, event: AgentEvent) -> AgentState:
    """The state after one event."""
    version = state.version + 1
    match event:
        case AgentStarted():
            return replace(state, version=version, incarnation=event.incarnation, alive=True)
        case AgentStopped() | AgentLost() if event.incarnation == state.incarnation:
            return replace(state, version=version, alive=False)
    return replace(state, version=version)


def fold(name: str, events: Sequence[AgentEvent]) -> AgentState:
    """The state after a whole stream."""
    state = AgentState(name)
    for event in events:
        state = evolve(state, event)
    return state


def decide_start(
    state: AgentState, incarnation: str, host: str, pid: int, lease_s: float, shard: str = ""
) -> list[AgentEvent]:
    """A new incarnation of the name; the one before, if the log still has it alive, ended
    without stopping (the caller holds the name's lock, so it is gone)."""
    ended = (
        [AgentStopped(incarnation=state.incarnation, reason="ended without stopping (found by its successor)")]
        if state.alive
        else []
    )
    return [*ended, AgentStarted(incarnation=incarnation, host=host, pid=pid, lease_s=lease_s, shard=shard)]


def decide_lost(state: AgentState, incarnation: str, silent_s: float) -> list[AgentEvent]:
    """The incarnation stopped answering; nothing if it already ended."""
    if not state.alive or state.incarnation != incarnation:
        return []
    return [AgentLost(incarnation=incarnation, silent_s=round(silent_s, 1))]


def decide_stop(state: AgentState, incarnation: str, reason: str = "stopped") -> list[AgentEvent]:
    """The incarnation ends cleanly; AgentNotAlive if it is not the live one."""
    if not state.alive or state.incarnation != incarnation:
        raise AgentNotAlive(f"agent {state.name} ({incarnation}) is not alive")
    return [AgentStopped(incarnation=incarnation, reason=reason)]


def lost_reason(name: str, silent_s: float, script_name: str, last_step: str | None) -> str:
    """Why a task running on a lost agent's phone failed."""
    reason = f"agent {name} lost (no heartbeat for {silent_s:.0f} s)"
    if last_step in OUTCOME_UNKNOWN_AFTER.get(script_name, ()):
        reason += f"; the {script_name} may have been published: its outcome on the phone is unknown"
    return reason
