"""Fixtures of the view tests: a store on a file database whose clock ticks one second per commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.store.records import StreamAppend
from service.store.sqlite.store import SQLiteEventStore

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class TickingClock:
    """Each call is one second after the previous one: every commit gets its own recorded_at."""

    def __init__(self) -> None:
        self.ticks = 0

    def __call__(self) -> datetime:
        moment = START + timedelta(seconds=self.ticks)
        self.ticks += 1
        return moment


def at(tick: int) -> str:
    """The recorded_at of the commit made at `tick` (0 is the first commit)."""
    return (START + timedelta(seconds=tick)).isoformat(timespec="milliseconds")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "droidledger.db"


@pytest.fixture
def open_store(db_path):
    """`async with open_store() as store:` runs a store on the test's database file."""
    clock = TickingClock()
    return lambda: SQLiteEventStore(db_path, sync="normal", now=clock).running()


@pytest.fixture
def record():
    """`await record(store, stream_id, *events)`: one append at the stream's current version."""

    async def append(store: SQLiteEventStore, stream_id: str, *events):
        version = len(await store.read_stream(stream_id))
        return await store.append(StreamAppend(stream_id, version, list(events)))

    return append


@pytest.fixture
def recorded_at():
    return at
