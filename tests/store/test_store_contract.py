"""The event store's contract, run unchanged against every backend: a SQLite file, SQLite in
memory, and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import anyio
import psycopg
import pytest

from service.events import AccountRegistered, StopRequested, TaskCreated, TaskStarted, decode_event
from service.store import open_store as open_backend
from service.store.records import ConcurrencyError, SaveSecrets, StoreError, StreamAppend
from tests.support.stores import STORE_KINDS, locator_for

MOMENT = datetime(2026, 11, 27, 9, 0, 0, 250000, tzinfo=UTC)
RECORDED_AT = "2026-11-27T09:00:00.250+00:00"


def created(serial: str = "phone-1") -> TaskCreated:
    return TaskCreated(serial=serial, script_name="post", script_config={"video": "a.mp4"})


STARTED = TaskStarted(attempt=1, serial="phone-1", seed=7, steps=2)


def secret(task_id: int, value: str) -> SaveSecrets:
    return SaveSecrets(task_id, {"api_key": value})


@pytest.fixture(params=STORE_KINDS)
def database(request, tmp_path):
    """Where the test's store lives, on each backend."""
    return locator_for(request.param, request, tmp_path)


def open_store(database, **options):
    """The store running on `database` with a fixed recording time."""
    return open_backend(database, now=lambda: MOMENT, **options).running()


def described(recorded) -> list[tuple]:
    return [(r.position, r.stream_id, r.version, r.type, r.event, r.recorded_at) for r in recorded]


async def positions(store) -> list[int]:
    return [row[0] for row in await store.fetchall("SELECT position FROM events ORDER BY position")]


async def raw_execute(store, database, sql: str) -> None:
    """Run a statement on a connection of our own (the writer's, for SQLite in memory)."""
    if database.backend == "postgresql":
        with psycopg.connect(database.target, autocommit=True) as conn:
            conn.execute(sql)
    elif database.target == ":memory:":
        await store.writer.run_on_writer(lambda conn: conn.sql.execute(sql))
    else:
        conn = sqlite3.connect(database.target, isolation_level=None)
        try:
            conn.execute(sql)
        finally:
            conn.close()


# --- append and read -----------------------------------------------------------------------


async def test_appending_to_a_new_stream_records_versions_from_one(database):
    async with open_store(database) as store:
        recorded = await store.append(StreamAppend("task-1", 0, [created(), STARTED]))
        assert described(recorded) == [
            (1, "task-1", 1, "created", created(), RECORDED_AT),
            (2, "task-1", 2, "started", STARTED, RECORDED_AT),
        ]
        assert store.position == 2


async def test_a_stream_reads_back_as_it_was_appended(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created(), STARTED]))
        await store.append(StreamAppend("task-1", 2, [StopRequested()]))
        stream = await store.read_stream("task-1")
        assert described(stream) == [
            (1, "task-1", 1, "created", created(), RECORDED_AT),
            (2, "task-1", 2, "started", STARTED, RECORDED_AT),
            (3, "task-1", 3, "stop-requested", StopRequested(), RECORDED_AT),
        ]
        assert [decode_event(r.data) for r in stream] == [created(), STARTED, StopRequested()]


async def test_a_stream_reads_from_after_a_version(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created(), STARTED, StopRequested()]))
        assert [(r.version, r.type) for r in await store.read_stream("task-1", after_version=1)] == [
            (2, "started"),
            (3, "stop-requested"),
        ]
        assert await store.read_stream("task-1", after_version=3) == []


async def test_a_stream_never_appended_to_reads_empty(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]))
        assert await store.read_stream("task-2") == []


async def test_the_log_reads_in_commit_order_after_a_position_with_a_limit(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]))
        await store.append(StreamAppend("task-2", 0, [created("phone-2")]))
        await store.append(StreamAppend("task-1", 1, [STARTED]))
        await store.append(StreamAppend("account-alice", 0, [AccountRegistered(username="Alice", serial="phone-1")]))
        await store.append(StreamAppend("task-2", 1, [StopRequested()]))
        page = await store.read_all(after=1, limit=3)
        assert [(r.position, r.stream_id, r.version, r.type) for r in page] == [
            (2, "task-2", 1, "created"),
            (3, "task-1", 2, "started"),
            (4, "account-alice", 1, "account-registered"),
        ]
        assert [r.position for r in await store.read_all()] == [1, 2, 3, 4, 5]
        assert [r.position for r in await store.read_all(after=4, limit=100)] == [5]
        assert await store.read_all(after=5) == []


async def test_versions_count_per_stream_and_positions_across_all(database):
    async with open_store(database) as store:
        first = await store.append(StreamAppend("task-1", 0, [created()]))
        second = await store.append(StreamAppend("task-2", 0, [created(), STARTED]))
        third = await store.append(StreamAppend("task-1", 1, [STARTED]))
        assert [(r.position, r.stream_id, r.version) for r in first + second + third] == [
            (1, "task-1", 1),
            (2, "task-2", 1),
            (3, "task-2", 2),
            (4, "task-1", 2),
        ]


async def test_one_append_to_several_streams_records_them_together(database):
    async with open_store(database) as store:
        recorded = await store.append(
            StreamAppend("task-1", 0, [created()]), StreamAppend("task-2", 0, [created(), STARTED])
        )
        assert [(r.position, r.stream_id, r.version) for r in recorded] == [
            (1, "task-1", 1),
            (2, "task-2", 1),
            (3, "task-2", 2),
        ]
        assert store.stats.commits == 1


# --- expected versions ---------------------------------------------------------------------


async def test_an_append_at_a_stale_version_is_refused_and_records_nothing(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created(), STARTED]))
        with pytest.raises(ConcurrencyError, match="task-1 is at version 2, expected 1") as refused:
            await store.append(StreamAppend("task-1", 1, [StopRequested()]))
        assert refused.value.conflicts == (("task-1", 1, 2),)
        assert [r.type for r in await store.read_stream("task-1")] == ["created", "started"]
        assert store.position == 2


async def test_a_conflict_on_one_stream_records_none_of_the_streams_of_that_append(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-2", 0, [created()]))
        with pytest.raises(ConcurrencyError) as refused:
            await store.append(
                StreamAppend("task-1", 0, [created()]),
                StreamAppend("task-2", 0, [created()]),
                StreamAppend("task-3", 0, [created()]),
                side_writes=[secret(1, "sk-one")],
            )
        assert refused.value.conflicts == (("task-2", 0, 1),)
        assert await store.read_stream("task-1") == []
        assert await store.read_stream("task-3") == []
        assert await store.fetchall("SELECT task_id FROM secrets") == []
        assert await store.fetchall("SELECT id FROM tasks") == [(2,)]


async def test_positions_stay_gap_free_after_refused_appends(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]))
        with pytest.raises(ConcurrencyError):
            await store.append(StreamAppend("task-1", 0, [created(), STARTED]))
        recorded = await store.append(StreamAppend("task-2", 0, [created()]))
        assert [r.position for r in recorded] == [2]
        assert await positions(store) == [1, 2]


@pytest.mark.parametrize("stale", [1, 10, 20], ids=["first", "middle", "last"])
async def test_a_stale_append_fails_alone_inside_a_group_commit(database, stale):
    async with open_store(database) as store:
        await store.append(StreamAppend(f"task-{stale}", 0, [created("phone-0")]))
        commits_before = store.stats.commits
        outcomes: dict[int, object] = {}

        async def create(task_id: int) -> None:
            try:
                outcomes[task_id] = await store.append(
                    StreamAppend(f"task-{task_id}", 0, [created(f"phone-{task_id}")]),
                    side_writes=[secret(task_id, f"sk-{task_id}")],
                )
            except ConcurrencyError as exc:
                outcomes[task_id] = exc

        async with anyio.create_task_group() as tg:
            for task_id in range(1, 21):
                tg.start_soon(create, task_id)

        assert store.stats.commits == commits_before + 1  # all twenty in one transaction
        refused = outcomes.pop(stale)
        assert isinstance(refused, ConcurrencyError) and refused.conflicts == ((f"task-{stale}", 0, 1),)
        assert sorted(r.position for recorded in outcomes.values() for r in recorded) == list(range(2, 21))
        assert {task_id: [(r.stream_id, r.version) for r in recorded] for task_id, recorded in outcomes.items()} == {
            task_id: [(f"task-{task_id}", 1)] for task_id in range(1, 21) if task_id != stale
        }
        assert await positions(store) == list(range(1, 21))
        assert await store.fetchall("SELECT task_id, value FROM secrets ORDER BY task_id") == [
            (task_id, f"sk-{task_id}") for task_id in range(1, 21) if task_id != stale
        ]
        assert await store.fetchall("SELECT id, serial FROM tasks ORDER BY id") == [
            (task_id, "phone-0" if task_id == stale else f"phone-{task_id}") for task_id in range(1, 21)
        ]
        assert await store.fetchall("SELECT position FROM checkpoints") == [(20,)]


async def test_a_group_commit_takes_at_most_max_batch_appends(database):
    async with open_store(database, max_batch=3) as store:
        async with anyio.create_task_group() as tg:
            for task_id in range(1, 11):
                tg.start_soon(store.append, StreamAppend(f"task-{task_id}", 0, [created()]))
        assert (store.stats.commits, store.stats.appends, store.stats.events) == (4, 10, 10)
        assert await positions(store) == list(range(1, 11))


async def test_an_append_the_database_refuses_records_nothing_and_the_store_goes_on(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]), side_writes=[secret(1, "sk-one")])
        with pytest.raises(StoreError, match="the event log could not be written: .*(UNIQUE|unique)"):
            await store.append(StreamAppend("task-2", 0, [created()]), side_writes=[secret(1, "sk-again")])
        assert await store.read_stream("task-2") == []
        assert store.position == 1
        assert await store.fetchall("SELECT task_id, value FROM secrets") == [(1, "sk-one")]
        recorded = await store.append(StreamAppend("task-2", 0, [created()]))
        assert [(r.position, r.version) for r in recorded] == [(2, 1)]
        assert await store.fetchall("SELECT id FROM tasks ORDER BY id") == [(1,), (2,)]


async def test_of_two_concurrent_creations_of_a_stream_exactly_one_wins(database):
    async with open_store(database) as store:
        outcomes = []

        async def create(serial: str) -> None:
            try:
                await store.append(StreamAppend("task-1", 0, [created(serial)]))
                outcomes.append(serial)
            except ConcurrencyError:
                outcomes.append("refused")

        async with anyio.create_task_group() as tg:
            tg.start_soon(create, "phone-1")
            tg.start_soon(create, "phone-2")
        assert sorted(outcomes) == ["phone-1", "refused"]
        assert [(r.version, r.event.serial) for r in await store.read_stream("task-1")] == [(1, "phone-1")]


# --- the log is append-only ----------------------------------------------------------------


@pytest.mark.parametrize(
    "statement, refusal",
    [
        ("UPDATE events SET type = 'completed' WHERE position = 1", "events are append-only: UPDATE is not allowed"),
        ("DELETE FROM events WHERE position = 1", "events are append-only: DELETE is not allowed"),
        ("DELETE FROM events", "events are append-only: DELETE is not allowed"),
    ],
    ids=["update", "delete", "delete-all"],
)
async def test_the_database_aborts_any_change_to_a_recorded_event(database, statement, refusal):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created(), STARTED]))
        with pytest.raises((sqlite3.IntegrityError, psycopg.errors.RaiseException), match=refusal):
            await raw_execute(store, database, statement)
        assert await store.fetchall("SELECT position, type FROM events ORDER BY position") == [
            (1, "created"),
            (2, "started"),
        ]


# --- side writes ---------------------------------------------------------------------------


async def test_side_writes_commit_with_the_events(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]), side_writes=[secret(1, "sk-one")])
        assert await store.fetchall("SELECT task_id, name, value FROM secrets") == [(1, "api_key", "sk-one")]


async def test_side_writes_roll_back_with_refused_events(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]))
        with pytest.raises(ConcurrencyError):
            await store.append(StreamAppend("task-1", 0, [created()]), side_writes=[secret(1, "sk-one")])
        assert await store.fetchall("SELECT * FROM secrets") == []


async def test_events_roll_back_with_a_refused_side_write_and_the_rest_of_the_batch_commits(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]), side_writes=[secret(1, "sk-one")])
        outcomes = {}

        async def create(task_id: int, side: SaveSecrets) -> None:
            try:
                outcomes[task_id] = [
                    r.position
                    for r in await store.append(StreamAppend(f"task-{task_id}", 0, [created()]), side_writes=[side])
                ]
            except StoreError:
                outcomes[task_id] = "refused"

        async with anyio.create_task_group() as tg:
            tg.start_soon(create, 2, secret(2, "sk-two"))
            tg.start_soon(create, 3, secret(1, "sk-again"))  # (task_id, name) is taken: a constraint fails
            tg.start_soon(create, 4, secret(4, "sk-four"))
        assert outcomes == {2: [2], 3: "refused", 4: [3]}
        assert await store.read_stream("task-3") == []
        assert await store.fetchall("SELECT task_id, value FROM secrets ORDER BY task_id") == [
            (1, "sk-one"),
            (2, "sk-two"),
            (4, "sk-four"),
        ]
        assert await positions(store) == [1, 2, 3]


# --- commits are visible -------------------------------------------------------------------


async def test_every_view_shows_an_append_once_it_returns(database):
    async with open_store(database) as store:
        seen = {}

        async def create(task_id: int) -> None:
            await store.append(StreamAppend(f"task-{task_id}", 0, [created(f"phone-{task_id % 2}")]))
            seen[task_id] = await store.fetchall("SELECT id, status FROM tasks WHERE id = ?", (task_id,))

        async with anyio.create_task_group() as tg:
            for task_id in range(1, 11):
                tg.start_soon(create, task_id)
        assert seen == {task_id: [(task_id, 0)] for task_id in range(1, 11)}
        assert await store.fetchall("SELECT serial, n FROM task_counts ORDER BY serial") == [
            ("phone-0", 5),
            ("phone-1", 5),
        ]
        assert await store.fetchall("SELECT last_id FROM task_sequence") == [(10,)]
        assert await store.fetchall("SELECT name, position FROM checkpoints") == [("views", 10)]


async def test_waiting_for_a_commit_resumes_when_the_log_moves_past_the_position(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created()]))
        woken = []

        async def wait() -> None:
            woken.append(await store.wait_for_commit(1))

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(wait)
                await anyio.wait_all_tasks_blocked()
                assert woken == []
                await store.append(StreamAppend("task-1", 1, [STARTED, StopRequested()]))
        assert woken == [3]


async def test_waiting_for_a_position_already_passed_returns_at_once(database):
    async with open_store(database) as store:
        await store.append(StreamAppend("task-1", 0, [created(), STARTED]))
        with anyio.fail_after(1):
            assert await store.wait_for_commit(0) == 2
            assert await store.wait_for_commit(1) == 2


# --- the writer's settings (SQLite) --------------------------------------------------------

SQLITE_FILE = [kind for kind in STORE_KINDS if kind.values[0] != "postgresql"]


@pytest.fixture(params=SQLITE_FILE)
def sqlite_database(request, tmp_path):
    return locator_for(request.param, request, tmp_path)


async def pragma(store, name: str):
    return await store.writer.run_on_writer(lambda conn: conn.sql.execute(f"PRAGMA {name}").fetchone()[0])


@pytest.mark.parametrize(
    "options, synchronous", [({}, 2), ({"sync": "full"}, 2), ({"sync": "normal"}, 1)], ids=["default", "full", "normal"]
)
async def test_sqlite_syncs_fully_unless_told_normal(sqlite_database, options, synchronous):
    async with open_store(sqlite_database, **options) as store:
        assert await pragma(store, "synchronous") == synchronous


async def test_a_sqlite_file_is_written_ahead_in_wal_mode(tmp_path):
    async with open_store(locator_for("sqlite-file", None, tmp_path)) as store:
        assert await pragma(store, "journal_mode") == "wal"


async def test_an_unknown_sync_mode_is_refused(sqlite_database):
    with pytest.raises(ValueError, match="sync must be one of \\('full', 'normal'\\), got 'off'"):
        async with open_store(sqlite_database, sync="off"):
            pass


async def test_a_closed_store_refuses_appends(database):
    store = open_backend(database)
    async with store.running():
        await store.append(StreamAppend("task-1", 0, [created()]))
    with pytest.raises(StoreError, match="the store is shutting down"):
        await store.append(StreamAppend("task-2", 0, [created()]))
