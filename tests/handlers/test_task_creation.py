"""The create use case without HTTP, against the in-memory store: the registry places account tasks,
the fan-out orders and times them, the offline phones are named, and a refused request creates nothing."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
import pytest

from service.errors import ApiError, Code
from service.events import TaskCreated
from service.handlers.accounts import AccountHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.task_creation import Created, create_tasks
from service.handlers.tasks import TaskHandlers
from service.requests.create_task import CreateTaskRequest, parse_create_task
from service.requests.files import FilePolicy
from service.store.records import RememberResponse
from tests.support.fake_store import FakeEventStore

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)


def request(**fields) -> CreateTaskRequest:
    given = {"serials": None, "usernames": None, "script_name": "follow", "config": {}} | fields
    return CreateTaskRequest(**given)


async def create(tasks: TaskHandlers, wanted: CreateTaskRequest, **options) -> Created:
    return await create_tasks(tasks, wanted, now=NOW, rng=random.Random(7), **options)


def created(store: FakeEventStore, task_id: int) -> TaskCreated:
    [event] = store.events_of(f"task-{task_id}")
    return event


async def test_each_phone_gets_each_target_in_request_order_and_offline_phones_are_named(store, tasks):
    await DeviceHandlers(store).observed("B", "device")
    result = await create(tasks, request(serials=("B", "A", "C"), targets=("u1", "u2")))
    assert result == Created(task_ids=[1, 2, 3, 4, 5, 6], offline_serials=["A", "C"])
    shown = [(created(store, n).serial, created(store, n).script_config["target_users"]) for n in result.task_ids]
    assert shown == [("B", ["u1"]), ("B", ["u2"]), ("A", ["u1"]), ("A", ["u2"]), ("C", ["u1"]), ("C", ["u2"])]
    assert {created(store, n).source for n in result.task_ids} == {"api"}
    assert len(store.appends) == 2  # the device's connection, then every task in one append


async def test_account_tasks_run_on_the_phone_the_registry_names(store, tasks):
    accounts = AccountHandlers(store)
    await accounts.register("@Alice", "P1")
    await accounts.register("bob", "P2")
    result = await create(tasks, request(usernames=("BOB", "alice"), script_name="account_warmup"))
    assert [(created(store, n).serial, created(store, n).username) for n in result.task_ids] == [
        ("P2", "BOB"),
        ("P1", "alice"),
    ]
    assert result.offline_serials == ["P2", "P1"]


async def test_multi_account_makes_a_task_per_account_of_each_phone(store, tasks):
    accounts = AccountHandlers(store)
    for username, serial in (("a1", "A"), ("a2", "A"), ("b1", "B")):
        await accounts.register(username, serial)
    result = await create(tasks, request(serials=("A", "B", "C"), enable_multi_account=True))
    assert [(created(store, n).serial, created(store, n).username) for n in result.task_ids] == [
        ("A", "a1"),
        ("A", "a2"),
        ("B", "b1"),
        ("C", None),
    ]


async def test_an_unknown_username_is_a_40001_naming_it_and_creates_nothing(store, tasks):
    await AccountHandlers(store).register("alice", "P1")
    appended = len(store.appends)
    with pytest.raises(ApiError) as refused:
        await create(tasks, request(usernames=("alice", "mallory")))
    assert refused.value.code == Code.INVALID_PARAMETERS and "mallory" in refused.value.message
    assert len(store.appends) == appended


async def test_due_times_follow_the_start_time_in_the_zone_of_now_then_the_interval(store, tasks):
    result = await create(
        tasks, request(serials=("A",), targets=("u1", "u2"), start_time=(9, 30), min_interval=15, max_interval=15)
    )
    assert [created(store, n).start_time for n in result.task_ids] == [
        "2026-12-01T09:30:00+01:00",
        "2026-12-01T09:45:00+01:00",
    ]


async def test_without_a_start_time_the_first_task_is_due_when_its_phone_is_free(store, tasks):
    result = await create(tasks, request(serials=("A", "B")))
    assert [created(store, n).start_time for n in result.task_ids] == [None, None]


async def test_secrets_are_kept_apart_from_the_log(store, tasks, tmp_path):
    body = {
        "serials": ["A"],
        "script_name": "account_warmup",
        "script_config": {"generate_by_chatgpt": True, "chatgpt_settings": {"api_key": "sk-secret"}},
    }
    parsed = parse_create_task(msgspec.json.encode(body), FilePolicy(data_dir=tmp_path))
    result = await create(tasks, parsed)
    assert store.secrets == {result.task_ids[0]: {"chatgpt_api_key": "sk-secret"}}
    assert "sk-secret" not in repr(store.log)


async def test_side_writes_see_what_was_created_and_commit_with_the_tasks(store, tasks):
    def remember(done: Created):
        return [RememberResponse("key", "hash", f"{done.task_ids} {done.offline_serials}".encode(), 1.0)]

    await create(tasks, request(serials=("A", "B")), side_writes=remember)
    assert store.idempotency["key"].response == b"[1, 2] ['A', 'B']"
    assert len(store.appends) == 1
