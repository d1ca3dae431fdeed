"""PostgreSQL restarted while `serve` runs: the requests in flight and those sent while it is
down get 50001 (never a hang, never a stack trace), `serve` reconnects by itself, nothing
acknowledged is lost, and it answers normally once the database is back.

The database is a server of the test's own (tests/support/postgres_server.py), so stopping it
disturbs nothing else on the machine.
"""

from __future__ import annotations

import os
import threading
import time

import httpx
import pytest

from tests.support.harness.server import ServeProcess
from tests.support.postgres_server import PrivatePostgres, binaries

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="POSIX processes"),
    pytest.mark.skipif(
        binaries() is None and not os.environ.get("CI"), reason="no PostgreSQL server binaries to run a private server"
    ),
]

DOWN_S = 2.0


@pytest.fixture
def database():
    server = PrivatePostgres().init()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def test_serve_rides_out_a_database_restart_and_loses_nothing_acknowledged(tmp_path, database):
    acknowledged: list[int] = []
    refusals: list[dict] = []
    slowest = [0.0]
    stop = threading.Event()

    with ServeProcess(tmp_path / "data", "--db", database.url, "--no-access-log", "--adb-port", "1") as server:

        def create_forever(serial: str) -> None:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                while not stop.is_set():
                    started = time.monotonic()
                    body = http.post(
                        "/task",
                        json={"serials": [serial], "script_name": "follow", "script_config": {"target_user": "alice"}},
                    ).json()
                    slowest[0] = max(slowest[0], time.monotonic() - started)
                    if body["code"] == 0:
                        acknowledged.extend(body["data"]["task_ids"])
                    else:
                        refusals.append(body)
                    time.sleep(0.01)

        clients = [threading.Thread(target=create_forever, args=(f"P{i}",)) for i in range(4)]
        for thread in clients:
            thread.start()
        time.sleep(1.0)
        before = len(acknowledged)
        database.stop("fast")  # every connection is closed, as in a restart
        time.sleep(DOWN_S)
        health_while_down = httpx.get(f"{server.base_url}/health", timeout=30).json()
        database.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(acknowledged) < before + 20:
            time.sleep(0.1)
        stop.set()
        for thread in clients:
            thread.join()

        assert before > 0 and len(acknowledged) >= before + 20, "serve did not take writes again"
        assert refusals, "the restart did not reach any request"
        assert {r["code"] for r in refusals} == {50001}
        assert all("Traceback" not in r["message"] for r in refusals)
        assert slowest[0] < 15, "a request waited for the database instead of failing"
        assert health_while_down["code"] == 50001 and health_while_down["data"]["database"].startswith("not writable")
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            assert http.get("/health").json()["code"] == 0
            stats = http.get("/task/stats").json()["data"]
            assert stats["total"] == len(acknowledged) == len(set(acknowledged))
            for task_id in acknowledged:
                assert http.get(f"/task/{task_id}").json()["code"] == 0, task_id
            events = http.get("/events", params={"after": 0, "limit": 1000}).json()["data"]["events"]
            assert [e["position"] for e in events] == list(range(1, len(events) + 1))
        assert "Traceback" not in server.output()
