"""Several PCs, for real, on PostgreSQL: `serve --no-agent` and two `droidledger agent` processes,
each with a virtual farm of its own (different seeds, so different phones). Tasks on the phones of
both complete; an agent killed mid-task has its task failed "agent … lost" within the lease plus
5 s while the other goes on, and its queues resume when it is back; an agent paused past its lease
writes nothing once resumed, and no task ever runs twice (checked on the event streams)."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest

from tests.support.cluster import AgentProcess, read_log, run_violations
from tests.support.harness.server import ServeProcess, clean_env

pytestmark = [pytest.mark.slow, pytest.mark.postgresql, pytest.mark.skipif(os.name == "nt", reason="POSIX signals")]

LEASE_S = 4.0
TIME_SCALE = "0.01"
PHONES = 3
LONG_WARMUP = {"task_duration": 86400, "min_duration": 10, "max_duration": 10}
DEADLINE_S = 60


class Farm:
    """The API process and the two agents, and the calls the test makes."""

    def __init__(self, tmp_path, db: str) -> None:
        env = clean_env()
        self.api = ServeProcess(
            tmp_path / "api",
            "--db",
            db,
            "--no-agent",
            "--lease-s",
            str(LEASE_S),
            "--time-scale",
            TIME_SCALE,
            "--sync",
            "normal",
            "--no-access-log",
            "--adb-port",
            "1",
        )
        self.agents = {
            name: AgentProcess(
                tmp_path / name, db, name, sim=PHONES, seed=seed, lease_s=LEASE_S, time_scale=float(TIME_SCALE), env=env
            )
            for name, seed in (("pc-a", 1), ("pc-b", 2))
        }
        self.http: httpx.Client | None = None

    def start(self) -> Farm:
        self.api.start().wait_ready()
        self.http = httpx.Client(base_url=self.api.base_url, timeout=30)
        for agent in self.agents.values():
            agent.start()
        return self

    def stop(self) -> dict[str, int]:
        if self.http is not None:
            self.http.close()
        codes = {name: agent.stop() for name, agent in self.agents.items()}
        codes["api"] = self.api.stop()
        return codes

    def logs(self) -> str:
        return (
            "\n".join(f"--- {a.name}\n{a.output()[-3000:]}" for a in self.agents.values())
            + f"\n--- api\n{self.api.output()[-3000:]}"
        )

    def ok(self, response: httpx.Response) -> Any:
        body = response.json()
        assert body["code"] == 0, body
        return body["data"]

    def devices(self) -> list[dict[str, Any]]:
        return self.ok(self.http.get("/device"))["devices"]

    def phones_of(self, agent: str) -> list[str]:
        return sorted(d["serial"] for d in self.devices() if d["agent"] == agent)

    def create(self, serial: str, script: str, config: dict[str, Any]) -> int:
        [task_id] = self.ok(
            self.http.post("/task", json={"serials": [serial], "script_name": script, "script_config": config})
        )["task_ids"]
        return task_id

    def follow(self, serial: str, who: str) -> int:
        return self.create(serial, "follow", {"target_users": [who]})

    def task(self, task_id: int) -> dict[str, Any]:
        return self.ok(self.http.get(f"/task/{task_id}"))

    def event_types(self, task_id: int) -> list[str]:
        return [e["type"] for e in self.ok(self.http.get(f"/task/{task_id}/events"))["events"]]

    def log(self) -> list[dict[str, Any]]:
        return read_log(self.http)

    def wait(self, what: str, check, timeout_s: float = DEADLINE_S) -> Any:
        deadline = time.monotonic() + timeout_s
        while not (value := check()):
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {timeout_s} s\n{self.logs()}")
            time.sleep(0.05)
        return value

    def wait_status(self, task_ids: list[int], *statuses: str) -> list[dict[str, Any]]:
        def reached():
            tasks = [self.task(i) for i in task_ids]
            return tasks if all(t["status_text"] in statuses for t in tasks) else None

        return self.wait(f"tasks {task_ids} {'/'.join(statuses)}", reached)


@pytest.fixture
def farm(tmp_path, pg_url):
    farm = Farm(tmp_path, pg_url).start()
    try:
        farm.wait(
            "both agents own their phones",
            lambda: len(farm.phones_of("pc-a")) == PHONES and len(farm.phones_of("pc-b")) == PHONES,
        )
        yield farm
    finally:
        codes = farm.stop()
        assert set(codes.values()) == {0}, (codes, farm.logs())


def test_tasks_complete_on_both_pcs_and_a_killed_agent_fails_only_its_task_then_resumes(farm):
    a_phones, b_phones = farm.phones_of("pc-a"), farm.phones_of("pc-b")
    first = [farm.follow(serial, f"user{n}") for n, serial in enumerate(a_phones + b_phones)]
    assert all(t["status_text"] == "completed" for t in farm.wait_status(first, "completed", "failed"))

    warmup = farm.create(a_phones[0], "account_warmup", LONG_WARMUP)
    farm.wait("the warm-up runs", lambda: "step-completed" in farm.event_types(warmup))
    farm.agents["pc-a"].kill()
    killed_at = time.monotonic()
    [failed] = farm.wait_status([warmup], "failed")
    noticed_s = time.monotonic() - killed_at
    assert failed["error"].startswith("agent pc-a lost (no heartbeat for"), failed
    assert noticed_s <= LEASE_S + 5, f"the loss was recorded {noticed_s:.1f} s after the kill"

    lost = {d["serial"]: d for d in farm.devices() if d["serial"] in a_phones}
    assert all(d["agent"] == "pc-a" and d["agent_lost"] for d in lost.values()), lost
    meanwhile_b = [farm.follow(serial, "during-the-loss") for serial in b_phones]
    waiting_a = farm.follow(a_phones[1], "after-the-restart")
    assert all(t["status_text"] == "completed" for t in farm.wait_status(meanwhile_b, "completed", "failed"))
    assert farm.task(waiting_a)["status_text"] == "pending"

    farm.agents["pc-a"].start()
    [resumed] = farm.wait_status([waiting_a], "completed", "failed")
    assert resumed["status_text"] == "completed", resumed
    assert not any(d["agent_lost"] for d in farm.devices())
    assert run_violations(farm.log()) == []


def test_an_agent_paused_past_its_lease_writes_nothing_once_resumed_and_nothing_runs_twice(farm):
    b_phones = farm.phones_of("pc-b")
    warmup = farm.create(b_phones[0], "account_warmup", LONG_WARMUP)
    farm.wait("the warm-up runs", lambda: "step-completed" in farm.event_types(warmup))
    farm.agents["pc-b"].pause()
    [failed] = farm.wait_status([warmup], "failed")
    assert failed["error"].startswith("agent pc-b lost"), failed

    created_meanwhile = farm.follow(b_phones[1], "while-paused")
    stopped_meanwhile = farm.follow(b_phones[2], "never-run")
    farm.ok(farm.http.post(f"/task/{stopped_meanwhile}/stop"))
    retried = farm.ok(farm.http.post(f"/task/{warmup}/retry"))
    assert retried is not None
    farm.agents["pc-b"].resume()

    done = farm.wait_status([created_meanwhile], "completed", "failed")
    assert done[0]["status_text"] == "completed", done
    farm.wait("the retried warm-up runs again", lambda: farm.event_types(warmup).count("started") == 2)
    assert "started" not in farm.event_types(stopped_meanwhile)
    farm.ok(farm.http.post(f"/task/{warmup}/stop"))
    farm.wait_status([warmup], "failed")
    assert run_violations(farm.log()) == []
