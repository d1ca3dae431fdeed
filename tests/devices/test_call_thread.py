"""CallThread: one phone's blocking calls in one thread, in order; outcomes, skips, abandon and stop."""

from __future__ import annotations

import asyncio
import threading
import time

import anyio
import pytest

from devices.call_thread import CallThread


async def test_calls_run_in_one_thread_in_the_order_given() -> None:
    worker = CallThread("phone-A")
    seen: list[tuple[int, str]] = []

    def note(n: int) -> int:
        time.sleep(0.001)
        seen.append((n, threading.current_thread().name))
        return n * 10

    calls = [worker.submit(note, n) for n in range(20)]
    assert [await call.done for call in calls] == [n * 10 for n in range(20)]
    assert [n for n, _ in seen] == list(range(20))
    assert {name for _, name in seen} == {"phone-A"}
    worker.stop()


async def test_a_call_never_overlaps_another() -> None:
    worker = CallThread("phone-B")
    running, most = [0], [0]

    def work() -> None:
        running[0] += 1
        most[0] = max(most[0], running[0])
        time.sleep(0.005)
        running[0] -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(8):
            tg.start_soon(worker.run, work)
    assert most[0] == 1
    worker.stop()


async def test_an_exception_reaches_the_caller_and_the_thread_goes_on() -> None:
    worker = CallThread("phone-C")

    def fail() -> None:
        raise ValueError("the phone said no")

    with pytest.raises(ValueError, match="the phone said no"):
        await worker.run(fail)
    assert await worker.run(lambda: "still here") == "still here"
    worker.stop()


async def test_a_call_given_up_before_it_begins_is_skipped() -> None:
    worker = CallThread("phone-D")
    release, ran = threading.Event(), []
    first = worker.submit(release.wait, 5)
    with anyio.move_on_after(0.05) as scope:
        await worker.run(ran.append, "second")  # queued behind the first, cancelled while it waits
    assert scope.cancelled_caught
    release.set()
    assert await first.done is True
    assert await worker.run(lambda: "third") == "third"
    assert ran == []
    worker.stop()


async def test_a_cancelled_caller_does_not_wait_for_the_call_under_way() -> None:
    worker = CallThread("phone-E")
    release, finished = threading.Event(), []

    def slow() -> None:
        release.wait(5)
        finished.append(True)

    started = time.perf_counter()
    with anyio.move_on_after(0.05):
        await worker.run(slow)
    assert time.perf_counter() - started < 1 and finished == []
    release.set()
    assert await worker.run(lambda: finished[:]) == [True]  # in order: after the slow call ended
    worker.stop()


async def test_an_abandoned_thread_ends_after_its_call_and_a_new_one_serves() -> None:
    worker = CallThread("phone-F")
    release = threading.Event()
    stuck = worker.submit(release.wait, 5)
    while not stuck.started:
        await asyncio.sleep(0.001)
    old = worker._thread
    worker.abandon()
    assert await worker.run(lambda: threading.current_thread() is not old) is True
    release.set()
    assert await stuck.done is True  # the stuck call still reports its outcome
    old.join(5)
    assert not old.is_alive()
    worker.stop()


async def test_stop_ends_the_thread_after_what_is_queued() -> None:
    worker = CallThread("phone-G")
    done = worker.submit(time.sleep, 0.01)
    thread = worker._thread
    worker.stop()
    await done.done
    thread.join(5)
    assert not thread.is_alive() and not worker.alive
    assert await worker.run(lambda: 7) == 7  # a later call starts a thread again
    worker.stop()
