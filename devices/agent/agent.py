"""An agent's life: its name held for as long as the process lives, one incarnation after another
(a new one if it finds itself declared lost), a heartbeat, the phones it claims, the dispatches it
follows in the log, and the actors that run them (docs/agents.md)."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass

import anyio

from devices.agent.claims import Claims
from devices.agent.crew import Crew
from devices.agent.shard import EVERY_PHONE, Shard
from devices.phones import PhoneConnector
from devices.task_run import TaskRunner
from service.domain.task import STOPPED
from service.events import agent_stream, serial_of, task_id_of
from service.handlers.agents import AgentHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.tasks import TaskHandlers
from service.store.interface import EventStore
from service.store.outages import StoreOutage
from service.store.records import DatabaseInUse, RecordedEvent, StoreError

log = logging.getLogger("droidledger.agent")

DEFAULT_LEASE_S = 20.0
HALT_WAIT_S = 10.0  # for interrupted runs to record their end
INTERRUPTED_BY_SHUTDOWN = "interrupted by shutdown"
TAKEN = "its phone was taken over by another agent"


def default_name() -> str:
    """The host name and the process id."""
    return f"{socket.gethostname()}-{os.getpid()}"


class Replaced(Exception):
    """The log says this incarnation is no longer alive (it was declared lost while paused)."""


@dataclass
class AgentConfig:
    """What an agent is told."""

    name: str
    adb_host: str
    adb_port: int
    fallback_name: str | None = None  # taken if a live process holds `name`
    shard: Shard = EVERY_PHONE
    lease_s: float = DEFAULT_LEASE_S
    discovery_interval_s: float = 1.0


class Agent:
    """One agent process (or the agent inside `serve`)."""

    def __init__(self, store: EventStore, runner: TaskRunner, connector: PhoneConnector, config: AgentConfig) -> None:
        self.store = store
        self.runner = runner
        self.connector = connector
        self.config = config
        self.tasks = TaskHandlers(store)
        self.devices = DeviceHandlers(store)
        self.agents = AgentHandlers(store)
        self.incarnation: str | None = None
        self.crew: Crew | None = None
        self.claims: Claims | None = None
        self.alive = False
        self._stopping = False
        self._replaced = False

    @property
    def name(self) -> str:
        """The agent's name."""
        return self.config.name

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Hold the name, then live incarnation after incarnation until cancelled; ready once the
        first incarnation has looked at its adb server."""
        async with AsyncExitStack() as held:
            await self._hold_name(held)
            while True:
                try:
                    await self._live(task_status)
                except Replaced:
                    log.warning(
                        "agent %s (%s) was declared lost while it lived: starting over as a new incarnation",
                        self.name,
                        self.incarnation,
                    )
                    task_status = anyio.TASK_STATUS_IGNORED
                    continue

    async def _hold_name(self, held: AsyncExitStack) -> None:
        """Hold the agent's name, or its fallback name when a live process holds the first."""
        config = self.config
        try:
            await held.enter_async_context(
                self.store.name_lock(config.name, f"start another agent named {config.name!r}")
            )
            return
        except DatabaseInUse:
            if config.fallback_name is None:
                raise
        log.info("agent name %s is in use by a live process: this agent is %s", config.name, config.fallback_name)
        config.name, config.fallback_name = config.fallback_name, None
        await held.enter_async_context(self.store.name_lock(config.name, f"start another agent named {config.name!r}"))

    async def _live(self, task_status: anyio.abc.TaskStatus) -> None:
        config = self.config
        incarnation = self.incarnation = uuid.uuid4().hex[:12]
        await StoreOutage(f"agent {self.name}", log).retry(
            lambda: self.agents.start(
                self.name, incarnation, socket.gethostname(), os.getpid(), config.lease_s, str(config.shard)
            )
        )
        log.info(
            "agent %s started (incarnation %s, shard %s, lease %g s)",
            self.name,
            incarnation,
            str(config.shard) or "all",
            config.lease_s,
        )
        position = self.store.position
        crew = self.crew = Crew(
            self.runner,
            self.tasks,
            self.devices,
            self.connector.for_phone,
            self.name,
            incarnation,
            phone_present=self._phone_present,
            on_phone_lost=self._recheck_soon,
        )
        claims = self.claims = Claims(
            self.store,
            self.devices,
            config.adb_host,
            config.adb_port,
            config.shard,
            self.name,
            incarnation,
            on_owned=crew.ensure,
            on_lost=crew.drop,
            let_go=crew.let_go,
            interval_s=config.discovery_interval_s,
        )
        self._replaced = False
        async with anyio.create_task_group() as tg:
            self._tg = tg
            await tg.start(crew.run)
            tg.start_soon(self._beat, incarnation)
            await tg.start(claims.run)
            tg.start_soon(self._follow, incarnation, position)
            self.alive = True
            task_status.started()
            try:
                await anyio.sleep_forever()
            finally:
                self.alive = False
        if self._replaced:  # raised outside the task group, which would wrap it in an ExceptionGroup
            raise Replaced()

    def _end_incarnation(self) -> None:
        """The log says this incarnation was declared lost: every part of it stops, runs unrecorded
        (the store would refuse their writes anyway), and `run` starts a new one."""
        self._replaced = True
        self._tg.cancel_scope.cancel()

    # --- the heartbeat ------------------------------------------------------------------------

    async def _beat(self, incarnation: str) -> None:
        interval = self.config.lease_s / 4
        while True:
            await anyio.sleep(interval)
            try:
                if not await self.store.beat(self.name, incarnation) and not self._stopping:
                    self._end_incarnation()
                    return
            except StoreError as exc:
                log.warning("agent %s: heartbeat not written (%s); trying again", self.name, exc)

    # --- following the log --------------------------------------------------------------------

    async def _follow(self, incarnation: str, position: int) -> None:
        """Dispatches to this incarnation, stops and deletes of its runs, phones taken from it."""
        outage = StoreOutage(f"agent {self.name}", log)
        while True:
            await self.store.wait_for_commit(position)
            batch = await outage.retry(lambda: self.store.read_all(position, 1000))  # noqa: B023 - awaited here
            for recorded in batch:
                self._apply(recorded, incarnation)
                if self._replaced:
                    return
                position = recorded.position

    def _apply(self, recorded: RecordedEvent, incarnation: str) -> None:
        kind, crew = recorded.type, self.crew
        if kind == "dispatched" and recorded.event.incarnation == incarnation:
            serial = recorded.event.serial
            if serial in self.claims.owned:
                crew.assign(serial, task_id_of(recorded.stream_id))
            else:  # the phone left this incarnation meanwhile: back to its queue
                self._tg.start_soon(
                    crew.give_back, task_id_of(recorded.stream_id), "its phone was gone when the dispatch arrived"
                )
        elif kind in ("stop-requested", "deleted"):
            crew.halt(task_id_of(recorded.stream_id), STOPPED)
        elif kind in ("device-agent-lost", "device-released") and recorded.event.incarnation == incarnation:
            self._lose(serial_of(recorded.stream_id))
        elif (
            kind == "device-claimed"
            and recorded.event.incarnation != incarnation
            and serial_of(recorded.stream_id) in self.claims.owned
        ):
            self._lose(serial_of(recorded.stream_id))
        elif (
            kind == "agent-lost"
            and recorded.stream_id == agent_stream(self.name)
            and recorded.event.incarnation == incarnation
            and not self._stopping
        ):
            self._end_incarnation()

    def _lose(self, serial: str) -> None:
        """The log says the phone is no longer this incarnation's: its run halts, unrecorded."""
        self.claims.forget(serial)
        self.crew.drop(serial, TAKEN)

    async def _phone_present(self, serial: str) -> bool:
        """adb, asked now, lists the phone as ready and it is still this incarnation's."""
        try:
            await self.claims.scan()
        except StoreError as exc:
            log.warning("could not record what adb says: %s", exc)
            return False
        return self.claims.owned.get(serial) == "device"

    def _recheck_soon(self, serial: str) -> None:
        """A run lost its phone: ask adb now rather than at the next poll."""
        if self.claims is not None:
            self._tg.start_soon(self._recheck)

    async def _recheck(self) -> None:
        try:
            await self.claims.scan()
        except StoreError as exc:  # the next poll records it
            log.warning("could not record what adb says: %s", exc)

    # --- shutdown -----------------------------------------------------------------------------

    async def shutdown(self, grace_s: float) -> None:
        """Let running steps finish for up to grace_s, interrupt the rest, then end the incarnation
        (its phones released)."""
        self._stopping = True
        crew = self.crew
        if crew is None:
            return
        crew.close()  # no task starts from now on
        if crew.running:
            log.info(
                "agent %s stopping: %d running tasks finish their step (up to %g s)",
                self.name,
                len(crew.running),
                grace_s,
            )
        crew.finish_steps_then_halt(INTERRUPTED_BY_SHUTDOWN)
        with anyio.move_on_after(grace_s):
            while crew.running:
                await anyio.sleep(0.05)
        if crew.running:
            log.info("agent %s stopping: interrupting %d tasks", self.name, len(crew.running))
        crew.halt_all(INTERRUPTED_BY_SHUTDOWN)
        with anyio.move_on_after(HALT_WAIT_S):
            while crew.running:
                await anyio.sleep(0.05)
        if crew.running:
            log.warning(
                "agent %s stopping: %d tasks did not end (%s); the next start records them interrupted",
                self.name,
                len(crew.running),
                ", ".join(map(str, crew.running.values())),
            )
        try:
            await self.agents.stop(self.name, self.incarnation)
        except Exception as exc:  # noqa: BLE001 - a successor of the same name recovers what is left
            log.warning("agent %s did not record its stop: %s", self.name, exc)
        await self.connector.close()
