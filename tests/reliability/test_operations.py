"""Operations, end to end on `serve --sim`: /health says what it should, /metrics figures move
as tasks run, and `droidledger backup` of a live database under write load is a consistent
copy holding every task acknowledged before it started."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time

import anyio
import httpx
import pytest

from tests.support.harness import database
from tests.support.harness.server import CLI, ServeProcess, clean_env
from tests.support.harness.workload import Ledger, phone_serials, run_clients

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX processes")

PHONES = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("operations")
    # --rest-status: the workload checks that each answer's HTTP status matches its code.
    with ServeProcess(
        home / "data", "--sim", str(PHONES), "--time-scale", "0.01", "--rest-status", log_path=home / "serve.log"
    ) as running:
        running.home = home
        yield running


def _metrics(server) -> dict[str, float]:
    text = httpx.get(f"{server.origin}/metrics", timeout=10).text
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def _wait_all_finished(api: httpx.Client, ids: list[int], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(api.get(f"/task/{i}").json()["data"]["status"] in (2, 3) for i in ids):
            return
        time.sleep(0.1)
    raise AssertionError("tasks did not finish")


def test_health_reports_the_database_the_scheduler_and_the_phones(server):
    response = httpx.get(f"{server.base_url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "code": 0,
        "message": "success",
        "data": {"database": "ok", "backend": "sqlite", "scheduler": "running", "phones_online": PHONES},
    }


def test_metrics_move_as_tasks_run(server):
    before = _metrics(server)
    with httpx.Client(base_url=server.base_url, timeout=10) as api:
        serials = [d["serial"] for d in api.get("/device").json()["data"]["devices"]]
        created = api.post(
            "/task", json={"serials": serials, "script_name": "follow", "script_config": {"target_users": ["a", "b"]}}
        ).json()["data"]["task_ids"]
        _wait_all_finished(api, created)
        completed = api.get("/task/stats").json()["data"]["completed"]
    after = _metrics(server)

    def grew(name: str) -> float:
        return after[name] - before.get(name, 0.0)

    assert after['droidledger_tasks{status="completed"}'] == completed
    assert grew('droidledger_tasks{status="completed"}') == len(created)
    # created + started + 3 steps + completed per task, at least
    assert grew("droidledger_events_appended_total") >= 6 * len(created)
    assert grew("droidledger_commits_total") >= 1
    assert grew("droidledger_commit_batch_appends_count") == grew("droidledger_commits_total")
    assert grew("droidledger_append_seconds_count") >= 5 * len(created) + 1  # one create, 5 appends per run
    assert grew("droidledger_append_seconds_sum") > 0
    assert after["droidledger_log_position"] >= before["droidledger_log_position"] + 6 * len(created)
    busy = {k: v for k, v in after.items() if k.startswith("droidledger_phone_busy_seconds_total{")}
    runs = {k: v for k, v in after.items() if k.startswith("droidledger_phone_tasks_run_total{")}
    assert len(busy) == PHONES and all(v > 0 for v in busy.values())
    assert {re.search(r'serial="([^"]+)"', k).group(1) for k in busy} == set(serials)
    assert sum(runs.values()) - sum(
        v for k, v in before.items() if k.startswith("droidledger_phone_tasks_run_total{")
    ) == len(created)
    assert after['droidledger_tasks{status="running"}'] == 0 and after["droidledger_phones_running"] == 0


def test_a_backup_under_write_load_is_consistent_and_holds_every_acknowledged_task(server):
    ledger = Ledger()
    done = threading.Event()
    serials = anyio.run(phone_serials, server.base_url)
    mix = {"create": 70, "stop": 15, "retry": 10, "delete": 5}

    async def clients_until_done() -> None:
        stop = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: run_clients(server.base_url, ledger, serials, clients=6, mix=mix, stop=stop, seed=5))
            while not done.is_set():
                await anyio.sleep(0.05)
            stop.set()

    def load() -> None:
        anyio.run(clients_until_done)

    writer = threading.Thread(target=load)
    writer.start()
    try:
        time.sleep(3)
        acknowledged_before = set(ledger.acknowledged)
        deleted_before = set(ledger.deleted)
        events_before = len(ledger.acknowledged)
        target = server.home / "backup.db"
        started = time.monotonic()
        result = subprocess.run(
            [*CLI, "backup", str(target), "--db", str(server.db_path)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=server.home,
            env=clean_env(),
        )
        took = time.monotonic() - started
        acknowledged_during = len(ledger.acknowledged) - events_before
    finally:
        done.set()
        writer.join(timeout=60)
    print(f"backup took {took:.2f} s while {acknowledged_during} more tasks were acknowledged")
    assert result.returncode == 0, result.stderr
    assert "integrity_check: ok" in result.stdout
    assert acknowledged_during > 0, "the load really ran during the backup"
    assert database.integrity(target) == "ok"
    streams = database.task_streams(target)
    assert acknowledged_before - set(streams) == set()
    copy = database.copy_database(target, server.home / "backup-replayed")
    replay = database.views_equal_replay(copy)
    assert replay.equal, replay  # one snapshot: views and log from the same instant
    assert not ledger.server_errors and not ledger.bad_envelopes
    assert deleted_before <= set(streams)  # deleted tasks keep their streams


WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA synchronous = OFF")
print("writing", flush=True)
while True:
    conn.execute("INSERT INTO filler VALUES (randomblob(200))")
"""


def test_a_backup_finishes_while_another_process_commits_without_pause(tmp_path):
    """A backup in steps restarts whenever another process commits between two steps: under
    steady writes it never finished (it was pages=1024 steps)."""
    db = tmp_path / "busy.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE filler (blob BLOB)")
    conn.execute(
        "INSERT INTO filler SELECT randomblob(1000) FROM generate_series(1, 20000)"
        if sqlite3.sqlite_version_info >= (3, 46)
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
        "INSERT INTO filler SELECT randomblob(1000) FROM n"
    )
    conn.close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        time.sleep(0.2)
        result = subprocess.run(
            [*CLI, "backup", str(tmp_path / "copy.db"), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=clean_env(),
        )
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 0, result.stderr
    assert database.integrity(tmp_path / "copy.db") == "ok"
