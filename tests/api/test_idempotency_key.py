"""Idempotency-Key on POST /task: same key and body answer the first response and create nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import anyio
from litestar.testing import TestClient

from service.api.app import create_app
from service.clock import FakeClock
from service.domain.task import CreateTask, TaskState, decide
from service.store.records import StreamAppend

BODY = {
    "serials": ["A", "B"],
    "script_name": "follow",
    "script_config": {"target_users": ["x"], "access_method": "search"},
}


def _post(api, body, key, **kwargs):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.client.post("/api/v1/task", content=content, headers={"Idempotency-Key": key}, **kwargs)


def test_the_same_key_and_body_answer_the_first_response_and_create_nothing(api):
    first = _post(api, BODY, "k-1")
    assert api.ok(first) == {"task_ids": [1, 2], "created_count": 2, "offline_serials": ["A", "B"]}
    log = api.log()
    again = _post(api, BODY, "k-1")
    assert (again.status_code, again.content) == (200, first.content)
    assert api.log() == log


def test_a_body_equal_as_json_counts_as_the_same(api):
    first = _post(api, BODY, "k-1")
    reordered = json.dumps(
        {
            "script_config": {"access_method": "search", "target_users": ["x"]},
            "script_name": "follow",
            "serials": ["A", "B"],
        },
        indent=4,
    ).encode()
    log = api.log()
    assert _post(api, reordered, "k-1").content == first.content
    assert _post(api, b"\xef\xbb\xbf" + json.dumps(BODY).encode(), "k-1").content == first.content
    assert api.log() == log


def test_the_same_key_with_another_body_is_40901(api):
    api.ok(_post(api, BODY, "k-1"))
    log = api.log()
    other = {**BODY, "serials": ["A"]}
    api.error(_post(api, other, "k-1"), 40901, 409, "Idempotency-Key")
    assert api.log() == log


def test_other_keys_and_no_key_create_again(api):
    assert api.ok(_post(api, BODY, "k-1"))["task_ids"] == [1, 2]
    assert api.ok(_post(api, BODY, "k-2"))["task_ids"] == [3, 4]
    assert api.ok(api.client.post("/api/v1/task", json=BODY))["task_ids"] == [5, 6]


def test_an_error_response_is_not_remembered(api):
    invalid = {**BODY, "min_interval": -1}
    api.error(_post(api, invalid, "k-1"), 40001, 400, "min_interval")
    assert api.ok(_post(api, BODY, "k-1"))["task_ids"] == [1, 2]


def test_an_error_from_the_registry_is_not_remembered(api):
    body = {"usernames": ["bob"], "script_name": "post", "script_config": {}}
    api.error(_post(api, body, "k-1"), 40001, 400, "bob")
    api.ok(api.client.post("/api/v1/account", json={"username": "bob", "serial": "P1"}))
    assert api.ok(_post(api, body, "k-1"))["task_ids"] == [1]


def test_the_first_response_is_answered_even_when_the_registry_changed_since(api):
    api.ok(api.client.post("/api/v1/account", json={"username": "bob", "serial": "P1"}))
    body = {"usernames": ["bob"], "script_name": "post", "script_config": {}}
    first = _post(api, body, "k-1")
    api.ok(first)
    api.ok(api.client.delete("/api/v1/account/bob"))
    again = _post(api, body, "k-1")
    assert (again.status_code, again.content) == (200, first.content)


def test_a_body_with_numbers_beyond_a_float_hashes_without_error(api):
    body = json.dumps(BODY)[:-1].encode() + b', "note": 1e400, "big": 123456789012345678901234567890}'
    first = _post(api, body, "k-1")
    assert api.ok(first)["created_count"] == 2
    assert _post(api, body, "k-1").content == first.content


def test_a_key_longer_than_200_characters_is_40001(api):
    api.ok(_post(api, BODY, "k" * 200))
    api.error(_post(api, BODY, "k" * 201), 40001, 400, "Idempotency-Key")
    assert api.ok(api.client.get("/api/v1/task/stats"))["total"] == 2


def test_the_key_is_remembered_24_hours(make_api):
    clock = FakeClock(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    api = make_api(clock=clock)
    first = _post(api, BODY, "k-1")
    clock.advance(24 * 3600 - 1)
    assert _post(api, BODY, "k-1").content == first.content
    clock.advance(2)
    assert api.ok(_post(api, BODY, "k-1"))["task_ids"] == [3, 4]


def test_only_a_hash_of_the_body_is_kept(api):
    api.ok(_post(api, BODY, "k-1"))
    ((key, digest, response),) = api.query("SELECT key, body_hash, response FROM idempotency_keys")
    assert key == "k-1"
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert b"search" not in bytes(response) and b"follow" not in bytes(response)


def test_the_key_survives_a_restart_on_the_same_database(tmp_path, settings_for):
    settings = settings_for(data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        first = client.post("/api/v1/task", json=BODY, headers={"Idempotency-Key": "k-1"})
        assert first.json()["data"]["task_ids"] == [1, 2]
    with TestClient(create_app(settings)) as client:
        again = client.post("/api/v1/task", json=BODY, headers={"Idempotency-Key": "k-1"})
        assert again.content == first.content
        other = client.post("/api/v1/task", json={**BODY, "serials": ["C"]}, headers={"Idempotency-Key": "k-1"})
        assert (other.status_code, other.json()["code"]) == (409, 40901)
        assert client.get("/api/v1/task/stats").json()["data"]["total"] == 2


async def test_two_racing_requests_with_the_same_key_create_once(serve_async):
    async with serve_async() as (_, client):
        answers = []

        async def send() -> None:
            answers.append(await client.post("/api/v1/task", json=BODY, headers={"Idempotency-Key": "race"}))

        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(send)
        assert {(r.status_code, r.content) for r in answers} == {(200, answers[0].content)}
        assert answers[0].json()["data"]["task_ids"] == [1, 2]
        stats = await client.get("/api/v1/task/stats")
        assert stats.json()["data"]["total"] == 2


async def test_racing_requests_with_different_keys_all_create(serve_async):
    async with serve_async() as (_, client):
        answers = []

        async def send(key: str) -> None:
            answers.append(await client.post("/api/v1/task", json=BODY, headers={"Idempotency-Key": key}))

        async with anyio.create_task_group() as tg:
            for n in range(5):
                tg.start_soon(send, f"k-{n}")
        ids = sorted(i for r in answers for i in r.json()["data"]["task_ids"])
        assert ids == list(range(1, 11))


def test_a_create_retried_after_another_server_took_its_ids_answers_the_ids_it_wrote(api):
    assert api.create(serials=["A"], script_name="follow", script_config={"target_users": ["x"]})["task_ids"] == [1]
    store = api.runtime.store

    async def another_server_creates_task_2() -> None:  # this server's id counter does not know of it
        command = CreateTask(serial="B", username=None, script_name="follow", script_config={}, source="api")
        await store.append(StreamAppend("task-2", 0, decide(TaskState(2), command)))

    api.client.blocking_portal.call(another_server_creates_task_2)
    answer = api.ok(_post(api, BODY, "k-retried"))
    assert answer["task_ids"] == [3, 4]
    assert [api.task(i)["serial"] for i in (3, 4)] == ["A", "B"]
    assert api.ok(_post(api, BODY, "k-retried"))["task_ids"] == [3, 4]
