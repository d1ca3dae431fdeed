"""One phone's pending tasks, in the order they are due."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime


def _due_key(due: datetime | None, task_id: int) -> tuple:
    return (0, 0.0, task_id) if due is None else (1, due.timestamp(), task_id)


@dataclass
class PhoneQueue:
    """A heap of due keys (no due time first, then the earliest, then the lowest id), with lazy removal."""

    heap: list[tuple] = field(default_factory=list)
    due: dict[int, datetime | None] = field(default_factory=dict)

    def add(self, task_id: int, due: datetime | None) -> None:
        """Queue a task (again, with a new due time)."""
        self.due[task_id] = due
        heapq.heappush(self.heap, _due_key(due, task_id))

    def discard(self, task_id: int) -> None:
        """Forget a task (its heap entry is dropped when it reaches the top)."""
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
        """The task to run now, or None; with `rng`, any due one at random (--random-order)."""
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
