"""A `droidledger serve --sim N` process for the end-to-end tests, and the calls they make on it.

`SimServer(data_dir, "--auto-retry", sim=4)` starts the server on a free port with virtual phones
(`--time-scale 0.01` unless given), `wait_ready()` waits for `/license/check`, `stop()` sends SIGTERM
and returns the exit code, `kill()` sends SIGKILL. The calls (`create`, `wait_done`, `events`,
`phone`, `account`, `faults`) go through httpx to the real process and assert success envelopes.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.harness.server import clean_env, free_port

CLI = [sys.executable, "-m", "service.cli"]
READY_TIMEOUT_S = 60
TASK_TIMEOUT_S = 30
FINISHED = (2, 3)


class SimServer:
    """One `droidledger serve --sim N` process on a data dir (loopback IPv4 only); output to a log file."""

    def __init__(
        self, data_dir: Path, *flags: str, sim: int = 4, time_scale: float = 0.01, port: int | None = None
    ) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.log_path = data_dir.parent / f"serve-{data_dir.name}-{self.port}.log"
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                *CLI,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data-dir",
                str(data_dir),
                "--sync",
                "normal",
                "--sim",
                str(sim),
                "--time-scale",
                str(time_scale),
                *flags,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=data_dir.parent,
            env=clean_env(),
        )
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.client = httpx.Client(base_url=self.base, timeout=10)
        if "--api-key" in flags:  # every call presents it
            self.client.headers["Authorization"] = f"Bearer {flags[flags.index('--api-key') + 1]}"
        self.serials: list[str] = []

    # -- life ----------------------------------------------------------------------------------
    def output(self) -> str:
        """What the server logged so far."""
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> SimServer:
        """Wait until the API answers (it opens once the virtual phones are online)."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/license/check", timeout=0.5).status_code == 200:
                    self.serials = list(self.sim_state()["phones"])
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"serve did not answer within {READY_TIMEOUT_S} s:\n{self.output()}")

    def stop(self, timeout_s: float = 20) -> int:
        """SIGTERM, then the exit code (-999 if it had to be killed after timeout_s)."""
        self.client.close()
        code = 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                code = -999
        self._log.close()
        return code or self.process.returncode

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as a crash or a power cut would leave it."""
        self.client.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()

    # -- the API -------------------------------------------------------------------------------
    @staticmethod
    def ok(response: httpx.Response) -> Any:
        """Assert a success envelope; its data."""
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["code"], body["message"]) == (0, "success"), body
        return body["data"]

    def create(
        self, serials: list[str] | None, script_name: str, script_config: dict[str, Any], **fields: Any
    ) -> list[int]:
        """POST /task; the ids."""
        body = {"script_name": script_name, "script_config": script_config, **fields}
        if serials is not None:
            body["serials"] = serials
        return self.ok(self.client.post("/task", json=body))["task_ids"]

    def create_one(self, serial: str, script_name: str, script_config: dict[str, Any], **fields: Any) -> int:
        """One task on one phone; its id."""
        ids = self.create([serial], script_name, script_config, **fields)
        assert len(ids) == 1, ids
        return ids[0]

    def task(self, task_id: int) -> dict[str, Any]:
        """GET /task/{id}."""
        return self.ok(self.client.get(f"/task/{task_id}"))

    def events(self, task_id: int) -> list[dict[str, Any]]:
        """GET /task/{id}/events."""
        return self.ok(self.client.get(f"/task/{task_id}/events"))["events"]

    def log(self, after: int = 0) -> list[dict[str, Any]]:
        """The global log after a position."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.ok(self.client.get("/events", params={"after": after, "limit": 1000}))["events"]
            if not page:
                return found
            found += page
            after = page[-1]["position"]

    def wait_done(self, task_ids: Iterable[int], timeout_s: float = TASK_TIMEOUT_S) -> dict[int, dict[str, Any]]:
        """Wait until every task is completed or failed; the tasks."""
        ids = list(task_ids)
        deadline = time.monotonic() + timeout_s
        while True:
            tasks = {i: self.task(i) for i in ids}
            if all(t["status"] in FINISHED for t in tasks.values()):
                return tasks
            if time.monotonic() > deadline:
                stuck = {
                    i: (t["status_text"], [e["type"] for e in self.events(i)])
                    for i, t in tasks.items()
                    if t["status"] not in FINISHED
                }
                pytest.fail(f"tasks not finished within {timeout_s} s: {stuck}")
            time.sleep(0.05)

    def wait_until(self, what: str, check, timeout_s: float = TASK_TIMEOUT_S, every_s: float = 0.03) -> Any:
        """Poll `check()` until it returns something truthy; that value."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {timeout_s} s")
            time.sleep(every_s)

    def wait_steps(self, task_id: int, name: str, count: int = 1) -> list[dict[str, Any]]:
        """Wait until the task recorded `count` steps called `name`; its events then."""

        def enough():
            events = self.events(task_id)
            done = [e for e in events if e["type"] == "step-completed" and e["data"]["name"] == name]
            return events if len(done) >= count else None

        return self.wait_until(f"task {task_id}: {count} x {name}", enough)

    def device(self, serial: str) -> dict[str, Any]:
        """The phone's row of GET /device."""
        devices = self.ok(self.client.get("/device"))["devices"]
        return next(d for d in devices if d["serial"] == serial)

    def register(self, index: int) -> str:
        """Register the account signed in on phone `index` (POST /account); its username."""
        serial = self.serials[index]
        username = self.phone(serial)["current_account"]
        self.ok(self.client.post("/account", json={"username": username, "serial": serial}))
        return username

    def follow_as(self, username: str, *targets: str) -> list[int]:
        """Follow tasks in account mode, one per target; their ids."""
        body = {"usernames": [username], "script_name": "follow", "script_config": {"target_users": list(targets)}}
        return self.ok(self.client.post("/task", json=body))["task_ids"]

    def waiting(self, task_id: int) -> dict[str, Any]:
        """Wait until the pending task waits for its account; its `waiting`."""
        return self.wait_until(f"task {task_id} waits", lambda: self.task(task_id)["waiting"])

    def accounts(self, serial: str) -> list[str]:
        """Usernames the registry holds for a phone, sorted."""
        return sorted(
            a["username"] for a in self.ok(self.client.get("/account", params={"serial": serial}))["accounts"]
        )

    # -- the virtual phones ----------------------------------------------------------------------
    def sim_state(self) -> dict[str, Any]:
        """GET /sim/state."""
        return self.ok(self.client.get("/sim/state"))

    def phone(self, serial: str) -> dict[str, Any]:
        """One virtual phone's state."""
        return self.sim_state()["phones"][serial]

    def account(self, serial: str, username: str | None = None) -> dict[str, Any]:
        """An account's state on a phone (the current account by default)."""
        phone = self.phone(serial)
        return phone["accounts"][username or phone["current_account"]]

    def faults(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/faults; the switches after."""
        return self.ok(self.client.post("/sim/faults", json=body))


def kinds(events: list[dict[str, Any]]) -> list[str]:
    """The types of events, in order; step-completed shown as `step:<name>`."""
    return [f"step:{e['data']['name']}" if e["type"] == "step-completed" else e["type"] for e in events]


def last(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The data of the last event of a type."""
    return next(e["data"] for e in reversed(events) if e["type"] == kind)


def assert_run(
    events: list[dict[str, Any]],
    steps: list[str],
    *,
    attempt: int = 1,
    serial: str | None = None,
    username: str | None = None,
) -> list[dict[str, Any]]:
    """The attempt's events are `started` (with a seed), one `step-completed` per step (index, name,
    detail, duration), then `completed`; returns the step events' data."""
    run = [e for e in events if e["data"].get("attempt") == attempt and e["type"] != "material-used"]
    assert kinds(run) == ["started", *(f"step:{s}" for s in steps), "completed"], kinds(events)
    started = run[0]["data"]
    assert isinstance(started["seed"], int) and started["seed"] >= 0
    if serial is not None:
        assert started["serial"] == serial
    assert started["username"] == username, started
    recorded = [e["data"] for e in run[1:-1]]
    for index, step in enumerate(recorded, 1):
        assert step["index"] == index
        assert isinstance(step["detail"], str) and step["detail"]
        assert isinstance(step["duration_ms"], int) and step["duration_ms"] >= 0
    assert run[-1]["data"]["steps"] == len(steps)
    return recorded
