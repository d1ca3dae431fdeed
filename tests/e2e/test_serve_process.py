"""End to end: `droidledger serve` as a real process, driven with httpx over both loopbacks,
stopped with SIGTERM and started again on the same files; `replay` and `backup` beside it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.support.harness.server import clean_env, free_port, ipv6_loopback

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGTERM is POSIX")

READY_TIMEOUT_S = 15
CLI = [sys.executable, "-m", "service.cli"]


IPV6 = ipv6_loopback()


class Server:
    """One `droidledger serve` process on a data dir; stderr goes to a file."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.log_path = data_dir.parent / f"serve-{self.port}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), "--data-dir", str(data_dir), *extra],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=data_dir.parent,
            env=clean_env(),
        )
        self.ipv4 = f"http://127.0.0.1:{self.port}/api/v1"
        self.ipv6 = f"http://[::1]:{self.port}/api/v1"

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.ipv4}/license/check", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"serve did not answer within {READY_TIMEOUT_S} s:\n{self.output()}")

    def stop(self) -> int:
        """SIGTERM, then the exit code (killed after 5 s, which fails the caller's assertion)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self._log.close()
                return -999
        self._log.close()
        return self.process.returncode


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=30, cwd=cwd, env=clean_env())


def _ok(response: httpx.Response):
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["code"], body["message"]) == (0, "success"), body
    return body["data"]


def _snapshot(base: str) -> dict:
    """Every task and every task's events, as the API shows them; the log without the agents' own streams
    (each start of the server adds its agent's started and stopped events)."""
    with httpx.Client(base_url=base, timeout=5) as client:
        tasks = _ok(client.get("/task", params={"page_size": 100}))
        events = {t["id"]: _ok(client.get(f"/task/{t['id']}/events"))["events"] for t in tasks["tasks"]}
        return {
            "tasks": tasks,
            "events": events,
            "stats": _ok(client.get("/task/stats")),
            "log": [
                e
                for e in _ok(client.get("/events", params={"limit": 1000}))["events"]
                if not e["stream"].startswith("agent-")
            ],
        }


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def server(home):
    """One server for the module, seeded with tasks in every state the API can reach."""
    running = Server(home / "data")
    running.wait_ready()
    with httpx.Client(base_url=running.ipv4, timeout=5) as client:
        _ok(client.post("/account", json={"username": "@Bob", "serial": "P1"}))
        created = _ok(
            client.post(
                "/task",
                json={"serials": ["A", "B"], "script_name": "follow", "script_config": {"target_users": ["x", "y"]}},
                headers={"Idempotency-Key": "seed"},
            )
        )
        assert created == {"task_ids": [1, 2, 3, 4], "created_count": 4, "offline_serials": ["A", "B"]}
        _ok(client.post("/task/2/stop"))
        _ok(client.post("/task/3/stop"))
        _ok(client.post("/task/3/retry"))
        _ok(client.delete("/task/4"))
        _ok(
            client.post(
                "/task",
                json={"usernames": ["bob"], "script_name": "account_warmup", "script_config": {"follow_probable": 5}},
            )
        )
    yield running
    running.stop()


def test_serve_answers_on_ipv4_loopback(server):
    with httpx.Client(base_url=server.ipv4, timeout=5) as client:
        assert _ok(client.get("/license/check")) == {
            "plan_name": "Pro",
            "api_enabled": True,
            "device_limit": 20,
            "message": "API access enabled",
        }
        assert _ok(client.get("/task/stats")) == {"total": 4, "pending": 3, "running": 0, "completed": 0, "failed": 1}
        assert [t["id"] for t in _ok(client.get("/task"))["tasks"]] == [5, 3, 2, 1]
        assert _ok(client.get("/task/5"))["script_config"]["floow_probable"] == 5
        missing = client.get("/task/4")
        assert (missing.status_code, missing.json()["code"]) == (200, 40401)  # errors answer HTTP 200 by default
        assert client.get(f"http://127.0.0.1:{server.port}/metrics").text.startswith("# HELP")


@pytest.mark.skipif(not IPV6, reason="no IPv6 loopback here")
def test_serve_answers_on_ipv6_loopback_too(server):
    with httpx.Client(base_url=server.ipv6, timeout=5) as client:
        assert _ok(client.get("/license/check"))["plan_name"] == "Pro"
        created = _ok(
            client.post(
                "/task",
                json={"serials": ["C"], "script_name": "post", "script_config": {}},
                headers={"Idempotency-Key": "v6"},
            )
        )
        assert created["task_ids"] == [6]
    with httpx.Client(base_url=server.ipv4, timeout=5) as client:
        assert _ok(client.get("/task/6"))["serial"] == "C"
        again = client.post(
            "/task",
            json={"serials": ["C"], "script_name": "post", "script_config": {}},
            headers={"Idempotency-Key": "v6"},
        )
        assert _ok(again) == created


def test_serve_logs_one_line_per_request_to_stderr(server):
    with httpx.Client(base_url=server.ipv4, timeout=5) as client:
        client.get("/task/stats?probe=log-line")
    deadline = time.monotonic() + 10  # the line is written once the answer has left
    while "/api/v1/task/stats" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = [line for line in server.output().splitlines() if "/api/v1/task/stats" in line]
    assert lines and all(" 200 " in line for line in lines)


def test_replay_refuses_while_the_server_runs_naming_its_pid(server, home):
    result = _run("replay", "--db", str(server.data_dir / "droidledger.db"), cwd=home)
    assert result.returncode == 2, result
    assert f"pid {server.pid}" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_of_the_live_database_is_whole_and_holds_the_tasks(server, home):
    expected = _snapshot(server.ipv4)
    target = home / "backup.db"
    result = _run("backup", str(target), "--db", str(server.data_dir / "droidledger.db"), cwd=home)
    assert result.returncode == 0, result
    assert "integrity_check: ok" in result.stdout
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert [row[0] for row in copy.execute("SELECT id FROM tasks ORDER BY id DESC")] == [
            t["id"] for t in expected["tasks"]["tasks"]
        ]
        assert copy.execute("SELECT count(*) FROM events WHERE stream_id NOT LIKE 'agent-%'").fetchone() == (
            len(expected["log"]),
        )
    finally:
        copy.close()
    refused = _run("backup", str(target), "--db", str(server.data_dir / "droidledger.db"), cwd=home)
    assert refused.returncode == 2 and "exists" in refused.stderr


def test_sigterm_stops_it_then_replay_and_a_restart_keep_every_task_and_event(server, home):
    before = _snapshot(server.ipv4)
    assert server.stop() == 0
    assert "Traceback" not in server.output()

    replay = _run("replay", "--db", str(server.data_dir / "droidledger.db"), cwd=home)
    assert replay.returncode == 0, replay
    with closing(sqlite3.connect(server.data_dir / "droidledger.db")) as db:
        logged = db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert logged == len(before["log"]) + 2  # and the agent's started and stopped
    assert f"rebuilt every view from {logged} events" in replay.stdout

    last_id = max(e["task_id"] for e in before["log"] if e["task_id"])
    again = Server(server.data_dir)
    try:
        again.wait_ready()
        assert _snapshot(again.ipv4) == before
        with httpx.Client(base_url=again.ipv4, timeout=5) as client:
            seeded = client.post(
                "/task",
                json={"serials": ["A", "B"], "script_name": "follow", "script_config": {"target_users": ["x", "y"]}},
                headers={"Idempotency-Key": "seed"},
            )
            assert _ok(seeded)["task_ids"] == [1, 2, 3, 4]  # remembered across the restart
            assert _ok(client.post("/task", json={"serials": ["Z"], "script_name": "post", "script_config": {}}))[
                "task_ids"
            ] == [last_id + 1]
    finally:
        assert again.stop() == 0


def test_listening_beyond_loopback_without_an_api_key_is_refused(home):
    result = _run("serve", "--host", "0.0.0.0", "--port", str(free_port()), "--data-dir", str(home / "open"), cwd=home)
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without an API key" in result.stderr
    assert "--api-key" in result.stderr and "Traceback" not in result.stderr


def test_the_console_script_is_installed_and_refuses_the_same_way(home):
    script = Path(sys.executable).with_name("droidledger")
    if not script.exists():
        pytest.skip("no console script beside this interpreter")
    result = subprocess.run(
        [str(script), "serve", "--host", "0.0.0.0", "--data-dir", str(home / "open")],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=home,
        env=clean_env(),
    )
    assert result.returncode == 2 and "without an API key" in result.stderr


def test_a_database_newer_than_the_code_is_refused_in_one_clear_line(home):
    data = home / "future"
    data.mkdir()
    db = sqlite3.connect(data / "droidledger.db")
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()
    result = _run("serve", "--port", str(free_port()), "--data-dir", str(data), cwd=home)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "schema version 999" in lines[0] and "upgrade droidledger" in lines[0]
    assert "Traceback" not in result.stderr
