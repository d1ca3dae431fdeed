"""The scheduler: which task each phone runs next, and at most device_limit phones at once.

It follows the event log (catch-up from its last position after every commit), keeps per
phone a queue ordered by due time (null first) then id — or shuffled with --random-order —
and hands a due task to an idle, online phone's actor. It owns every actor, each under a
supervisor that restarts it (and records why) if it dies.
"""

from __future__ import annotations

import heapq
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Awaitable, Callable

import anyio

from devices.actor import PhoneActor
from devices.phones import PhoneSession
from devices.task_run import TaskRunner
from service.clock import Clock
from service.domain.errors import DomainError
from service.domain.task import STOPPED, FailTask, TaskStatus
from service.events import TaskCreated, TaskRetried, task_id_of
from service.handlers.devices import DeviceHandlers
from service.store.outages import StoreOutage
from service.store.records import RecordedEvent, StoreError
from service.store.interface import EventStore

log = logging.getLogger("droidledger.scheduler")

INTERRUPTED_BY_RESTART = "interrupted by a restart"
INTERRUPTED_BY_SHUTDOWN = "interrupted by shutdown"

Connector = Callable[[str], Callable[[], Awaitable[PhoneSession]]]
Recheck = Callable[[], Awaitable[dict[str, tuple[str, str]]]]  # a fresh look at adb: serial -> (state, model)


def _due_key(due: datetime | None, task_id: int) -> tuple:
    return (0, 0.0, task_id) if due is None else (1, due.timestamp(), task_id)


@dataclass
class PhoneQueue:
    """One phone's pending tasks: a heap of (due key) with lazy removal."""

    heap: list[tuple] = field(default_factory=list)
    due: dict[int, datetime | None] = field(default_factory=dict)

    def add(self, task_id: int, due: datetime | None) -> None:
        self.due[task_id] = due
        heapq.heappush(self.heap, _due_key(due, task_id))

    def discard(self, task_id: int) -> None:
        self.due.pop(task_id, None)

    def _top(self) -> tuple | None:
        while self.heap:
            key = self.heap[0]
            task_id = key[2]
            if task_id in self.due and _due_key(self.due[task_id], task_id) == key:
                return key
            heapq.heappop(self.heap)
        return None

    def next_due(self, now: datetime, rng: random.Random | None) -> int | None:
        """The task to run now (null due first, then earliest due, then lowest id), or None."""
        if rng is not None:
            ready = [t for t, due in self.due.items() if due is None or due <= now]
            return rng.choice(ready) if ready else None
        key = self._top()
        if key is None or (key[0] == 1 and key[1] > now.timestamp()):
            return None
        return key[2]

    def next_time(self) -> float | None:
        """When the earliest future task becomes due (epoch seconds), None if none is timed."""
        key = self._top()
        return key[1] if key is not None and key[0] == 1 else None


class Scheduler:
    """Assigns due tasks to idle online phones; follows the log to learn of every change."""

    def __init__(self, store: EventStore, runner: TaskRunner, devices: DeviceHandlers, clock: Clock,
                 connector: Connector, *, device_limit: int, random_order: bool = False,
                 recheck: Recheck | None = None) -> None:
        self.store = store
        self.runner = runner
        self.devices = devices
        self.clock = clock
        self.connector = connector
        self.device_limit = device_limit
        self.rng = random.Random() if random_order else None
        self.alive = False
        self.position = 0
        self.queues: dict[str, PhoneQueue] = {}
        self.queued: dict[int, str] = {}  # task id -> serial, for pending tasks
        self.online: set[str] = set()
        self.actors: dict[str, PhoneActor] = {}
        self.running: dict[str, int] = {}  # serial -> task id
        self.recheck = recheck
        self.rechecking: set[str] = set()  # phones lost by their last run, until adb has been asked again
        self._accepting = True
        self._pending = False
        self._sleep_scope: anyio.CancelScope | None = None
        self._tg: anyio.abc.TaskGroup | None = None

    # --- life ---------------------------------------------------------------------------

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Recover, load the queues, then follow the log and dispatch until cancelled."""
        self.position = self.store.position
        await self.recover()
        await self._load()
        async with anyio.create_task_group() as tg:
            self._tg = tg
            for serial in sorted(self.online):
                self._ensure_actor(serial)
            tg.start_soon(self._follow)
            tg.start_soon(self._dispatch_loop)
            self.alive = True
            task_status.started()
            try:
                await anyio.sleep_forever()
            finally:
                self.alive = False

    async def recover(self) -> None:
        """Every task the log says is running was interrupted by a restart: record it."""
        for task_id in await self.store.views.running_task_ids():
            try:
                await self.runner.tasks.execute(task_id, FailTask(reason=INTERRUPTED_BY_RESTART))
            except DomainError:
                continue
            await self.runner.retry_if_policy_allows(task_id)
            log.info("task %d was running when the server stopped: recorded as %s", task_id, INTERRUPTED_BY_RESTART)

    async def _load(self) -> None:
        for pending in await self.store.views.pending_tasks():
            self._enqueue(pending.task_id, pending.serial, pending.start_time)
        self.online = await self.store.views.online_serials()

    async def shutdown(self, grace_s: float) -> None:
        """Stop dispatching; let running steps finish for up to grace_s, then interrupt the rest."""
        self._accepting = False
        for actor in self.actors.values():
            if actor.control is not None:
                actor.control.finish_step_then_halt(INTERRUPTED_BY_SHUTDOWN)
        with anyio.move_on_after(grace_s):
            while self.running:
                await anyio.sleep(0.05)
        for actor in self.actors.values():
            if actor.control is not None:
                actor.control.halt(INTERRUPTED_BY_SHUTDOWN)
        with anyio.move_on_after(30):
            while self.running:
                await anyio.sleep(0.05)
        for actor in self.actors.values():
            actor.close()

    # --- following the log ----------------------------------------------------------------

    async def _follow(self) -> None:
        outage = StoreOutage("the scheduler", log)
        while True:
            await self.store.wait_for_commit(self.position)
            await outage.retry(self._catch_up)
            self._wakeup()

    async def _catch_up(self) -> None:
        """Apply every event after the scheduler's position (where it stopped, after a failure)."""
        while True:
            batch = await self.store.read_all(self.position, 1000)
            if not batch:
                return
            for recorded in batch:
                await self._apply(recorded)
                self.position = recorded.position

    async def _apply(self, recorded: RecordedEvent) -> None:
        kind = recorded.type
        task_id = task_id_of(recorded.stream_id)
        if task_id is not None:
            if kind == "created":
                event: TaskCreated = recorded.event
                self._enqueue(task_id, event.serial, event.start_time)
            elif kind == "retried":
                retried: TaskRetried = recorded.event
                row = await self.store.views.task(task_id)
                if row is not None and row.status == TaskStatus.PENDING:
                    self._enqueue(task_id, row.serial, retried.due_at)
            elif kind in ("failed", "completed", "deleted"):
                self._dequeue(task_id)
            if kind in ("stop-requested", "deleted"):
                self._halt(task_id, STOPPED)
            return
        if recorded.stream_id.startswith("device-"):
            serial = recorded.stream_id[7:]
            if kind in ("device-connected", "device-state-changed"):
                if recorded.event.state == "device":
                    self.online.add(serial)
                    self._ensure_actor(serial)
                else:
                    self.online.discard(serial)
            elif kind == "device-disconnected":
                self.online.discard(serial)

    def _enqueue(self, task_id: int, serial: str, due: str | None) -> None:
        self._dequeue(task_id)
        self.queued[task_id] = serial
        self.queues.setdefault(serial, PhoneQueue()).add(task_id, datetime.fromisoformat(due) if due else None)

    def _dequeue(self, task_id: int) -> None:
        serial = self.queued.pop(task_id, None)
        if serial is not None:
            self.queues[serial].discard(task_id)

    def _halt(self, task_id: int, reason: str) -> None:
        for actor in self.actors.values():
            if actor.halt(task_id, reason):
                return

    # --- actors -----------------------------------------------------------------------------

    def _ensure_actor(self, serial: str) -> None:
        if serial in self.actors or self._tg is None:
            return
        actor = PhoneActor(serial, self.runner, self.connector(serial), self._done)
        self.actors[serial] = actor
        self._tg.start_soon(self._supervise, actor)

    async def _supervise(self, actor: PhoneActor) -> None:
        """Run the actor; if it dies, record why and start it again."""
        while True:
            try:
                await actor.run()
                return
            except Exception as exc:  # noqa: BLE001 - an actor must never die silently
                log.exception("the actor of %s died; restarting it", actor.serial)
                # The actor has already reported the run done (so the phone is free): fail its task here.
                task_id, actor.crashed_task = actor.crashed_task, None
                with anyio.CancelScope(shield=True):
                    try:
                        await self._record_crash(actor.serial, task_id, exc)
                    except StoreError as store_error:  # the task stays running until a restart recovers it
                        log.error("the crash of the actor of %s is not recorded: %s", actor.serial, store_error)
                await anyio.sleep(1)

    async def _record_crash(self, serial: str, task_id: int | None, exc: Exception) -> None:
        await self.devices.actor_restarted(serial, f"{exc.__class__.__name__}: {exc}")
        if task_id is not None:
            try:
                await self.runner.tasks.execute(task_id, FailTask(reason=f"the phone's actor crashed: {exc}"))
            except DomainError:
                return
            await self.runner.retry_if_policy_allows(task_id)

    def _done(self, serial: str, task_id: int, phone_lost: bool = False) -> None:
        if self.running.get(serial) == task_id:
            del self.running[serial]
        if phone_lost and self.recheck is not None and self._tg is not None:
            # Discovery polls once a second: until adb is asked again, the phone's next task would run
            # on a phone that is gone and fail too, instead of waiting for it to come back.
            self.rechecking.add(serial)
            self._tg.start_soon(self._recheck, serial)
        self._wakeup()

    async def _recheck(self, serial: str) -> None:
        try:
            listing = await self.recheck()  # type: ignore[misc]
            if listing.get(serial, ("", ""))[0] != "device":
                self.online.discard(serial)  # its device event follows through the log
        except StoreError as exc:  # the next poll of discovery records it
            log.warning("could not record what adb says of %s: %s", serial, exc)
        finally:
            self.rechecking.discard(serial)
            self._wakeup()

    # --- dispatch ---------------------------------------------------------------------------

    def _wakeup(self) -> None:
        """Something changed: dispatch again now."""
        self._pending = True
        if self._sleep_scope is not None:
            self._sleep_scope.cancel()

    async def _dispatch_loop(self) -> None:
        while True:
            self._pending = False
            next_time = self.dispatch()
            if self._pending:
                continue
            with anyio.CancelScope() as scope:
                self._sleep_scope = scope
                if next_time is None:
                    await anyio.sleep_forever()
                else:
                    await self.clock.sleep_until(datetime.fromtimestamp(next_time, timezone.utc))
            self._sleep_scope = None

    def dispatch(self) -> float | None:
        """Assign due tasks to idle online phones; returns when the next timed task is due."""
        if not self._accepting:
            return None
        now = self.clock.now()
        next_time: float | None = None
        for serial in sorted(self.online, key=lambda s: self.actors[s].tasks_run if s in self.actors else 0):
            queue = self.queues.get(serial)
            if queue is None or serial in self.running or serial not in self.actors or serial in self.rechecking:
                continue
            if len(self.running) >= self.device_limit:
                break
            task_id = queue.next_due(now, self.rng)
            if task_id is not None:
                self._dequeue(task_id)
                self.running[serial] = task_id
                self.actors[serial].assign(task_id)
            upcoming = queue.next_time()
            if upcoming is not None and (next_time is None or upcoming < next_time):
                next_time = upcoming
        return next_time

    def metrics_lines(self) -> list[str]:
        """Per-phone busy time and tasks run, queue and running counts, for /metrics."""
        lines = ["# HELP droidledger_phone_busy_seconds_total Time each phone's actor spent running tasks.",
                 "# TYPE droidledger_phone_busy_seconds_total counter"]
        lines += [f'droidledger_phone_busy_seconds_total{{serial="{s}"}} {a.busy_seconds:.3f}'
                  for s, a in sorted(self.actors.items())]
        lines += ["# HELP droidledger_phone_tasks_run_total Task runs per phone since start.",
                  "# TYPE droidledger_phone_tasks_run_total counter"]
        lines += [f'droidledger_phone_tasks_run_total{{serial="{s}"}} {a.tasks_run}' for s, a in sorted(self.actors.items())]
        lines += ["# HELP droidledger_tasks_queued Pending tasks the scheduler holds.", "# TYPE droidledger_tasks_queued gauge",
                  f"droidledger_tasks_queued {len(self.queued)}",
                  "# HELP droidledger_phones_running Phones running a task now.", "# TYPE droidledger_phones_running gauge",
                  f"droidledger_phones_running {len(self.running)}"]
        return lines
