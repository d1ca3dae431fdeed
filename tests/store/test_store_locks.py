"""The store's locks: an agent's name is held by one process at a time (on every backend); on
PostgreSQL one server schedules at a time, and farms in different schemas of one database share
none of their locks (advisory locks belong to the database, so the keys carry the schema) and hear
none of each other's commits."""

from __future__ import annotations

import anyio
import pytest

from service.events import TaskCreated
from service.store import open_store
from service.store.locator import locate
from service.store.postgresql.maintenance import AdvisoryHold
from service.store.records import DatabaseInUse, StreamAppend
from tests.support.stores import STORE_KINDS, locator_for


@pytest.fixture(params=STORE_KINDS)
def database(request, tmp_path):
    return locator_for(request.param, request, tmp_path)


async def test_an_agent_name_is_held_by_one_holder_at_a_time(database):
    async with open_store(database).running() as store:
        async with store.name_lock("pc1", "start pc1 again"):
            with pytest.raises(DatabaseInUse, match="start pc1 again"):
                async with store.name_lock("pc1", "start pc1 again"):
                    pass
            async with store.name_lock("pc2", "start pc2"):  # another name is another lock
                pass
        async with store.name_lock("pc1", "start pc1 again"):  # let go: free again
            pass


@pytest.mark.postgresql
async def test_one_server_schedules_and_the_next_takes_over_when_it_lets_go(pg_url):
    async with open_store(locate(pg_url)).running() as first, open_store(locate(pg_url)).running() as second:
        order: list[str] = []
        release = anyio.Event()

        async def lead(store, name: str, hold: anyio.Event | None) -> None:
            async with store.leadership():
                order.append(name)
                if hold is not None:
                    await hold.wait()

        async with anyio.create_task_group() as tg:
            tg.start_soon(lead, first, "first", release)
            await anyio.sleep(0.3)
            tg.start_soon(lead, second, "second", None)
            await anyio.sleep(1.5)  # longer than a try of the lock
            assert order == ["first"]
            release.set()
        assert order == ["first", "second"]


@pytest.mark.postgresql
async def test_farms_in_two_schemas_of_one_database_share_no_lock(new_pg_url):
    one, two = new_pg_url(), new_pg_url()
    async with open_store(locate(one)).running() as farm_one, open_store(locate(two)).running() as farm_two:
        with anyio.fail_after(10):
            async with farm_one.leadership(), farm_two.leadership():
                async with farm_one.name_lock("pc1", "start pc1"), farm_two.name_lock("pc1", "start pc1"):
                    pass
    with AdvisoryHold(one, "replay", shared=False):
        with AdvisoryHold(two, "replay", shared=False):
            with pytest.raises(DatabaseInUse, match="in use by droidledger pid"):
                AdvisoryHold(one, "replay", shared=False).__enter__()


@pytest.mark.postgresql
async def test_a_farm_hears_only_its_own_schemas_commits(new_pg_url):
    one, two = new_pg_url(), new_pg_url()
    async with open_store(locate(one)).running() as farm_one, open_store(locate(two)).running() as farm_two:
        for n in range(5):
            await farm_two.append(
                StreamAppend(f"task-{n + 1}", 0, [TaskCreated(serial="P1", script_name="follow", script_config={})])
            )
        await farm_one.append(
            StreamAppend("task-1", 0, [TaskCreated(serial="P1", script_name="post", script_config={})])
        )
        await anyio.sleep(1.5)  # a notification, and a poll of the last position, had time to arrive
        assert (farm_one.position, farm_two.position) == (1, 5)
        assert [r.position for r in await farm_one.read_all(0, 100)] == [1]


@pytest.mark.postgresql
async def test_a_writer_frozen_inside_its_transaction_does_not_stall_the_farm(pg_url, monkeypatch):
    """A process stopped between two statements of its transaction (SIGSTOP, a PC cut off) holds the
    log's lock; the server ends its session after a few idle seconds and the others write on."""
    from service.store.postgresql import connection

    monkeypatch.setattr(connection, "IDLE_IN_TRANSACTION_S", 1)
    async with open_store(locate(pg_url)).running() as frozen, open_store(locate(pg_url)).running() as other:
        stalled = frozen.writer.connection  # the writer's connection, as a frozen process would leave it
        await anyio.to_thread.run_sync(stalled.begin)  # holds the log's lock, then says nothing
        rescued = anyio.Event()

        async def rescue_after_a_while() -> None:  # without the server's timeout, the append waits for this
            await anyio.sleep(30)
            rescued.set()
            await anyio.to_thread.run_sync(stalled.rollback)

        async with anyio.create_task_group() as tg:
            tg.start_soon(rescue_after_a_while)
            await other.append(
                StreamAppend("task-1", 0, [TaskCreated(serial="P1", script_name="follow", script_config={})])
            )
            assert not rescued.is_set(), "the append waited for the frozen transaction"
            tg.cancel_scope.cancel()
        assert [e.type for e in await other.read_stream("task-1")] == ["created"]
