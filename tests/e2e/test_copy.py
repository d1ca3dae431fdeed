"""`droidledger copy`: a farm's log moves from SQLite to PostgreSQL and back; a server on the copy
shows the same tasks and events; a non-empty destination is refused; a server holding the
source is refused."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import httpx
import pytest

from tests.support.harness.server import ServeProcess, clean_env

pytestmark = [pytest.mark.skipif(os.name == "nt", reason="POSIX processes"), pytest.mark.postgresql]
CLI = [sys.executable, "-m", "service.cli"]


def _copy(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "copy", *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=clean_env())


def _ok(response: httpx.Response):
    body = response.json()
    assert body["code"] == 0, body
    return body["data"]


def _what_the_api_shows(server: ServeProcess) -> dict:
    """Tasks, accounts and the log without the agents' own streams (each server adds its agent's start)."""
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        tasks = _ok(http.get("/task", params={"page_size": 100}))
        log = _ok(http.get("/events", params={"limit": 1000}))["events"]
        return {
            "tasks": tasks,
            "stats": _ok(http.get("/task/stats")),
            "accounts": _ok(http.get("/account")),
            "events": [e for e in log if not e["stream"].startswith("agent-")],
            "streams": {t["id"]: _ok(http.get(f"/task/{t['id']}/events")) for t in tasks["tasks"]},
        }


def _seed(server: ServeProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        _ok(http.post("/account", json={"username": "@Bob", "serial": "P1"}))
        ids = _ok(
            http.post(
                "/task",
                json={"serials": ["P1", "P2"], "script_name": "follow", "script_config": {"target_users": ["a", "b"]}},
                headers={"Idempotency-Key": "seed-1"},
            )
        )["task_ids"]
        _ok(
            http.post(
                "/task",
                json={
                    "serials": ["P1"],
                    "script_name": "account_warmup",
                    "script_config": {"generate_by_chatgpt": True, "chatgpt_settings": {"api_key": "sk-copy-me"}},
                },
            )
        )
        _ok(http.post(f"/task/{ids[0]}/stop"))
        _ok(http.post(f"/task/{ids[0]}/retry"))
        _ok(http.post(f"/task/{ids[1]}/stop"))
        _ok(http.delete(f"/task/{ids[2]}"))


def test_a_log_moves_from_sqlite_to_postgresql_and_back_unchanged(tmp_path, pg_url):
    sqlite_data = tmp_path / "farm"
    with ServeProcess(sqlite_data, "--no-access-log", "--adb-port", "1") as original:
        _seed(original)
        before = _what_the_api_shows(original)

    with closing(sqlite3.connect(sqlite_data / "droidledger.db")) as source:
        logged = source.execute("SELECT count(*) FROM events").fetchone()[0]
    moved = _copy(str(sqlite_data / "droidledger.db"), pg_url, cwd=tmp_path)
    assert moved.returncode == 0, moved.stderr
    assert f"copied {logged} events" in moved.stdout and "counts checked" in moved.stdout
    with ServeProcess(tmp_path / "api", "--db", pg_url, "--no-access-log", "--adb-port", "1") as on_postgresql:
        assert _what_the_api_shows(on_postgresql) == before
        with httpx.Client(base_url=on_postgresql.base_url, timeout=10) as http:  # the key still answers the same
            again = http.post(
                "/task",
                json={"serials": ["P1", "P2"], "script_name": "follow", "script_config": {"target_users": ["a", "b"]}},
                headers={"Idempotency-Key": "seed-1"},
            )
            assert _ok(again)["task_ids"] == [1, 2, 3, 4]

    back = tmp_path / "laptop" / "droidledger.db"
    returned = _copy(pg_url, f"sqlite:///{back}", cwd=tmp_path)
    assert returned.returncode == 0, returned.stderr
    with ServeProcess(tmp_path / "laptop", "--no-access-log", "--adb-port", "1") as on_the_laptop:
        assert _what_the_api_shows(on_the_laptop) == before


def test_a_destination_that_holds_events_is_refused_and_left_alone(tmp_path, pg_url):
    with ServeProcess(tmp_path / "one", "--no-access-log", "--adb-port", "1") as first:
        _seed(first)
    with ServeProcess(tmp_path / "two", "--db", pg_url, "--no-access-log", "--adb-port", "1") as second:
        _seed(second)
        kept = _what_the_api_shows(second)
        refused = _copy(str(tmp_path / "one" / "droidledger.db"), pg_url, cwd=tmp_path)
        assert refused.returncode == 2 and "in use by droidledger pid" in refused.stderr
    refused = _copy(str(tmp_path / "one" / "droidledger.db"), pg_url, cwd=tmp_path)
    assert refused.returncode == 2 and "already holds" in refused.stderr and "Traceback" not in refused.stderr
    with ServeProcess(tmp_path / "two", "--db", pg_url, "--no-access-log", "--adb-port", "1") as again:
        assert _what_the_api_shows(again) == kept
