"""The actors of the phones an agent incarnation owns, each under a supervisor that restarts it (and
records why) if it dies."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import anyio

from devices.actor import Crewmate, PhoneActor
from devices.phones import PhoneSession
from devices.task_run import TaskRunner
from service.domain.errors import DomainError
from service.domain.task import FailTask
from service.handlers.devices import DeviceHandlers
from service.handlers.tasks import TaskHandlers
from service.store.records import Fence, StoreError

log = logging.getLogger("droidledger.agent")

LET_GO_WAIT_S = 10.0  # for a run on a phone adb no longer lists to record its end

Connector = Callable[[str], Callable[[], Awaitable[PhoneSession]]]


class Crew:
    """One actor per owned phone."""

    def __init__(
        self,
        runner: TaskRunner,
        tasks: TaskHandlers,
        devices: DeviceHandlers,
        connector: Connector,
        agent: str,
        incarnation: str,
        phone_present: Callable[[str], Awaitable[bool]],
        on_phone_lost: Callable[[str], None],
    ) -> None:
        self.runner = runner
        self.tasks = tasks
        self.devices = devices
        self.connector = connector
        self.agent = agent
        self.incarnation = incarnation
        self.mate = Crewmate(phone_present, self.give_back, on_phone_lost)
        self.actors: dict[str, PhoneActor] = {}
        self.retired: dict[str, tuple[float, int]] = {}  # serial -> busy seconds and runs of its ended actors
        self.closed = False
        self._tg: anyio.abc.TaskGroup | None = None

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Host the actors until cancelled."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            task_status.started()
            await anyio.sleep_forever()

    def ensure(self, serial: str) -> None:
        """An actor for a phone just owned."""
        if serial in self.actors or self._tg is None or self.closed:
            return
        actor = PhoneActor(serial, self.runner, self.connector(serial), self.mate, self.agent, self.incarnation)
        self.actors[serial] = actor
        self._tg.start_soon(self._supervise, actor)

    def assign(self, serial: str, task_id: int) -> None:
        """A task dispatched to one of this crew's phones (none is started once the crew is closed)."""
        if self.closed:
            return
        self.ensure(serial)
        self.actors[serial].assign(task_id)

    def halt(self, task_id: int, reason: str) -> None:
        """Halt the run of `task_id`, wherever it runs."""
        for actor in self.actors.values():
            if actor.halt(task_id, reason):
                return

    async def let_go(self, serial: str, reason: str) -> None:
        """The phone is about to be released: its run, if any, ends now and records why (while the
        phone is still this incarnation's), within LET_GO_WAIT_S."""
        actor = self.actors.get(serial)
        if actor is None or actor.control is None:
            return
        actor.control.phone_lost = True
        actor.control.halt(reason)
        with anyio.move_on_after(LET_GO_WAIT_S):
            while actor.control is not None:
                await anyio.sleep(0.05)

    def drop(self, serial: str, reason: str) -> None:
        """The phone is no longer this incarnation's: halt its run, end its actor."""
        actor = self.actors.pop(serial, None)
        if actor is not None:
            busy, runs = self.retired.get(serial, (0.0, 0))
            self.retired[serial] = (busy + actor.busy_seconds, runs + actor.tasks_run)
            if actor.control is not None:
                actor.control.halt(reason)
            actor.close()

    @property
    def running(self) -> dict[str, int]:
        """serial -> the task its actor runs now."""
        return {serial: actor.control.task_id for serial, actor in self.actors.items() if actor.control is not None}

    def finish_steps_then_halt(self, reason: str) -> None:
        """Shutting down: each run stops at its next step boundary."""
        for actor in self.actors.values():
            if actor.control is not None:
                actor.control.finish_step_then_halt(reason)

    def halt_all(self, reason: str) -> None:
        """Each run stops now (its device call in flight finishes or times out)."""
        for actor in self.actors.values():
            if actor.control is not None:
                actor.control.halt(reason)

    def close(self) -> None:
        """No more tasks: each actor ends after its current run."""
        self.closed = True
        for actor in self.actors.values():
            actor.close()

    def metrics_lines(self) -> list[str]:
        """Per phone of this agent: time spent running tasks, and runs, for /metrics."""
        totals = dict(self.retired)
        for serial, actor in self.actors.items():
            busy, runs = totals.get(serial, (0.0, 0))
            totals[serial] = (busy + actor.busy_seconds, runs + actor.tasks_run)
        lines = [
            "# HELP droidledger_phone_busy_seconds_total Time each phone's actor spent running tasks.",
            "# TYPE droidledger_phone_busy_seconds_total counter",
        ]
        lines += [
            f'droidledger_phone_busy_seconds_total{{serial="{s}"}} {busy:.3f}'
            for s, (busy, _) in sorted(totals.items())
        ]
        lines += [
            "# HELP droidledger_phone_tasks_run_total Task runs per phone since the agent started.",
            "# TYPE droidledger_phone_tasks_run_total counter",
        ]
        lines += [
            f'droidledger_phone_tasks_run_total{{serial="{s}"}} {runs}' for s, (_, runs) in sorted(totals.items())
        ]
        return lines

    async def give_back(self, task_id: int, reason: str) -> None:
        """A task dispatched to this incarnation that it will not start: back to its phone's queue."""
        try:
            await self.tasks.withdraw(task_id, reason, self.incarnation)
        except (DomainError, StoreError) as exc:  # withdrawn, stopped or deleted meanwhile; or the scheduler will
            log.info("task %d: dispatch not withdrawn: %s", task_id, exc)

    async def _supervise(self, actor: PhoneActor) -> None:
        """Run the actor; if it dies, record why and start it again."""
        while self.actors.get(actor.serial) is actor:
            try:
                await actor.run()
                return
            except Exception as exc:  # noqa: BLE001 - an actor must never die silently
                log.exception("the actor of %s died; restarting it", actor.serial)
                task_id, actor.crashed_task = actor.crashed_task, None
                with anyio.CancelScope(shield=True):
                    try:
                        await self._record_crash(actor.serial, task_id, exc)
                    except StoreError as store_error:  # the task stays running until its agent's end recovers it
                        log.error("the crash of the actor of %s is not recorded: %s", actor.serial, store_error)
                await anyio.sleep(1)

    async def _record_crash(self, serial: str, task_id: int | None, exc: Exception) -> None:
        fence = Fence(serial, self.agent, self.incarnation)
        await self.devices.actor_restarted(serial, f"{exc.__class__.__name__}: {exc}", fence=fence)
        if task_id is not None:
            try:
                await self.tasks.execute(task_id, FailTask(reason=f"the phone's actor crashed: {exc}"), fence=fence)
            except DomainError:
                pass
