"""The log feed (service/api/log_feed.py) over every backend: what it reads from memory and from the
store is the log itself, across the edge of its memory, with followers far behind and at the end."""

from __future__ import annotations

import anyio
import pytest

from service.api.log_feed import LogFeed, LogFilter
from service.events import TaskCreated, TaskDeleted, task_stream
from service.store import open_store
from service.store.records import StreamAppend
from tests.support.stores import STORE_KINDS, locator_for


@pytest.fixture(params=STORE_KINDS)
def database(request, tmp_path):
    return locator_for(request.param, request, tmp_path)


async def _create(store, task_id: int, serial: str) -> None:
    await store.append(
        StreamAppend(task_stream(task_id), 0, [TaskCreated(serial=serial, script_name="post", script_config={})])
    )


async def _everything(feed: LogFeed, after: int, batch: int) -> list[int]:
    seen = []
    while events := await feed.read(after, batch):
        seen += [e.position for e in events]
        after = events[-1].position
    return seen


async def test_reads_are_the_log_across_the_memory_edge(database):
    async with open_store(database, sync="normal").running() as store:
        feed = LogFeed(store, keep=5)
        assert await feed.read(0) == []
        for number in range(1, 21):
            await _create(store, number, "A")
        assert await _everything(feed, 0, 3) == list(range(1, 21))  # the first 15 from the store
        assert await _everything(feed, 17, 2) == [18, 19, 20]  # from memory
        for number in range(21, 24):
            await _create(store, number, "A")
        assert await _everything(feed, 12, 4) == list(range(13, 24))
        assert [e.position for e in await feed.read(0, 1000)] == list(range(1, 24))


async def test_followers_at_the_end_share_one_read(database):
    async with open_store(database, sync="normal").running() as store:
        feed = LogFeed(store)
        await feed.read(0)
        got: dict[int, list[int]] = {}

        async def follower(index: int) -> None:
            assert await feed.wait_beyond(0, 30) == "commit"
            got[index] = [e.position for e in await feed.read(0)]

        async with anyio.create_task_group() as tg:
            for index in range(20):
                tg.start_soon(follower, index)
            await anyio.sleep(0.05)
            await _create(store, 1, "A")
        assert got == {index: [1] for index in range(20)}


async def test_a_watch_that_leaves_hands_over_to_the_other_waiters(database):
    async with open_store(database, sync="normal").running() as store:
        feed = LogFeed(store)
        outcomes: dict[str, str] = {}

        async def wait(name: str, timeout: float) -> None:
            outcomes[name] = await feed.wait_beyond(0, timeout)

        async with anyio.create_task_group() as tg:
            tg.start_soon(wait, "first, watching", 0.05)
            await anyio.sleep(0.01)
            tg.start_soon(wait, "second", 60)
            with anyio.fail_after(30):
                while "first, watching" not in outcomes:
                    await anyio.sleep(0.01)
            await _create(store, 1, "A")
        assert outcomes == {"first, watching": "timeout", "second": "commit"}


async def test_a_waiter_with_an_earlier_deadline_than_the_watch_leaves_on_time(database):
    async with open_store(database, sync="normal").running() as store:
        feed = LogFeed(store)
        outcomes: dict[str, str] = {}

        async def wait(name: str, timeout: float) -> None:
            outcomes[name] = await feed.wait_beyond(0, timeout)

        async with anyio.create_task_group() as tg:
            tg.start_soon(wait, "watching", 60)
            await anyio.sleep(0.01)
            with anyio.fail_after(30):  # far below the watch's 60 s
                await wait("short", 0.05)
            await _create(store, 1, "A")
        assert outcomes == {"short": "timeout", "watching": "commit"}


async def test_the_serial_filter_knows_deleted_and_older_tasks(database):
    async with open_store(database, sync="normal").running() as store:
        await _create(store, 1, "A")
        await _create(store, 2, "B")
        await store.append(StreamAppend(task_stream(1), 1, [TaskDeleted()]))
        feed = LogFeed(store)  # it never saw the `created` events
        found, read_to = await feed.matching(0, LogFilter(serial="A"), 10)
        assert ([e.position for e in found], read_to) == ([1, 3], 3)
        found, read_to = await feed.matching(0, LogFilter(serial="A"), 1)
        assert ([e.position for e in found], read_to) == ([1], 1)


async def test_close_ends_waits_at_once(database):
    async with open_store(database, sync="normal").running() as store:
        feed = LogFeed(store)
        outcomes = []

        async def wait() -> None:
            outcomes.append(await feed.wait_beyond(0, 60))

        async with anyio.create_task_group() as tg:
            tg.start_soon(wait)
            await anyio.sleep(0.05)
            feed.close()
        assert outcomes == ["closing"]
        assert await feed.wait_beyond(0, 60) == "closing"
        assert await LogFeed(store).wait_beyond(0, 0.01) == "timeout"
