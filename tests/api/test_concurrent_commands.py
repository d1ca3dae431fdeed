"""Commands racing on the same tasks: each is applied once, the losers get 40901/40401, never a 500."""

from __future__ import annotations

import anyio

BODY = {"serials": ["A", "B", "C"], "script_name": "post", "script_config": {}}


async def _all(client, calls):
    answers = []

    async def send(method, path, body):
        answers.append(await client.request(method, path, json=body))

    async with anyio.create_task_group() as tg:
        for call in calls:
            tg.start_soon(send, *call)
    return answers


async def test_racing_stops_of_one_pending_task_stop_it_once(serve_async):
    async with serve_async() as (_, client):
        await client.post("/api/v1/task", json=BODY)
        answers = await _all(client, [("POST", "/api/v1/task/1/stop", None)] * 10)
        codes = sorted(r.json()["code"] for r in answers)
        assert codes == [0] + [40901] * 9
        assert {r.status_code for r in answers} == {200, 409}
        events = (await client.get("/api/v1/task/1/events")).json()["data"]["events"]
        assert [e["type"] for e in events] == ["created", "stop-requested", "failed"]


async def test_racing_deletes_stops_and_retries_never_fail_with_500(serve_async):
    async with serve_async() as (_, client):
        await client.post("/api/v1/task", json=BODY)
        calls = [
            ("POST", "/api/v1/task/1/stop", None),
            ("DELETE", "/api/v1/task/1", None),
            ("POST", "/api/v1/task/1/retry", None),
            ("POST", "/api/v1/task/retry-all", None),
            ("DELETE", "/api/v1/task/batch", {"task_ids": [1, 2]}),
            ("POST", "/api/v1/task/2/stop", None),
            ("POST", "/api/v1/task", BODY),
        ] * 4
        answers = await _all(client, calls)
        assert {r.json()["code"] for r in answers} <= {0, 40401, 40901}
        assert all(r.status_code < 500 for r in answers)
        log = (await client.get("/api/v1/events", params={"limit": 1000})).json()["data"]["events"]
        deleted = [e["task_id"] for e in log if e["type"] == "deleted"]
        assert sorted(deleted) == [1, 2]  # each deleted exactly once
        stats = (await client.get("/api/v1/task/stats")).json()["data"]
        listed = (await client.get("/api/v1/task", params={"page_size": 100})).json()["data"]
        assert stats["total"] == listed["total"] == len(listed["tasks"]) == 3 + 4 * 3 - 2
