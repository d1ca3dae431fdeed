"""Agent commands: an incarnation starts (taking over from a dead one of its name), stops, or is
declared lost; with it go its phones and their tasks, in ONE append (docs/agents.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from service.domain.agent import (
    INTERRUPTED_BY_RESTART,
    AgentState,
    decide_lost,
    decide_start,
    decide_stop,
    lost_reason,
)
from service.domain.agent import (
    fold as fold_agent,
)
from service.domain.device import DeviceState, decide_owner_lost, decide_release
from service.domain.task import FailTask, TaskStatus, WithdrawDispatch, decide
from service.domain.task import fold as fold_task
from service.events import agent_stream, device_stream, task_stream
from service.handlers.runner import Decision, run_command
from service.store.interface import EventStore
from service.store.records import StartHeartbeat, StreamAppend


class AgentHandlers:
    """What the agents and the scheduler record of agents' lives."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def load(self, name: str) -> AgentState:
        """Fold the agent's stream."""
        return fold_agent(name, [r.event for r in await self.store.read_stream(agent_stream(name))])

    async def start(
        self, name: str, incarnation: str, host: str, pid: int, lease_s: float, shard: str = ""
    ) -> list[int]:
        """Record a new incarnation (the caller holds the name's lock); a predecessor the log still
        has alive ended without stopping: its phones are released and its running tasks failed
        "interrupted by a restart". The failed task ids (for the retry policy)."""
        failed: list[int] = []

        async def decide_now(_: int) -> Decision:
            state = await self.load(name)
            appends = [
                StreamAppend(
                    agent_stream(name), state.version, decide_start(state, incarnation, host, pid, lease_s, shard)
                )
            ]
            if state.alive:
                appends += await self._end_of(
                    name,
                    state.incarnation,
                    failed,
                    INTERRUPTED_BY_RESTART,
                    lambda device: decide_release(device, name, state.incarnation, "its agent restarted"),
                )
            return Decision(appends, [StartHeartbeat(name, incarnation)])

        await run_command(self.store, decide_now, f"agent {name}")
        return failed

    async def stop(self, name: str, incarnation: str, reason: str = "stopped") -> None:
        """The incarnation ends cleanly: its phones are released (its runs ended before)."""

        async def decide_now(_: int) -> Decision:
            state = await self.load(name)
            appends = [StreamAppend(agent_stream(name), state.version, decide_stop(state, incarnation, reason))]
            appends += await self._end_of(
                name,
                incarnation,
                [],
                "its agent stopped",
                lambda device: decide_release(device, name, incarnation, "its agent stopped"),
            )
            return Decision(appends)

        await run_command(self.store, decide_now, f"agent {name}")

    async def declare_lost(self, name: str, incarnation: str, silent_s: float) -> list[int]:
        """The incarnation stopped answering: its phones and their tasks are let go, failing the
        running ones "agent <name> lost (no heartbeat for N s)". The failed task ids."""
        failed: list[int] = []

        async def decide_now(_: int) -> Decision | None:
            state = await self.load(name)
            events = decide_lost(state, incarnation, silent_s)
            if not events:
                return None
            reason = f"agent {name} lost (no heartbeat for {silent_s:.0f} s)"
            appends = [StreamAppend(agent_stream(name), state.version, events)]
            appends += await self._end_of(
                name,
                incarnation,
                failed,
                None,
                lambda device: decide_owner_lost(device, name, incarnation, reason),
                silent_s=silent_s,
            )
            return Decision(appends)

        await run_command(self.store, decide_now, f"agent {name}")
        return failed

    async def _end_of(
        self,
        name: str,
        incarnation: str,
        failed: list[int],
        reason: str | None,
        decide_device: Callable[[DeviceState], list],
        silent_s: float = 0.0,
    ) -> list[StreamAppend]:
        """The appends that let an incarnation's phones go: each phone's event, its running task
        failed, its dispatched-not-started tasks back to their queues. `failed` gets the failed ids."""
        failed.clear()
        appends: list[StreamAppend] = []
        phones = [
            row for row in await self.store.views.devices() if (row.agent, row.incarnation) == (name, incarnation)
        ]
        dispatched = [
            task.task_id
            for task in await self.store.views.pending_tasks()
            if (task.dispatched_agent, task.dispatched_incarnation) == (name, incarnation)
        ]
        running = [row.current_task_id for row in phones if row.current_task_id]
        streams = await self.store.read_streams([task_stream(t) for t in [*running, *dispatched]])
        for row in phones:
            version = await self.store.stream_version(device_stream(row.serial))
            device = DeviceState(
                row.serial,
                known=True,
                state=row.state,
                model=row.model,
                paused=bool(row.paused),
                owner=(row.agent, row.incarnation),
                owner_lost=bool(row.agent_lost),
            )
            events = decide_device(device)
            if events:
                appends.append(StreamAppend(device_stream(row.serial), version, events))
        for task_id in running:
            state = fold_task(task_id, [r.event for r in streams[task_stream(task_id)]])
            if state.status != TaskStatus.RUNNING:
                continue
            why = reason or lost_reason(name, silent_s, state.script_name, _last_step(streams[task_stream(task_id)]))
            appends.append(StreamAppend(task_stream(task_id), state.version, decide(state, FailTask(reason=why))))
            failed.append(task_id)
        for task_id in dispatched:
            state = fold_task(task_id, [r.event for r in streams[task_stream(task_id)]])
            events = decide(state, WithdrawDispatch(reason=f"its agent {name} ended before it started"))
            if events:
                appends.append(StreamAppend(task_stream(task_id), state.version, events))
        return appends


def _last_step(recorded: Sequence) -> str | None:
    """The name of the last step the current attempt completed."""
    for r in reversed(recorded):
        if r.type == "step-completed":
            return r.event.name
        if r.type in ("started", "retried"):
            return None
    return None
