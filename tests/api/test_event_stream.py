"""GET /events/stream: Server-Sent Events of the log, through the whole app (its middleware included),
read as the app sends them; on SQLite, and on PostgreSQL in the slow tier."""

from __future__ import annotations

import json

import anyio
import pytest

from service.domain.task import StartTask
from service.events import DeviceConnected, device_stream
from service.store.records import StoreError, StreamAppend
from tests.support.sse import asgi_stream

STREAM = "/api/v1/events/stream"


async def _create(client, serial: str = "A", count: int = 1) -> list[int]:
    response = await client.post(
        "/api/v1/task", json={"serials": [serial] * count, "script_name": "post", "script_config": {}}
    )
    assert response.json()["code"] == 0, response.text
    return response.json()["data"]["task_ids"]


async def _log(client) -> list[dict]:
    return (await client.get("/api/v1/events", params={"limit": 1000})).json()["data"]["events"]


async def _until(condition, timeout_s: float = 30) -> None:
    with anyio.fail_after(timeout_s):
        while not condition():
            await anyio.sleep(0.01)


async def test_each_event_is_a_frame_as_get_events_shows_it(serve_async):
    async with serve_async() as (app, client):
        await _create(client, "A", 2)
        async with asgi_stream(app, f"{STREAM}?after=0") as stream:
            assert stream.status == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["cache-control"] == "no-cache"
            first = await stream.events(2)
            await client.post("/api/v1/task/1/stop")
            live = await stream.next_event()
        shown = await _log(client)
    frames = [*first, live]
    assert [(f.id, f.event) for f in frames] == [("1", "created"), ("2", "created"), ("3", "stop-requested")]
    assert [f.data for f in frames] == shown[:3]


async def test_without_a_position_it_starts_at_the_end_of_the_log(serve_async):
    async with serve_async() as (app, client):
        await _create(client, "A", 3)
        async with asgi_stream(app, STREAM) as stream:
            assert await stream.next_comment() == "following the log after position 3"
            await _create(client, "B")
            assert (await stream.next_event()).id == "4"


async def test_after_starts_after_that_position(serve_async):
    async with serve_async() as (app, client):
        await _create(client, "A", 5)
        async with asgi_stream(app, f"{STREAM}?after=3") as stream:
            assert [f.id for f in await stream.events(2)] == ["4", "5"]


async def test_a_reconnect_with_last_event_id_has_no_gap_and_no_duplicate(serve_async):
    """Clients drop and reconnect (Last-Event-ID wins over the URL's `after`) while tasks are created."""
    async with serve_async() as (app, client):
        total = 120
        seen: list[int] = []

        async def append() -> None:
            for _ in range(total // 4):
                await _create(client, "A", 4)

        async with anyio.create_task_group() as tg:
            tg.start_soon(append)
            last = None
            while len(seen) < total:
                headers = [("Last-Event-ID", str(last))] if last is not None else []
                async with asgi_stream(app, f"{STREAM}?after=0", headers) as stream:
                    for _ in range(7):  # a few events, then the connection drops
                        if len(seen) == total:
                            break
                        frame = await stream.next_event()
                        seen.append(int(frame.id))
                        assert frame.data["position"] == seen[-1]
                last = seen[-1]
    assert seen == list(range(1, total + 1))


async def test_the_filters_choose_the_task_the_phone_and_the_types(serve_async):
    async with serve_async(stream_keep_alive_s=0.05) as (app, client):
        await _create(client, "A", 2)  # tasks 1, 2 on A
        await _create(client, "B")  # task 3 on B
        runtime = app.state.runtime
        await runtime.tasks.execute(3, StartTask(serial="B", seed=1))
        await runtime.store.append(StreamAppend(device_stream("B"), 0, [DeviceConnected(model="Pixel 7")]))
        await runtime.store.append(StreamAppend(device_stream("A"), 0, [DeviceConnected(model="Pixel 7")]))
        await client.delete("/api/v1/task/2")
        await client.post("/api/v1/task/3/stop")
        log = await _log(client)

        async def received(query: str) -> list[int]:
            """The positions sent before the first keep-alive (sent once the stream has read the whole log)."""
            positions = []
            async with asgi_stream(app, f"{STREAM}?after=0&{query}") as stream:
                while "keep-alive" not in (frame := await stream.next_frame()).comments:
                    positions += [frame.data["position"]] if frame.is_event else []
            return positions

        def expected(keep) -> list[int]:
            return [e["position"] for e in log if keep(e)]

        assert await received("task_id=3") == expected(lambda e: e["task_id"] == 3)
        assert await received("serial=B") == expected(lambda e: e["stream"] in ("task-3", "device-B"))
        assert await received("serial=A") == expected(lambda e: e["stream"] in ("task-1", "task-2", "device-A"))
        assert await received("types=created,deleted") == expected(lambda e: e["type"] in ("created", "deleted"))
        assert await received("serial=A&types=deleted") == expected(lambda e: e["type"] == "deleted")
        assert await received("task_id=3&types=created") == [3]
        assert await received("serial=nobody") == []


async def test_a_quiet_stream_gets_a_keep_alive_comment(serve_async):
    async with serve_async(stream_keep_alive_s=0.05) as (app, client):
        async with asgi_stream(app, STREAM) as stream:
            await stream.next_comment()  # where it starts
            assert await stream.next_comment() == "keep-alive"
            assert await stream.next_comment() == "keep-alive"
            await _create(client)
            assert (await stream.next_event()).id == "1"


async def test_a_filtered_out_flow_still_gets_keep_alives(serve_async):
    async with serve_async(stream_keep_alive_s=0.05) as (app, client):
        async with asgi_stream(app, f"{STREAM}?task_id=999") as stream:
            await stream.next_comment()
            for _ in range(3):
                await _create(client)
                assert await stream.next_comment() == "keep-alive"


async def test_closing_the_feed_ends_every_stream(serve_async):
    async with serve_async() as (app, client):
        async with asgi_stream(app, STREAM) as first, asgi_stream(app, f"{STREAM}?after=0") as second:
            await first.next_comment()
            await second.next_comment()
            app.state.runtime.feed.close()
            assert await first.ended() == []
            assert await second.ended() == []
        async with asgi_stream(app, STREAM) as late:  # one that starts during the shutdown ends at once
            assert [f.comments for f in await late.ended()] == [["following the log after position 0"]]


async def test_a_stream_ends_when_the_log_cannot_be_read(serve_async, monkeypatch, caplog):
    async with serve_async() as (app, client):
        await _create(client, "A", 3)
        async with asgi_stream(app, f"{STREAM}?after=1") as stream:
            assert (await stream.next_event()).id == "2"

        async def unreadable(after: int = 0, limit: int = 100):
            raise StoreError("the database is away")

        monkeypatch.setattr(app.state.runtime.store, "read_all", unreadable)
        async with asgi_stream(app, f"{STREAM}?after=0") as stream:  # before the feed's memory: from the store
            assert stream.status == 200
            assert [f.is_event for f in await stream.ended()] == [False]
    assert "the log cannot be read (the database is away)" in caplog.text


async def test_metrics_count_open_streams_and_events_sent(serve_async):
    def sample(text: str, name: str) -> float:
        return float(next(line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")))

    async with serve_async() as (app, client):
        async with asgi_stream(app, f"{STREAM}?after=0") as stream:
            await _create(client, "A", 3)
            await stream.events(3)
            metrics = (await client.get("/metrics")).text
            assert sample(metrics, "droidledger_event_streams_open") == 1
            assert sample(metrics, 'droidledger_events_sent_total{via="stream"}') == 3
        feed = app.state.runtime.feed
        await _until(lambda: feed.streams_open == 0)
        assert sample((await client.get("/metrics")).text, "droidledger_event_streams_open") == 0


@pytest.mark.parametrize(
    ("query", "header", "field"),
    [
        ("types=created,bogus", None, "types"),
        ("types=,", None, "types"),
        ("task_id=0", None, "task_id"),
        ("task_id=x", None, "task_id"),
        ("after=-1", None, "after"),
        ("", "abc", "Last-Event-ID"),
        ("after=1", "-5", "Last-Event-ID"),
    ],
)
def test_bad_parameters_are_40001_naming_the_field(shared_api, query, header, field):
    headers = {"Last-Event-ID": header} if header is not None else {}
    response = shared_api.client.get(f"{STREAM}?{query}", headers=headers)
    assert shared_api.error(response, 40001, 400, field).startswith(field)


async def test_the_stream_needs_the_api_key(serve_async):
    async with serve_async(api_key="k3y", hosts=("0.0.0.0",)) as (app, client):
        async with asgi_stream(app, STREAM) as refused:
            assert refused.status == 401
            await refused.ended()
            assert json.loads(refused.body)["code"] == 40101
        async with asgi_stream(app, f"{STREAM}?after=0", [("X-API-Key", "k3y")]) as stream:
            await _create_keyed(client)
            assert (await stream.next_event()).event == "created"


async def _create_keyed(client) -> None:
    response = await client.post(
        "/api/v1/task",
        headers={"X-API-Key": "k3y"},
        json={"serials": ["A"], "script_name": "post", "script_config": {}},
    )
    assert response.json()["code"] == 0, response.text
