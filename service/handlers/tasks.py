"""Task commands: load the stream, decide, append; a version conflict re-runs the three."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from projections.queries import failed_task_ids
from service.domain.errors import DomainError, TaskNotFound, TransitionRefused
from service.domain.task import (
    Command, CreateTask, DeleteTask, RequestStop, RetryTask, TaskState, decide, evolve, fold,
)
from service.events import task_stream
from service.store.records import ConcurrencyError, RecordedEvent, SideWrite, StreamAppend
from service.store.sqlite_store import SQLiteEventStore

MAX_CONFLICT_RETRIES = 50


class Contention(TransitionRefused):
    """A stream kept changing under us; the client may simply try again."""


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task to create, with the secrets its config named (stored apart from the log)."""

    command: CreateTask
    secrets: dict[str, str] = field(default_factory=dict)


def erase_secrets(task_id: int) -> SideWrite:
    """Delete a task's secrets in the transaction that records its deletion."""
    return SideWrite("DELETE FROM secrets WHERE task_id = ?", (task_id,))


class TaskHandlers:
    """Every command on tasks, as the API, the scheduler and the actors issue them."""

    def __init__(self, store: SQLiteEventStore) -> None:
        self.store = store
        self._last_id: int | None = None

    async def load(self, task_id: int) -> TaskState:
        """Fold the task's stream."""
        recorded = await self.store.read_stream(task_stream(task_id))
        return fold(task_id, [r.event for r in recorded])

    async def execute(self, task_id: int, command: Command, state: TaskState | None = None,
                      side_writes: Callable[[TaskState], Sequence[SideWrite]] | None = None,
                      ) -> tuple[TaskState, list[RecordedEvent]]:
        """Decide on the current state and append; returns the new state and what was recorded.

        `state` is the caller's last known state (an actor's): if it is stale, the conflict
        re-loads the stream and decides again.
        """
        for _ in range(MAX_CONFLICT_RETRIES):
            if state is None:
                state = await self.load(task_id)
            events = decide(state, command)
            if not events:
                return state, []
            extra = side_writes(state) if side_writes else ()
            try:
                recorded = await self.store.append(
                    StreamAppend(task_stream(task_id), state.version, events), side_writes=extra)
            except ConcurrencyError:
                state = None
                continue
            for event in events:
                state = evolve(state, event)
            return state, recorded
        raise Contention(f"task {task_id} kept changing while the command was applied; try again")

    # --- the API's commands --------------------------------------------------------------

    async def create(self, tasks: Sequence[NewTask],
                     side_writes: Callable[[list[int]], Sequence[SideWrite]] | None = None) -> list[int]:
        """Create tasks atomically (all or nothing); ids ascend in the order given."""
        for _ in range(MAX_CONFLICT_RETRIES):
            ids = await self._allocate(len(tasks))
            appends, extra = [], []
            for task_id, task in zip(ids, tasks):
                appends.append(StreamAppend(task_stream(task_id), 0, decide(TaskState(task_id), task.command)))
                extra.extend(SideWrite("INSERT INTO secrets (task_id, name, value) VALUES (?, ?, ?)",
                                       (task_id, name, value)) for name, value in task.secrets.items())
            if side_writes:
                extra.extend(side_writes(ids))
            try:
                await self.store.append(*appends, side_writes=extra)
                return ids
            except ConcurrencyError:
                self._last_id = None  # another process took these ids: read the sequence again
        raise Contention("task ids kept being taken by another writer; try again")

    async def _allocate(self, count: int) -> list[int]:
        if self._last_id is None:
            rows = await self.store.fetchall("SELECT last_id FROM task_sequence")
            last = rows[0][0] if rows else 0
            if self._last_id is None:  # no other create allocated while we read
                self._last_id = last
        first = self._last_id + 1
        self._last_id += count
        return list(range(first, first + count))

    async def stop(self, task_id: int) -> list[RecordedEvent]:
        """Stop a pending task at once, or ask a running one to halt."""
        return (await self.execute(task_id, RequestStop()))[1]

    async def retry(self, task_id: int, *, automatic: bool = False, due_at: str | None = None) -> list[RecordedEvent]:
        """Make a failed task pending again."""
        return (await self.execute(task_id, RetryTask(automatic=automatic, due_at=due_at)))[1]

    async def delete(self, task_id: int) -> list[RecordedEvent]:
        """Remove a task from every view and erase its secrets."""
        return (await self.execute(task_id, DeleteTask(), side_writes=lambda s: (erase_secrets(task_id),)))[1]

    async def delete_many(self, task_ids: Sequence[int]) -> tuple[list[int], list[int]]:
        """Delete each task that exists; returns (deleted ids, ids not found). One transaction."""
        return await self._apply_many(task_ids, DeleteTask(), erase=True)

    async def retry_failed(self) -> list[int]:
        """Retry every failed task (stopped ones included); one transaction."""
        retried, _ = await self._apply_many(await failed_task_ids(self.store), RetryTask(), skip_refused=True)
        return retried

    async def _apply_many(self, task_ids: Sequence[int], command: Command, *, erase: bool = False,
                          skip_refused: bool = False) -> tuple[list[int], list[int]]:
        """One command on many tasks in one atomic append; conflicts re-run the whole batch."""
        unique = list(dict.fromkeys(task_ids))
        for _ in range(MAX_CONFLICT_RETRIES):
            states = await self._load_many(unique)
            appends, extra, done, missing = [], [], [], []
            for task_id in unique:
                try:
                    events = decide(states[task_id], command)
                except TaskNotFound:
                    missing.append(task_id)
                    continue
                except DomainError:
                    if skip_refused:
                        continue
                    raise
                done.append(task_id)
                appends.append(StreamAppend(task_stream(task_id), states[task_id].version, events))
                if erase:
                    extra.append(erase_secrets(task_id))
            if not appends:
                return done, missing
            try:
                await self.store.append(*appends, side_writes=extra)
                return done, missing
            except ConcurrencyError:
                continue
        raise Contention("tasks kept changing while the command was applied; try again")

    async def _load_many(self, task_ids: Sequence[int]) -> dict[int, TaskState]:
        """Fold many streams with one query per chunk (stream ids are task-<id>)."""
        states = {task_id: TaskState(task_id) for task_id in task_ids}
        for start in range(0, len(task_ids), 500):
            chunk = [task_stream(task_id) for task_id in task_ids[start:start + 500]]
            rows = await self.store.fetchall(
                f"SELECT position, stream_id, version, type, data, recorded_at FROM events "
                f"WHERE stream_id IN ({','.join('?' * len(chunk))}) ORDER BY stream_id, version", chunk)
            for row in rows:
                recorded = RecordedEvent(*row)
                task_id = int(recorded.stream_id[5:])
                states[task_id] = evolve(states[task_id], recorded.event)
        return states
