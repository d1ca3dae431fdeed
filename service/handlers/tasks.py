"""Task commands, as the API, the scheduler and the actors issue them: each one load → decide →
append through `run_command` (a version conflict re-runs the three)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from projections.queries import TaskFilter
from service.domain.admission import Hold
from service.domain.errors import DomainError, TaskNotFound
from service.domain.task import (
    Command,
    CreateTask,
    DeleteTask,
    DispatchTask,
    HoldTask,
    ReleaseTask,
    RequestStop,
    RetryTask,
    TaskState,
    TaskStatus,
    WithdrawDispatch,
    decide,
    evolve,
    fold,
)
from service.events import task_id_of, task_stream
from service.handlers.runner import Decision, run_command
from service.store.interface import EventStore
from service.store.records import EraseSecrets, Fence, RecordedEvent, SaveSecrets, SideWrite, StreamAppend


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task to create, with the secrets its config named (stored apart from the log)."""

    command: CreateTask
    secrets: dict[str, str] = field(default_factory=dict)


class TaskHandlers:
    """Every command on tasks."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._last_id: int | None = None  # the last id this process allocated

    async def load(self, task_id: int) -> TaskState:
        """Fold the task's stream."""
        recorded = await self.store.read_stream(task_stream(task_id))
        return fold(task_id, [r.event for r in recorded])

    async def execute(
        self,
        task_id: int,
        command: Command,
        state: TaskState | None = None,
        side_writes: Sequence[SideWrite] = (),
        fence: Fence | None = None,
    ) -> tuple[TaskState, list[RecordedEvent]]:
        """Decide on the current state and append; the new state and what was recorded.

        `state` is the caller's last known state (an actor's): if it is stale, the conflict
        re-loads the stream and decides again. `fence`: an agent's append for its phone.
        """
        current: list[TaskState] = []

        async def decide_now(attempt: int) -> Decision:
            known = state if attempt == 0 and state is not None else await self.load(task_id)
            current[:] = [known]
            events = decide(known, command)
            return Decision(
                [StreamAppend(task_stream(task_id), known.version, events)] if events else [], side_writes, fence
            )

        recorded = await run_command(self.store, decide_now, f"task {task_id}")
        after = current[0]
        for r in recorded:
            after = evolve(after, r.event)
        return after, recorded

    # --- the API's commands --------------------------------------------------------------

    async def create(self, tasks: Sequence[NewTask], side_writes=None) -> list[int]:
        """Create tasks atomically (all or nothing); ids ascend in the order given.

        `side_writes(ids)`, if given, adds writes that need the ids (an Idempotency-Key's answer).
        """
        ids: list[int] = []

        async def decide_now(attempt: int) -> Decision:
            if attempt:
                self._last_id = None  # another process took these ids: read the sequence again
            ids[:] = await self._allocate(len(tasks))
            appends, extra = [], []
            for task_id, task in zip(ids, tasks, strict=False):
                appends.append(StreamAppend(task_stream(task_id), 0, decide(TaskState(task_id), task.command)))
                if task.secrets:
                    extra.append(SaveSecrets(task_id, task.secrets))
            if side_writes:
                extra.extend(side_writes(list(ids)))
            return Decision(appends, extra)

        await run_command(self.store, decide_now, "the task ids")
        return list(ids)

    async def _allocate(self, count: int) -> list[int]:
        if self._last_id is None:
            last = await self.store.views.last_task_id()
            if self._last_id is None:  # no other create allocated while we read
                self._last_id = last
        first = self._last_id + 1
        self._last_id += count
        return list(range(first, first + count))

    async def dispatch(self, task_id: int, agent: str, incarnation: str) -> list[RecordedEvent]:
        """Give the pending task to the agent incarnation that owns its phone."""
        return (await self.execute(task_id, DispatchTask(agent=agent, incarnation=incarnation)))[1]

    async def withdraw(self, task_id: int, reason: str, incarnation: str | None = None) -> list[RecordedEvent]:
        """A dispatched task that did not start goes back to its queue (if it was given to `incarnation`)."""
        return (await self.execute(task_id, WithdrawDispatch(reason=reason, incarnation=incarnation)))[1]

    async def stop(self, task_id: int) -> list[RecordedEvent]:
        """Stop a pending task at once, or ask a running one to halt."""
        return (await self.execute(task_id, RequestStop()))[1]

    async def retry(self, task_id: int, *, automatic: bool = False, due_at: str | None = None) -> list[RecordedEvent]:
        """Make a failed task pending again."""
        return (await self.execute(task_id, RetryTask(automatic=automatic, due_at=due_at)))[1]

    async def delete(self, task_id: int) -> list[RecordedEvent]:
        """Remove a task from every view and erase its secrets."""
        return (await self.execute(task_id, DeleteTask(), side_writes=(EraseSecrets(task_id),)))[1]

    async def delete_many(self, task_ids: Sequence[int]) -> tuple[list[int], list[int]]:
        """Delete each task that exists; (deleted ids, ids not found). One transaction."""
        return await self._apply_many(dict.fromkeys(task_ids, DeleteTask()), erase=True)

    async def stop_many(self, task_ids: Sequence[int]) -> tuple[list[int], list[int]]:
        """Stop each pending or running task; (ids stopped or asked to halt, ids not found). One transaction;
        a finished task, or one already asked to stop, is skipped."""
        return await self._apply_many(dict.fromkeys(task_ids, RequestStop()), skip_refused=True)

    async def retry_many(self, task_ids: Sequence[int]) -> tuple[list[int], list[int]]:
        """Retry each failed task; (ids retried, ids not found). One transaction; a task that has not failed is
        skipped."""
        return await self._apply_many(dict.fromkeys(task_ids, RetryTask()), skip_refused=True)

    async def retry_failed(self) -> list[int]:
        """Retry every failed task (stopped ones included); one transaction."""
        return await self.retry_matching(TaskFilter(status=int(TaskStatus.FAILED)))

    async def retry_matching(self, where: TaskFilter) -> list[int]:
        """Retry every failed task that matches; the ids retried. One transaction."""
        ids = await self.store.views.task_ids(where)
        retried, _ = await self._apply_many(dict.fromkeys(ids, RetryTask()), skip_refused=True)
        return retried

    async def hold_many(self, holds: Mapping[int, Hold | None]) -> list[int]:
        """Record why pending tasks wait for their accounts (None: they no longer do); one transaction.
        Tasks that started, ended or went meanwhile are skipped; the ids whose hold changed."""
        commands = {
            task_id: ReleaseTask()
            if hold is None
            else HoldTask(
                kind=hold.kind, account=hold.account, reason=hold.reason, until=hold.until.isoformat(timespec="seconds")
            )
            for task_id, hold in holds.items()
        }
        done, _ = await self._apply_many(commands, skip_refused=True)
        return done

    async def _apply_many(
        self, commands: Mapping[int, Command], *, erase: bool = False, skip_refused: bool = False
    ) -> tuple[list[int], list[int]]:
        """A command for each of many tasks, in one atomic append; a conflict re-runs the whole batch."""
        unique = list(commands)
        done: list[int] = []
        missing: list[int] = []

        async def decide_now(attempt: int) -> Decision:
            states = await self._load_many(unique)
            done.clear()
            missing.clear()
            appends, extra = [], []
            for task_id in unique:
                try:
                    events = decide(states[task_id], commands[task_id])
                except TaskNotFound:
                    missing.append(task_id)
                    continue
                except DomainError:
                    if skip_refused:
                        continue
                    raise
                if not events:
                    continue
                done.append(task_id)
                appends.append(StreamAppend(task_stream(task_id), states[task_id].version, events))
                if erase:
                    extra.append(EraseSecrets(task_id))
            return Decision(appends, extra)

        await run_command(self.store, decide_now, "tasks")
        return list(done), list(missing)

    async def _load_many(self, task_ids: Sequence[int]) -> dict[int, TaskState]:
        """Fold many streams at once."""
        streams = await self.store.read_streams([task_stream(task_id) for task_id in task_ids])
        return {
            task_id_of(stream_id): fold(task_id_of(stream_id), [r.event for r in recorded])
            for stream_id, recorded in streams.items()
        }
