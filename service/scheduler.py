"""The scheduler: which task each phone runs next, and at most device_limit phones at once.

It follows the event log (catch-up from its last position after every commit), keeps per
phone a queue ordered by due time (null first) then id — or shuffled with --random-order —
and hands a due task to an idle, online, unpaused phone's actor. It owns every actor, each
under a supervisor that restarts it (and records why) if it dies.

Account safety: a due task whose accounts may not act now (a rest, a daily limit, outside the
working hours; service/account_gate.py) is held out of its queue, with a `held` event saying
why and until when (service/held_tasks.py), and the next due task is looked at. A held task is
looked at again when its hold ends, or when an event eases its accounts (limits changed, a
rest cleared, the registry changed); `released` says it no longer waits.
"""

from __future__ import annotations

import heapq
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Awaitable, Callable

import anyio

from devices.actor import PhoneActor
from devices.phones import PhoneSession
from devices.task_run import TaskRunner
from projections.queries import PendingTask
from service.account_gate import EVERY_ACCOUNT, AccountGate
from service.clock import Clock
from service.domain.errors import DomainError
from service.domain.task import STOPPED, FailTask, TaskStatus
from service.events import TaskCreated, TaskRetried, task_id_of
from service.handlers.devices import DeviceHandlers
from service.held_tasks import HeldTask, HeldTasks
from service.store.outages import StoreOutage
from service.store.records import RecordedEvent, StoreError
from service.store.interface import EventStore

log = logging.getLogger("droidledger.scheduler")

INTERRUPTED_BY_RESTART = "interrupted by a restart"
INTERRUPTED_BY_SHUTDOWN = "interrupted by shutdown"
HOLDS_PER_APPEND = 500

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
                 recheck: Recheck | None = None, zone: tzinfo = timezone.utc) -> None:
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
        self.paused: set[str] = set()
        self.gate = AccountGate(zone)
        self.held = HeldTasks()
        self._settled_at = 0  # the log's position when a run last ended: its steps count before the next start
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
            tg.start_soon(self._record_holds)
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
        pending = await self.store.views.pending_tasks()
        await self.gate.load(self.store, pending, self.clock.now())
        for task in pending:
            self._enqueue(task.task_id, task.serial, task.start_time)
        self.online = await self.store.views.online_serials()
        self.paused = {row.serial for row in await self.store.views.devices() if row.paused}
        self._reconsider_recorded(pending)

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
                self.gate.track(task_id, event.script_name, event.username)
                self._enqueue(task_id, event.serial, event.start_time)
            elif kind == "retried":
                retried: TaskRetried = recorded.event
                row = await self.store.views.task(task_id)
                if row is not None and row.status == TaskStatus.PENDING:
                    self.gate.track(task_id, row.script_name, row.username)
                    self._enqueue(task_id, row.serial, retried.due_at)
            elif kind == "step-completed":
                self.gate.feed(recorded)
            elif kind in ("failed", "completed", "deleted"):
                self._dequeue(task_id)
                self.held.discard(task_id)
                self.gate.forget(task_id)
            if kind in ("stop-requested", "deleted"):
                self._halt(task_id, STOPPED)
            return
        if recorded.stream_id.startswith("device-"):
            serial = recorded.stream_id[7:]
            if kind == "device-paused":
                self.paused.add(serial)
            elif kind == "device-resumed":
                self.paused.discard(serial)
            elif kind in ("device-connected", "device-state-changed"):
                if recorded.event.state == "device":
                    self.online.add(serial)
                    self._ensure_actor(serial)
                else:
                    self.online.discard(serial)
            elif kind == "device-disconnected":
                self.online.discard(serial)
            return
        eased = self.gate.feed(recorded)
        if eased:
            self._look_again(self.held.of_accounts(eased, EVERY_ACCOUNT), self.clock.now())

    def _enqueue(self, task_id: int, serial: str, due: str | None) -> None:
        self._enqueue_at(task_id, serial, datetime.fromisoformat(due) if due else None)

    def _enqueue_at(self, task_id: int, serial: str, due: datetime | None) -> None:
        self._dequeue(task_id)
        self.queued[task_id] = serial
        self.queues.setdefault(serial, PhoneQueue()).add(task_id, due)

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
        self._settled_at = max(self._settled_at, self.store.position)
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
        """Assign due tasks to idle online phones; returns when the next timed task is due, or a hold ends."""
        if not self._accepting:
            return None
        now = self.clock.now()
        self._look_again(self.held.ended(now), now)
        if self.position < self._settled_at:
            return None  # the last run's steps are not read yet: its accounts' counts would be stale
        next_time = self.held.next_end()
        for serial in sorted(self.online, key=lambda s: self.actors[s].tasks_run if s in self.actors else 0):
            queue = self.queues.get(serial)
            if (queue is None or serial in self.running or serial not in self.actors or serial in self.rechecking
                    or serial in self.paused):
                continue
            if len(self.running) >= self.device_limit:
                break
            task_id = self._admitted(serial, queue, now)
            if task_id is not None:
                self._dequeue(task_id)
                self.running[serial] = task_id
                self.actors[serial].assign(task_id)
            upcoming = queue.next_time()
            if upcoming is not None and (next_time is None or upcoming < next_time):
                next_time = upcoming
        return next_time

    # --- account safety -----------------------------------------------------------------------

    def _admitted(self, serial: str, queue: PhoneQueue, now: datetime) -> int | None:
        """The phone's first due task that its accounts allow now; the due ones before it are held."""
        while (task_id := queue.next_due(now, self.rng)) is not None:
            if not self._held_back(task_id, serial, queue.due[task_id], now):
                self.held.discard(task_id)  # it starts: `started` ends any earlier wait
                return task_id
        return None

    def _held_back(self, task_id: int, serial: str, due: datetime | None, now: datetime) -> bool:
        """Hold the task out of its queue if its accounts may not act now."""
        hold = self.gate.hold_for(task_id, serial, now)
        if hold is None:
            return False
        self._dequeue(task_id)
        self.held.hold(task_id, HeldTask(serial, due, hold, frozenset(self.gate.accounts_of(task_id, serial))))
        return True

    def _look_again(self, released: list[tuple[int, HeldTask]], now: datetime) -> None:
        """Held tasks whose hold ended or whose accounts changed: held anew, or back in their queue."""
        for task_id, held in released:
            if not self._held_back(task_id, held.serial, held.due, now):
                self.held.note(task_id, None)
                self._enqueue_at(task_id, held.serial, held.due)
        if released:
            self._wakeup()

    def _reconsider_recorded(self, pending: list[PendingTask]) -> None:
        """At start: a task the views show waiting is held again, or released if nothing holds it now."""
        now = self.clock.now()
        for task in pending:
            if task.waiting_reason is not None and task.task_id in self.queued:
                self.held.recorded(task.task_id, task.waiting_reason, task.waiting_until)
                serial = self.queued[task.task_id]
                if not self._held_back(task.task_id, serial, self.queues[serial].due[task.task_id], now):
                    self.held.note(task.task_id, None)

    async def _record_holds(self) -> None:
        """Append what the held tasks' notes ask, in batches."""
        while True:
            await self.held.ready.wait()
            changes = list(self.held.take_records().items())
            for start in range(0, len(changes), HOLDS_PER_APPEND):
                batch = dict(changes[start:start + HOLDS_PER_APPEND])
                try:
                    await self.runner.tasks.hold_many(batch)
                except Exception:  # noqa: BLE001 - the waits are shown again when the tasks are looked at again
                    log.exception("could not record why %d tasks wait", len(batch))
                    for task_id in batch:
                        self.held.noted.pop(task_id, None)

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
