"""Nothing acknowledged is lost: not when the store closes, not when the process dies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anyio

from service.events import TaskCreated, TaskStarted
from service.store.records import StreamAppend
from service.store.sqlite.store import SQLiteEventStore

REPO = Path(__file__).resolve().parents[2]


def created(task_id: int) -> TaskCreated:
    return TaskCreated(serial=f"phone-{task_id % 3}", script_name="post", script_config={"n": task_id})


async def test_events_appended_before_the_store_closed_are_all_there_on_reopen(tmp_path):
    path = tmp_path / "droidledger.db"
    async with SQLiteEventStore(path).running() as store:
        async with anyio.create_task_group() as tg:
            for task_id in range(1, 31):
                tg.start_soon(store.append, StreamAppend(f"task-{task_id}", 0, [created(task_id)]))
        await store.append(StreamAppend("task-1", 1, [TaskStarted(attempt=1, serial="phone-1", seed=1)]))
        written = [(r.position, r.stream_id, r.version, r.event) for r in await store.read_all(limit=1000)]
    assert len(written) == 31
    async with SQLiteEventStore(path).running() as store:
        assert [(r.position, r.stream_id, r.version, r.event) for r in await store.read_all(limit=1000)] == written
        assert store.position == 31
        recorded = await store.append(StreamAppend("task-31", 0, [created(31)]))
        assert [(r.position, r.version) for r in recorded] == [(32, 1)]


CRASHING_WRITER = """
import os, sys, anyio
from service.events import TaskCreated
from service.store.records import StreamAppend
from service.store.sqlite.store import SQLiteEventStore

async def main():
    async with SQLiteEventStore(sys.argv[1]).running() as store:
        for task_id in range(1, 21):
            recorded = await store.append(StreamAppend(f"task-{task_id}", 0, [
                TaskCreated(serial="phone-1", script_name="post", script_config={})]))
            print(recorded[0].position, flush=True)
        os._exit(0)  # die without closing: no checkpoint, no clean shutdown

anyio.run(main)
"""


async def test_events_acknowledged_before_the_process_died_are_all_there(tmp_path):
    path = tmp_path / "droidledger.db"
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(path)], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    acknowledged = [int(line) for line in done.stdout.split()]
    assert acknowledged == list(range(1, 21)), done.stderr
    assert (tmp_path / "droidledger.db-wal").exists()  # the commits were still in the WAL
    async with SQLiteEventStore(path).running() as store:
        assert [r.position for r in await store.read_all(limit=100)] == acknowledged
        assert await store.fetchall("SELECT COUNT(*) FROM tasks") == [(20,)]
