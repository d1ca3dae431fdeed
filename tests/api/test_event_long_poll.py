"""GET /events with filters, and with `wait`: the long-poll (on SQLite, and on PostgreSQL in the slow tier)."""

from __future__ import annotations

import anyio
import pytest

EVENTS = "/api/v1/events"


async def _create(client, serial: str = "A", count: int = 1, headers: dict | None = None) -> None:
    response = await client.post(
        "/api/v1/task",
        headers=headers or {},
        json={"serials": [serial] * count, "script_name": "post", "script_config": {}},
    )
    assert response.json()["code"] == 0, response.text


async def _events(client, **params) -> list[dict]:
    body = (await client.get(EVENTS, params=params)).json()
    assert body["code"] == 0, body
    return body["data"]["events"]


async def _while_polling(app, poll, then) -> list[dict]:
    """Start the long-poll `poll`, run `then` once it waits, and return what the poll answered."""
    answer: list = []
    feed = app.state.runtime.feed

    async def run_poll() -> None:
        answer.append(await poll())

    async with anyio.create_task_group() as tg:
        tg.start_soon(run_poll)
        with anyio.fail_after(30):
            while feed.polls_waiting == 0:
                await anyio.sleep(0.01)
        await then()
    return answer[0]


async def test_the_filters_apply_to_the_list(serve_async):
    async with serve_async() as (_, client):
        await _create(client, "A", 2)
        await _create(client, "B")
        await client.post("/api/v1/task/2/stop")
        everything = await _events(client, limit=1000)
        assert [e["position"] for e in await _events(client, task_id=2)] == [
            e["position"] for e in everything if e["task_id"] == 2
        ]
        assert [e["task_id"] for e in await _events(client, serial="B")] == [3]
        assert [e["type"] for e in await _events(client, types="stop-requested")] == ["stop-requested"]
        assert [e["position"] for e in await _events(client, serial="A", limit=2, after=1)] == [2, 4]


async def test_a_long_poll_answers_as_soon_as_an_event_commits(serve_async):
    async with serve_async() as (app, client):
        await _create(client)
        answer = await _while_polling(app, lambda: _events(client, after=1, wait=60), lambda: _create(client, "B"))
        assert [(e["position"], e["type"]) for e in answer] == [(2, "created")]
        assert app.state.runtime.feed.polls_waiting == 0


async def test_a_long_poll_answers_at_once_when_the_event_is_there(serve_async):
    async with serve_async() as (_, client):
        await _create(client, "A", 2)
        with anyio.fail_after(30):  # far below the wait: it did not wait
            assert [e["position"] for e in await _events(client, after=1, wait=60)] == [2]


async def test_a_long_poll_waits_for_a_matching_event(serve_async):
    async with serve_async() as (app, client):
        await _create(client)

        async def then() -> None:
            await _create(client, "B")  # not the one it waits for
            await _create(client, "A")

        answer = await _while_polling(app, lambda: _events(client, after=1, serial="A", wait=60), then)
        assert [(e["position"], e["task_id"]) for e in answer] == [(3, 3)]


async def test_a_long_poll_with_nothing_new_answers_an_empty_list(serve_async):
    async with serve_async() as (_, client):
        await _create(client)
        assert await _events(client, after=1, wait=1) == []
        assert await _events(client, after=1, wait=0) == []


async def test_a_long_poll_ends_when_the_server_shuts_down(serve_async):
    async with serve_async() as (app, client):

        async def shut_down() -> None:
            app.state.runtime.feed.close()

        assert await _while_polling(app, lambda: _events(client, wait=60), shut_down) == []


async def test_metrics_show_waiting_polls_and_events_they_sent(serve_async):
    async with serve_async() as (app, client):

        async def then() -> None:
            metrics = (await client.get("/metrics")).text
            assert "droidledger_event_long_polls_open 1" in metrics.splitlines()
            await _create(client, "A", 2)

        answer = await _while_polling(app, lambda: _events(client, wait=60), then)
        assert len(answer) == 2
        metrics = (await client.get("/metrics")).text.splitlines()
        assert 'droidledger_events_sent_total{via="long-poll"} 2' in metrics
        assert "droidledger_event_long_polls_open 0" in metrics


async def test_a_long_poll_needs_the_api_key(serve_async):
    async with serve_async(api_key="k3y", hosts=("0.0.0.0",)) as (app, client):
        refused = await client.get(EVENTS, params={"wait": 60})
        assert (refused.status_code, refused.json()["code"]) == (401, 40101)
        keyed = {"X-API-Key": "k3y"}

        async def poll() -> list[dict]:
            return (await client.get(EVENTS, params={"wait": 60}, headers=keyed)).json()["data"]["events"]

        answer = await _while_polling(app, poll, lambda: _create(client, headers=keyed))
        assert [e["type"] for e in answer] == ["created"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"wait": 61}, "wait"),
        ({"wait": -1}, "wait"),
        ({"wait": "1.5"}, "wait"),
        ({"wait": "x"}, "wait"),
        ({"types": "created,nope"}, "types"),
        ({"task_id": 0}, "task_id"),
    ],
)
def test_bad_parameters_are_40001_naming_the_field(shared_api, params, field):
    message = shared_api.error(shared_api.client.get(EVENTS, params=params), 40001, 400, field)
    assert message.startswith(field)
