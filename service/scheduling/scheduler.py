"""The scheduler: which pending task each phone runs next, given to the phone's agent through the
log (`dispatched`), at most device_limit phones busy across every agent (docs/agents.md).

It works from the log alone, so any `serve` can run it, one at a time (the store's leadership):
it follows every commit, keeps per phone a queue ordered by due time (none first) then id — or
shuffled with --random-order — and gives a due task to a phone that is online, owned by a live
agent, idle and not paused. It declares agents lost whose heartbeat is older than their lease,
and applies the automatic retry policy to failed tasks.

Account safety: a due task whose accounts may not act now (a rest, a daily limit, outside the
working hours; service/account_gate.py) is held out of its queue, with a `held` event saying why
and until when (service/held_tasks.py), and the next due task is looked at. A held task is looked
at again when its hold ends, or when an event eases its accounts; `released` says it no longer waits.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, tzinfo

import anyio

from projections.queries import PendingTask
from service.account_gate import EVERY_ACCOUNT, AccountGate
from service.clock import Clock
from service.domain.agent import INTERRUPTED_BY_RESTART
from service.domain.errors import DomainError
from service.domain.task import FailTask, TaskStatus
from service.events import TaskCreated, TaskDispatched, TaskRetried, serial_of, task_id_of
from service.handlers.agents import AgentHandlers
from service.handlers.tasks import TaskHandlers
from service.held_tasks import HeldTask, HeldTasks
from service.retry_policy import RetryPolicy
from service.scheduling.fleet import Fleet
from service.scheduling.queues import PhoneQueue
from service.store.interface import EventStore
from service.store.outages import StoreOutage
from service.store.records import RecordedEvent, StoreError

log = logging.getLogger("droidledger.scheduler")

HOLDS_PER_APPEND = 500
WATCH_INTERVAL_S = 2.0  # how often agents' heartbeats are looked at
RETRY_AFTER_STORE_ERROR_S = 1.0


class Scheduler:
    """Gives due tasks to idle phones' agents; follows the log to learn of every change."""

    def __init__(
        self,
        store: EventStore,
        tasks: TaskHandlers,
        agents: AgentHandlers,
        clock: Clock,
        *,
        device_limit: int,
        retry_policy: RetryPolicy,
        random_order: bool = False,
        zone: tzinfo = UTC,
    ) -> None:
        self.store = store
        self.tasks = tasks
        self.agents = agents
        self.clock = clock
        self.device_limit = device_limit
        self.retry_policy = retry_policy
        self.rng = random.Random() if random_order else None
        self.zone = zone
        self.leading = False  # this process schedules now (another may, if it holds the leadership)
        self.alive = False  # the scheduler's loops run (leading or waiting to lead)
        self.dispatching = True  # until the server stops
        self.settled = anyio.Event()  # set once it follows the log, or knows that another server schedules

    # --- life ---------------------------------------------------------------------------

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Lead when this process may (one at a time), schedule while it leads; until cancelled."""
        self.alive = True
        task_status.started()
        try:
            while True:
                async with self.store.leadership(on_waiting=self._standing_by):
                    log.info("scheduling on this server")
                    await self._lead()
                self.leading = False
                log.warning("no longer scheduling (the lead was lost); waiting to lead again")
                await anyio.sleep(1)
        finally:
            self.alive = self.leading = False

    def _standing_by(self) -> None:
        log.info("another server schedules: this one stands by, and takes over if that one stops")
        self.settled.set()

    async def _lead(self) -> None:
        await self.take_over()
        async with anyio.create_task_group() as tg:
            self._tg = tg
            tg.start_soon(self._follow)
            tg.start_soon(self._dispatch_loop)
            tg.start_soon(self._record_holds)
            tg.start_soon(self._watch_agents)
            self.leading = True
            self.settled.set()
            await anyio.sleep_forever()

    async def take_over(self) -> None:
        """Rebuild what the scheduler holds from the views (queues, phones, holds), from the log's
        position now, and recover what a predecessor left; `dispatch` may be called from then on."""
        self._reset()
        self.position = self.store.position
        await self._load()
        await self._recover()

    def _reset(self) -> None:
        self.position = 0
        self.queues: dict[str, PhoneQueue] = {}
        self.queued: dict[int, str] = {}  # task id -> serial, for pending tasks in a queue
        self.due: dict[int, datetime | None] = {}  # pending task -> its due time (kept while dispatched)
        self.fleet = Fleet()
        self.dispatches: dict[str, int] = {}  # serial -> tasks given to it since start (fairness)
        self.gate = AccountGate(self.zone)
        self.held = HeldTasks()
        self._pending = False
        self._sleep_scope: anyio.CancelScope | None = None
        self._tg: anyio.abc.TaskGroup | None = None

    async def _load(self) -> None:
        pending = await self.store.views.pending_tasks()
        await self.gate.load(self.store, pending, self.clock.now())
        dispatched = {t.task_id: t.serial for t in pending if t.dispatched_incarnation}
        self.fleet.load(await self.store.views.devices(), await self.store.views.agents(), dispatched)
        for task in pending:
            self.due[task.task_id] = datetime.fromisoformat(task.start_time) if task.start_time else None
            if task.task_id not in dispatched:
                self._enqueue_at(task.task_id, task.serial, self.due[task.task_id])
        self._reconsider_recorded(pending)

    async def _recover(self) -> None:
        """A task running on a phone no live agent owns was interrupted (a server stopped before
        agents existed, or its agent ended unrecorded); a task given to an agent that is gone
        goes back to its queue."""
        for serial, task_id in list(self.fleet.running.items()):
            if self.fleet.owner(serial) is None:
                try:
                    await self.tasks.execute(task_id, FailTask(reason=INTERRUPTED_BY_RESTART))
                    log.info("task %d was running with no live agent: recorded as %s", task_id, INTERRUPTED_BY_RESTART)
                except DomainError:
                    pass
        for task_id, serial in list(self.fleet.dispatched.items()):
            if self.fleet.owner(serial) is None:
                try:
                    await self.tasks.withdraw(task_id, "its agent was gone when scheduling resumed")
                except DomainError:
                    pass

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
                self._apply(recorded)
                self.position = recorded.position

    def _apply(self, recorded: RecordedEvent) -> None:
        kind = recorded.type
        task_id = task_id_of(recorded.stream_id)
        if task_id is None:
            self.fleet.feed(recorded)
            if kind in ("device-released", "device-agent-lost"):
                self._withdraw_from(
                    serial_of(recorded.stream_id), "its phone's agent let the phone go", recorded.event.incarnation
                )
            elif kind == "device-disconnected" or (
                kind in ("device-connected", "device-state-changed") and recorded.event.state != "device"
            ):
                self._withdraw_from(serial_of(recorded.stream_id), "its phone went offline before it started")
            if not recorded.stream_id.startswith(("device-", "agent-")):
                eased = self.gate.feed(recorded)
                if eased:
                    self._look_again(self.held.of_accounts(eased, EVERY_ACCOUNT), self.clock.now())
            return
        event = recorded.event
        if kind == "created":
            created: TaskCreated = event
            self.gate.track(task_id, created.script_name, created.username, created.app)
            self.due[task_id] = datetime.fromisoformat(created.start_time) if created.start_time else None
            self._enqueue_at(task_id, created.serial, self.due[task_id])
        elif kind == "retried":
            retried: TaskRetried = event
            self.due[task_id] = datetime.fromisoformat(retried.due_at) if retried.due_at else None
            self._tg.start_soon(self._requeue_retried, task_id)
        elif kind == "step-completed":
            self.gate.feed(recorded)
        elif kind == "dispatched":
            dispatched: TaskDispatched = event
            self._dequeue(task_id)
            self.fleet.dispatched[task_id] = dispatched.serial
        elif kind == "dispatch-withdrawn":
            serial = self.fleet.dispatched.pop(task_id, None)
            if serial is not None:
                self._enqueue_at(task_id, serial, self.due.get(task_id))
        elif kind == "started":
            self.fleet.dispatched.pop(task_id, None)
            self.fleet.running[event.serial] = task_id
        elif kind in ("failed", "completed", "deleted"):
            self._dequeue(task_id)
            self.held.discard(task_id)
            self.gate.forget(task_id)
            self.fleet.dispatched.pop(task_id, None)
            for serial, running in list(self.fleet.running.items()):
                if running == task_id:
                    del self.fleet.running[serial]
            if kind == "failed" and self.retry_policy.enabled:
                self._tg.start_soon(self._retry_if_policy_allows, task_id)

    def _withdraw_from(self, serial: str, reason: str, incarnation: str | None = None) -> None:
        """Tasks given to a phone that went away, or that its agent let go, and that never started:
        back to the queue."""
        for task_id, given_to in list(self.fleet.dispatched.items()):
            if given_to == serial:
                self._tg.start_soon(self._withdraw, task_id, reason, incarnation)

    async def _withdraw(self, task_id: int, reason: str, incarnation: str | None) -> None:
        try:
            await self.tasks.withdraw(task_id, reason, incarnation)
        except (DomainError, StoreError) as exc:
            log.info("task %d: dispatch not withdrawn: %s", task_id, exc)

    async def _requeue_retried(self, task_id: int) -> None:
        row = await StoreOutage("the scheduler", log).retry(lambda: self.store.views.task(task_id))
        if row is not None and row.status == TaskStatus.PENDING:
            self.gate.track(task_id, row.script_name, row.username, row.app)
            self._enqueue_at(task_id, row.serial, self.due.get(task_id))
            self._wakeup()

    async def _retry_if_policy_allows(self, task_id: int) -> None:
        """--auto-retry, for a task that just failed (never a stopped one)."""
        try:
            state = await self.tasks.load(task_id)
            retry = self.retry_policy.decide(state, self.clock.now(), random.Random())
            if retry is not None:
                await self.tasks.execute(task_id, retry, state)
        except DomainError:
            pass  # retried or deleted meanwhile
        except StoreError as exc:
            log.warning("task %d was not retried automatically: %s", task_id, exc)

    def _enqueue_at(self, task_id: int, serial: str, due: datetime | None) -> None:
        self._dequeue(task_id)
        self.queued[task_id] = serial
        self.queues.setdefault(serial, PhoneQueue()).add(task_id, due)

    def _dequeue(self, task_id: int) -> None:
        serial = self.queued.pop(task_id, None)
        if serial is not None:
            self.queues[serial].discard(task_id)

    # --- agents ------------------------------------------------------------------------------

    async def _watch_agents(self) -> None:
        """Declare lost the agents whose heartbeat is older than their lease (the database's clock)."""
        while True:
            await anyio.sleep(WATCH_INTERVAL_S)
            try:
                silences = await self.store.side.agent_silences()
                if not silences:
                    continue
                leases = {row.name: row.lease_s for row in await self.store.views.agents()}
                for name, (incarnation, silent_s) in silences.items():
                    if silent_s > leases.get(name, float("inf")):
                        log.warning("agent %s (%s) is lost: no heartbeat for %.0f s", name, incarnation, silent_s)
                        await self.agents.declare_lost(name, incarnation, silent_s)
            except StoreError as exc:
                log.warning("could not look at the agents' heartbeats: %s", exc)

    # --- dispatch ---------------------------------------------------------------------------

    def _wakeup(self) -> None:
        """Something changed: dispatch again now."""
        self._pending = True
        if self._sleep_scope is not None:
            self._sleep_scope.cancel()

    async def _dispatch_loop(self) -> None:
        while True:
            self._pending = False
            next_time = await self.dispatch()
            if self._pending:
                continue
            with anyio.CancelScope() as scope:
                self._sleep_scope = scope
                if next_time is None:
                    await anyio.sleep_forever()
                else:
                    await self.clock.sleep_until(datetime.fromtimestamp(next_time, UTC))
            self._sleep_scope = None

    def stop_dispatching(self) -> None:
        """The server is stopping: no task is given to a phone from now on."""
        self.dispatching = False

    async def dispatch(self) -> float | None:
        """Give due tasks to idle phones' agents; when the next timed task is due, or a hold ends."""
        if not self.dispatching:
            return None
        now = self.clock.now()
        self._look_again(self.held.ended(now), now)
        next_time = self.held.next_end()
        for serial in sorted(self.queues, key=lambda s: (self.dispatches.get(s, 0), s)):
            queue = self.queues[serial]
            owner = self.fleet.can_take(serial)
            if owner is not None and self.fleet.in_use < self.device_limit:
                task_id = self._admitted(serial, queue, now)
                if task_id is not None:
                    await self._give(task_id, serial, owner)
            upcoming = queue.next_time()  # a task due already waits for an event (its phone free, online...)
            if upcoming is not None and upcoming > now.timestamp() and (next_time is None or upcoming < next_time):
                next_time = upcoming
        return next_time

    async def _give(self, task_id: int, serial: str, owner: tuple[str, str]) -> None:
        """Record the dispatch; the phone counts as busy from now (the log's echo confirms it)."""
        self._dequeue(task_id)
        self.fleet.dispatched[task_id] = serial
        try:
            await self.tasks.dispatch(task_id, *owner)
            self.dispatches[serial] = self.dispatches.get(serial, 0) + 1
        except DomainError:
            self.fleet.dispatched.pop(task_id, None)  # stopped, deleted or started meanwhile: the log says what next
        except StoreError as exc:
            log.warning("task %d was not dispatched: %s", task_id, exc)
            self.fleet.dispatched.pop(task_id, None)
            self._enqueue_at(task_id, serial, self.due.get(task_id))
            await anyio.sleep(RETRY_AFTER_STORE_ERROR_S)
            self._wakeup()

    # --- account safety -----------------------------------------------------------------------

    def _admitted(self, serial: str, queue: PhoneQueue, now: datetime) -> int | None:
        """The phone's first due task that its accounts allow now; the due ones before it are held."""
        while (task_id := queue.next_due(now, self.rng)) is not None:
            if not self._held_back(task_id, serial, queue.due[task_id], now):
                self.held.discard(task_id)  # it is dispatched: `dispatched` ends any earlier wait
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
                batch = dict(changes[start : start + HOLDS_PER_APPEND])
                try:
                    await self.tasks.hold_many(batch)
                except Exception:  # noqa: BLE001 - the waits are shown again when the tasks are looked at again
                    log.exception("could not record why %d tasks wait", len(batch))
                    for task_id in batch:
                        self.held.noted.pop(task_id, None)

    # --- /metrics ---------------------------------------------------------------------------

    def metrics_lines(self) -> list[str]:
        """What the scheduler holds, for /metrics (nothing while another server schedules)."""
        if not self.leading:
            return [
                "# HELP droidledger_scheduling 1 while this server schedules.",
                "# TYPE droidledger_scheduling gauge",
                "droidledger_scheduling 0",
            ]
        return [
            "# HELP droidledger_scheduling 1 while this server schedules.",
            "# TYPE droidledger_scheduling gauge",
            "droidledger_scheduling 1",
            "# HELP droidledger_tasks_queued Pending tasks the scheduler holds in phones' queues.",
            "# TYPE droidledger_tasks_queued gauge",
            f"droidledger_tasks_queued {len(self.queued)}",
            "# HELP droidledger_phones_running Phones running or given a task now, across every agent.",
            "# TYPE droidledger_phones_running gauge",
            f"droidledger_phones_running {self.fleet.in_use}",
            "# HELP droidledger_agents_alive Agents whose incarnation is alive.",
            "# TYPE droidledger_agents_alive gauge",
            f"droidledger_agents_alive {len(self.fleet.alive)}",
        ]
