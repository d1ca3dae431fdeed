"""One phone's queue: tasks without a due time first, then the earliest, then the lowest id; a task
queued again or forgotten leaves no trace; --random-order draws among the due ones only."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from service.scheduling.queues import PhoneQueue

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def drain(queue: PhoneQueue, now: datetime) -> list[int]:
    order = []
    while (task_id := queue.next_due(now, None)) is not None:
        order.append(task_id)
        queue.discard(task_id)
    return order


def test_undated_tasks_come_first_by_id_then_the_earliest_due_then_the_lowest_id():
    queue = PhoneQueue()
    for task_id, due in ((5, at(-1)), (4, None), (3, at(-10)), (2, at(-1)), (1, None)):
        queue.add(task_id, due)
    assert drain(queue, NOW) == [1, 4, 3, 2, 5]


def test_a_task_due_later_waits_and_says_when():
    queue = PhoneQueue()
    queue.add(1, at(30))
    assert queue.next_due(NOW, None) is None
    assert queue.next_time() == at(30).timestamp()
    assert queue.next_due(at(30), None) == 1  # due at its time exactly


def test_next_time_is_none_without_a_timed_task_and_the_earliest_timed_one_otherwise():
    queue = PhoneQueue()
    assert queue.next_time() is None
    queue.add(1, None)
    assert queue.next_time() is None
    queue.add(2, at(20))
    queue.add(3, at(10))
    queue.discard(1)
    assert queue.next_time() == at(10).timestamp()


def test_a_task_queued_again_counts_only_with_its_new_due_time():
    queue = PhoneQueue()
    queue.add(1, None)
    queue.add(2, at(5))
    queue.add(1, at(60))  # retried, due later: its first entry is stale
    assert queue.next_due(at(10), None) == 2
    queue.discard(2)
    assert queue.next_due(at(10), None) is None
    assert queue.next_time() == at(60).timestamp()


def test_a_forgotten_task_is_never_returned_and_its_entry_goes_when_it_reaches_the_top():
    queue = PhoneQueue()
    queue.add(1, None)
    queue.add(2, None)
    queue.discard(1)
    assert queue.next_due(NOW, None) == 2
    assert [key[2] for key in queue.heap] == [2]
    queue.discard(2)
    assert queue.next_due(NOW, None) is None and queue.heap == []


def test_random_order_draws_among_due_tasks_only():
    queue = PhoneQueue()
    queue.add(1, None)
    queue.add(2, at(-5))
    queue.add(3, at(5))
    drawn = {queue.next_due(NOW, random.Random(seed)) for seed in range(50)}
    assert drawn == {1, 2}
    queue.discard(1)
    queue.discard(2)
    assert queue.next_due(NOW, random.Random(1)) is None
