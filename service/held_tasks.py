"""The pending tasks the scheduler holds for their accounts: out of their phone's queue until
their hold ends (its `until`) or their accounts' standing changes, and what to record of it
(a task's `held` event says why it waits; `released`, that it no longer does).

Notes are what this scheduler last asked to record per task, so that looking at a task again
for the same reason records nothing; the domain refuses to hold a task that started meanwhile.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime

import anyio

from service.domain.admission import Hold


@dataclass(frozen=True, slots=True)
class HeldTask:
    """A task out of its queue: where it goes back, and why it waits."""

    serial: str
    due: datetime | None
    hold: Hold
    accounts: frozenset[str]


class HeldTasks:
    """Held tasks by id, the order their holds end in, and what is left to record."""

    def __init__(self) -> None:
        self.by_id: dict[int, HeldTask] = {}
        self._ends: list[tuple[float, int]] = []  # (until, task id), lazily cleaned
        self.noted: dict[int, tuple[str, str] | None] = {}
        self.to_record: dict[int, Hold | None] = {}
        self.ready = anyio.Event()

    def hold(self, task_id: int, held: HeldTask) -> None:
        """Take the task out of its queue until its hold ends."""
        self.by_id[task_id] = held
        heapq.heappush(self._ends, (held.hold.until.timestamp(), task_id))
        self.note(task_id, held.hold)

    def note(self, task_id: int, hold: Hold | None) -> None:
        """Record that the task waits for this (None: no longer), unless that is what was asked last."""
        key = (hold.reason, hold.until.isoformat(timespec="seconds")) if hold else None
        if task_id in self.noted and self.noted[task_id] == key:
            return
        self.noted[task_id] = key
        self.to_record[task_id] = hold
        self.ready.set()

    def recorded(self, task_id: int, reason: str | None, until: str | None) -> None:
        """What the views show of a task that was held before this scheduler started."""
        self.noted[task_id] = (reason, until) if reason is not None else None

    def discard(self, task_id: int) -> HeldTask | None:
        """The task starts, ends or goes: nothing more to hold or record for it."""
        self.noted.pop(task_id, None)
        self.to_record.pop(task_id, None)
        return self.by_id.pop(task_id, None)

    def release(self, task_id: int) -> HeldTask | None:
        """Out of the held ones, to be looked at again (its notes stay)."""
        return self.by_id.pop(task_id, None)

    def ended(self, now: datetime) -> list[tuple[int, HeldTask]]:
        """Released: the tasks whose hold ended by `now`."""
        found = []
        while self._ends and self._ends[0][0] <= now.timestamp():
            _, task_id = heapq.heappop(self._ends)
            held = self.by_id.get(task_id)
            if held is not None and held.hold.until <= now:
                found.append((task_id, self.by_id.pop(task_id)))
        return found

    def of_accounts(self, keys: set[str], every: str) -> list[tuple[int, HeldTask]]:
        """Released: the tasks held for one of these accounts (all of them if `every` is among them)."""
        found = [(task_id, held) for task_id, held in self.by_id.items() if every in keys or held.accounts & keys]
        for task_id, _ in found:
            del self.by_id[task_id]
        return found

    def next_end(self) -> float | None:
        """When the earliest hold ends (unix time), None if none is held."""
        while self._ends:
            until, task_id = self._ends[0]
            held = self.by_id.get(task_id)
            if held is not None and held.hold.until.timestamp() == until:
                return until
            heapq.heappop(self._ends)
        return None

    def take_records(self) -> dict[int, Hold | None]:
        """What to record now (and nothing more until new notes)."""
        taken, self.to_record = self.to_record, {}
        self.ready = anyio.Event()
        return taken
