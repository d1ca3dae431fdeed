"""Replay on each backend: views emptied by hand are rebuilt from the log to exactly what the
writer kept live (the day of work of tests/projections/test_replay.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from projections.views import all_views
from service.store import open_store, operations
from service.store.records import StreamAppend
from tests.projections.test_replay import run_a_day_of_work
from tests.support.stores import BACKENDS, locator_for

VIEW_TABLES = (*(table for view in all_views() for table in view.tables), "checkpoints")
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def record(store, stream_id: str, event) -> None:
    await store.append(StreamAppend(stream_id, await store.stream_version(stream_id), [event]))


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path):
    return locator_for(request.param if request.param == "postgresql" else "sqlite-file", request, tmp_path)


async def views(database) -> dict[str, list[tuple]]:
    async with open_store(database).running() as store:
        return {table: sorted(await store.fetchall(f"SELECT * FROM {table}"), key=repr) for table in VIEW_TABLES}


async def test_replay_gives_the_views_the_writer_kept(database):
    ticks = iter(range(10_000))
    async with open_store(database, now=lambda: START + timedelta(seconds=next(ticks))).running() as store:
        await run_a_day_of_work(store, record)
        events = store.position
    live = await views(database)
    assert live["tasks"] and live["devices"] and live["accounts"] and live["checkpoints"] == [("views", events)]

    session = operations.maintenance(database)
    try:
        for table in VIEW_TABLES:
            session.sql.execute(f"DELETE FROM {table}")
    finally:
        session.close()
    assert (await views(database))["tasks"] == []
    assert operations.replay(database) == events
    assert await views(database) == live
