"""Property: whatever the commands, and however they interleave, the live views equal a replay."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.views import all_views
from service.domain.account import account_key
from service.domain.admission import HOLD_KINDS, Hold
from service.domain.errors import DomainError
from service.domain.limits import Limits
from service.domain.task import CompleteStep, CompleteTask, CreateTask, FailTask, StartTask
from service.events import DeviceConnected, DeviceDisconnected, DeviceStateChanged, device_stream
from service.handlers.accounts import AccountHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.safety import SafetyHandlers
from service.handlers.tasks import NewTask, TaskHandlers
from service.store import operations
from service.store.locator import StoreLocator
from service.store.records import ConcurrencyError, StreamAppend
from service.store.sqlite.store import SQLiteEventStore

SERIALS = ("phone-1", "phone-2", "phone-3")
USERNAMES = ("alice", "@Alice", "bob", "carol")
VIEW_TABLES = (*(table for view in all_views() for table in view.tables), "checkpoints")

task_ids = st.integers(1, 6)
serials = st.sampled_from(SERIALS)
usernames = st.sampled_from(USERNAMES)
create = st.tuples(st.just("create"), st.lists(serials, min_size=1, max_size=3), st.sampled_from(("post", "follow")))
COMMANDS = {  # kind: (weight, arguments)
    "create": (2, create),
    "start": (4, st.tuples(st.just("start"), task_ids, serials)),
    "run": (3, st.tuples(st.just("run"), task_ids, serials, st.sampled_from(("complete", "fail")))),
    "step": (2, st.tuples(st.just("step"), task_ids, st.integers(1, 3))),
    "complete": (2, st.tuples(st.just("complete"), task_ids)),
    "fail": (2, st.tuples(st.just("fail"), task_ids, st.sampled_from(("app crashed", "stopped")))),
    "stop": (2, st.tuples(st.just("stop"), task_ids)),
    "retry": (2, st.tuples(st.just("retry"), task_ids, st.booleans())),
    "delete": (1, st.tuples(st.just("delete"), task_ids)),
    "retry-all": (1, st.tuples(st.just("retry-all"))),
    "delete-many": (1, st.tuples(st.just("delete-many"), st.lists(task_ids, max_size=3))),
    "register": (1, st.tuples(st.just("register"), usernames, serials)),
    "remove": (1, st.tuples(st.just("remove"), usernames)),
    "replace-accounts": (1, st.tuples(st.just("replace-accounts"), serials, st.lists(usernames, max_size=3))),
    "device": (1, st.tuples(st.just("device"), serials, st.sampled_from(("connected", "offline", "disconnected")))),
    "limits": (1, st.tuples(st.just("limits"), usernames, st.none() | st.integers(0, 3))),
    "defaults": (1, st.tuples(st.just("defaults"), st.integers(0, 3), st.sampled_from(("api", "file")))),
    "act": (
        2,
        st.tuples(
            st.just("act"),
            task_ids,
            st.lists(st.sampled_from(("follow", "like")), max_size=2),
            st.lists(usernames, max_size=2),
        ),
    ),
    "warned": (1, st.tuples(st.just("warned"), task_ids, st.lists(usernames, min_size=1, max_size=2))),
    "clear": (1, st.tuples(st.just("clear"), usernames)),
    "hold": (
        2,
        st.tuples(st.just("hold"), st.lists(task_ids, min_size=1, max_size=3), st.none() | st.sampled_from(HOLD_KINDS)),
    ),
    "pause": (2, st.tuples(st.just("pause"), serials, st.booleans())),
}
command = st.sampled_from([kind for kind, (weight, _) in COMMANDS.items() for _ in range(weight)]).flatmap(
    lambda kind: COMMANDS[kind][1]
)
# A step is one command, or a few commands issued concurrently (they share group commits).
together = st.tuples(st.just("together"), st.lists(command, min_size=2, max_size=4))
step = st.integers(0, 3).flatmap(lambda n: together if n == 3 else command)
steps = st.tuples(st.lists(create, min_size=1, max_size=3), st.lists(step, min_size=10, max_size=50)).map(
    lambda parts: parts[0] + parts[1]
)

DEVICE_EVENTS = {
    "connected": DeviceConnected(model="Pixel 7"),
    "offline": DeviceStateChanged(state="offline"),
    "disconnected": DeviceDisconnected(reason="usb"),
}


NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


async def issue(store: SQLiteEventStore, tasks: TaskHandlers, accounts: AccountHandlers, command: tuple) -> None:
    """Issue one command the way the API, the scheduler or an actor would; refusals are fine."""
    kind, *args = command
    safety = SafetyHandlers(store)
    try:
        match kind:
            case "create":
                serial_list, script = args
                await tasks.create(
                    [
                        NewTask(
                            CreateTask(serial=s, script_name=script, script_config={"s": s}), secrets={"api_key": "sk"}
                        )
                        for s in serial_list
                    ]
                )
            case "start":
                await tasks.execute(args[0], StartTask(serial=args[1], seed=args[0], steps=3))
            case "run":
                task_id, serial, outcome = args
                await issue(store, tasks, accounts, ("start", task_id, serial))
                await issue(store, tasks, accounts, ("step", task_id, 1))
                await issue(
                    store,
                    tasks,
                    accounts,
                    (outcome, task_id) if outcome == "complete" else (outcome, task_id, "app crashed"),
                )
            case "step":
                await tasks.execute(args[0], CompleteStep(index=args[1], name=f"step-{args[1]}", duration_ms=5))
            case "complete":
                await tasks.execute(args[0], CompleteTask(steps=3, duration_ms=15))
            case "fail":
                await tasks.execute(args[0], FailTask(reason=args[1], step="step-1", artifacts=("ui.xml",)))
            case "stop":
                await tasks.stop(args[0])
            case "retry":
                due_at = "2026-11-27T10:00:00+00:00" if args[1] else None
                await tasks.retry(args[0], automatic=args[1], due_at=due_at)
            case "delete":
                await tasks.delete(args[0])
            case "retry-all":
                await tasks.retry_failed()
            case "delete-many":
                await tasks.delete_many(args[0])
            case "register":
                await accounts.register(args[0], args[1])
            case "remove":
                await accounts.remove(args[0])
            case "replace-accounts":
                await accounts.replace_on_device(args[0], args[1])
            case "device":
                stream = device_stream(args[0])
                version = len(await store.read_stream(stream))
                await store.append(StreamAppend(stream, version, [DEVICE_EVENTS[args[1]]]))
            case "limits":
                await safety.set_account_limits(account_key(args[0]), Limits(daily={"follow": args[1]}))
            case "defaults":
                await safety.set_default_limits(Limits(daily={"like": args[0]}), args[1])
            case "act":
                task_id, actions, names = args
                await tasks.execute(
                    task_id,
                    CompleteStep(
                        index=2,
                        name="act",
                        duration_ms=5,
                        actions=tuple(actions),
                        accounts=tuple(account_key(n) for n in names),
                    ),
                )
            case "warned":
                task_id, names = args
                await safety.fail_warned(
                    task_id,
                    await tasks.load(task_id),
                    FailTask(reason="rate limited"),
                    sorted({account_key(n) for n in names}),
                    NOW,
                )
            case "clear":
                await safety.clear_restriction(account_key(args[0]), NOW)
            case "hold":
                hold = None if args[1] is None else Hold(args[1], "alice", f"waits ({args[1]})", NOW)
                await tasks.hold_many(dict.fromkeys(args[0], hold))
            case "pause":
                devices = DeviceHandlers(store)
                await (devices.pause(args[0]) if args[1] else devices.resume(args[0]))
            case "together":
                async with anyio.create_task_group() as tg:
                    for each in args[0]:
                        tg.start_soon(issue, store, tasks, accounts, each)
    except (DomainError, ConcurrencyError):
        pass


def view_rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in VIEW_TABLES}
    finally:
        conn.close()


def replayed_copy(path: Path, copy: Path) -> dict[str, list[tuple]]:
    """The views of a copy of the database after a rebuild from its log."""
    source, target = sqlite3.connect(path), sqlite3.connect(copy, isolation_level=None)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    operations.replay(StoreLocator("sqlite", str(copy)))
    return view_rows(copy)


@settings(max_examples=40, deadline=None)
@given(steps=steps)
def test_any_sequence_of_commands_leaves_views_equal_to_a_replay(steps):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "droidledger.db"

        async def scenario() -> None:
            async with SQLiteEventStore(path, sync="normal").running() as store:
                tasks, accounts = TaskHandlers(store), AccountHandlers(store)
                for each in steps:
                    await issue(store, tasks, accounts, each)

        anyio.run(scenario)
        live = view_rows(path)
        assert replayed_copy(path, Path(directory) / "replayed.db") == live
        conn = sqlite3.connect(path)
        grouped = sorted(
            conn.execute(
                "SELECT serial, script_name, source, status, COUNT(*) FROM tasks GROUP BY 1, 2, 3, 4"
            ).fetchall(),
            key=repr,
        )
        conn.close()
        assert live["task_counts"] == grouped
