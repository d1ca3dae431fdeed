"""The long form of the several-PCs test: `serve --no-agent` and N `droidledger agent` processes with
M virtual phones each, on PostgreSQL, for T minutes, while clients keep every phone's queue fed
and agents are killed (SIGKILL, back after a while) or paused (SIGSTOP past their lease, then
SIGCONT) at random.

    python bench/cluster.py [--agents 3] [--phones 5] [--minutes 3] [--lease-s 4] [--seed 1]
                            [--db postgresql://postgres@127.0.0.1:5432/test]

Each run works in a schema of its own in that database (dropped at the end). It prints progress
every few seconds and ends with one JSON line: tasks created and done, `lost` (acknowledged tasks
missing or never finished), `run_twice` (breaks of the run rules on the event streams: a double
run or a write after a takeover), and the time from an agent's loss (its kill or pause) to its
running tasks' failure, p50 and p99. Exit status 0 when lost and run_twice are 0.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import emit, machine, table  # noqa: E402
from tests.support.cluster import AgentProcess, read_log, run_violations  # noqa: E402
from tests.support.harness.server import ServeProcess, clean_env  # noqa: E402

TIME_SCALE = 0.02
QUEUE_PER_PHONE = 2
DRAIN_S = 180.0


@dataclass
class Chaos:
    """What was done to the agents, and how long each loss took to be recorded."""

    kills: int = 0
    pauses: int = 0
    loss_to_failed_s: list[float] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # running tasks of a lost agent never failed


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, f"options=-csearch_path%3D{schema}"]))
    return urlunsplit(parts._replace(query=query))


class Cluster:
    def __init__(self, folder: Path, db: str, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        env = clean_env()
        lease = str(args.lease_s)
        self.api = ServeProcess(
            folder / "api",
            "--db",
            db,
            "--no-agent",
            "--auto-retry",
            "--retry-delay-min",
            "0.5",
            "--retry-delay-max",
            "1",
            "--lease-s",
            lease,
            "--time-scale",
            str(TIME_SCALE),
            "--sync",
            "normal",
            "--no-access-log",
            "--adb-port",
            "1",
        )
        self.agents = [
            AgentProcess(
                folder / f"pc{i}",
                db,
                f"pc{i}",
                sim=args.phones,
                seed=i + 1,
                lease_s=args.lease_s,
                time_scale=TIME_SCALE,
                env=env,
            )
            for i in range(args.agents)
        ]
        self.http: httpx.Client | None = None
        self.created: list[int] = []
        self.errors: list[str] = []
        self.chaos = Chaos()
        self.stop_load = threading.Event()

    def ok(self, response: httpx.Response):
        body = response.json()
        if body["code"] != 0:
            raise RuntimeError(f"{response.request.url}: {body}")
        return body["data"]

    def devices(self) -> list[dict]:
        return self.ok(self.http.get("/device"))["devices"]

    def start(self) -> None:
        self.api.start().wait_ready()
        self.http = httpx.Client(base_url=self.api.base_url, timeout=30)
        for agent in self.agents:
            agent.start()
        want = self.args.agents * self.args.phones
        deadline = time.monotonic() + 120
        while sum(1 for d in self.devices() if d["agent"] and not d["agent_lost"]) < want:
            if time.monotonic() > deadline:
                owners = sorted((d["serial"], d["agent"], d["agent_lost"]) for d in self.devices())
                tails = "\n".join(f"--- {a.name}\n{a.output()[-1500:]}" for a in self.agents)
                raise RuntimeError(f"the agents did not claim their phones within 120 s: {owners}\n{tails}")
            time.sleep(0.2)

    # --- load: every phone's queue kept fed ------------------------------------------------------
    def feed(self) -> None:
        with httpx.Client(base_url=self.api.base_url, timeout=30) as http:
            n = 0
            while not self.stop_load.is_set():
                stats = self.ok(http.get("/task/stats"))
                if stats.get("pending", 0) < QUEUE_PER_PHONE * len(self.agents) * self.args.phones:
                    serials = [d["serial"] for d in self.ok(http.get("/device"))["devices"]]
                    n += 1
                    body = {"serials": serials, "script_name": "follow", "script_config": {"target_users": [f"u{n}"]}}
                    try:
                        self.created += self.ok(http.post("/task", json=body))["task_ids"]
                    except (RuntimeError, httpx.HTTPError) as exc:
                        self.errors.append(str(exc))
                self.stop_load.wait(0.5)

    # --- chaos: kills and pauses ----------------------------------------------------------------
    def running_on(self, name: str) -> list[int]:
        return [d["current_task_id"] for d in self.devices() if d["agent"] == name and d["current_task_id"]]

    def strike(self) -> None:
        agent = self.rng.choice([a for a in self.agents if a.running])
        running = self.running_on(agent.name)
        struck = time.monotonic()
        if self.rng.random() < 0.5:
            self.chaos.kills += 1
            agent.kill()
            action = "killed"
        else:
            self.chaos.pauses += 1
            agent.pause()
            action = "paused"
        print(f"  {agent.name} {action} with {len(running)} tasks running", flush=True)
        self.watch_failures(agent.name, running, struck)
        time.sleep(self.args.lease_s + self.rng.uniform(1, 4))
        if action == "killed":
            agent.start()
        else:
            agent.resume()

    def watch_failures(self, name: str, task_ids: list[int], struck: float) -> None:
        """Wait for the lost agent's running tasks to fail 'agent … lost'; the time that took."""
        pending = set(task_ids)
        deadline = struck + self.args.lease_s + 30
        while pending and time.monotonic() < deadline:
            for task_id in list(pending):
                task = self.ok(self.http.get(f"/task/{task_id}"))
                if task["status_text"] != "running" or (task["error"] or "").startswith(f"agent {name} lost"):
                    pending.discard(task_id)
                    self.chaos.loss_to_failed_s.append(time.monotonic() - struck)
            time.sleep(0.05)
        self.chaos.unrecorded += [f"task {t} of {name}" for t in pending]

    # --- the end ---------------------------------------------------------------------------------
    def drain(self) -> list[int]:
        """Wait until every created task is finished; the ids that never were."""
        deadline = time.monotonic() + DRAIN_S
        open_ids = set(self.created)
        while open_ids and time.monotonic() < deadline:
            for task_id in sorted(open_ids)[:200]:
                if self.ok(self.http.get(f"/task/{task_id}"))["status_text"] in ("completed", "failed"):
                    open_ids.discard(task_id)
            time.sleep(0.2)
        return sorted(open_ids)

    def log(self) -> list[dict]:
        return read_log(self.http)

    def stop(self) -> list[int]:
        if self.http is not None:
            self.http.close()
        return [agent.stop() for agent in self.agents] + [self.api.stop()]


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run(cluster: Cluster, minutes: float) -> dict:
    feeder = threading.Thread(target=cluster.feed, daemon=True)
    feeder.start()
    started = time.monotonic()
    end = started + minutes * 60
    while time.monotonic() < end:
        time.sleep(cluster.rng.uniform(2, 6))
        cluster.strike()
        print(
            f"{time.monotonic() - started:6.0f} s  {len(cluster.created)} tasks created, "
            f"{cluster.chaos.kills} kills, {cluster.chaos.pauses} pauses",
            flush=True,
        )
    cluster.stop_load.set()
    feeder.join()
    print("draining: waiting for every task to finish", flush=True)
    never_finished = cluster.drain()
    log = cluster.log()
    present = {e["task_id"] for e in log if e["type"] == "created"}
    missing = sorted(set(cluster.created) - present)
    violations = run_violations(log)
    done = sum(1 for e in log if e["type"] == "completed")
    failed_lost = sum(1 for e in log if e["type"] == "failed" and " lost (no heartbeat" in e["data"]["reason"])
    for line in (violations + [f"never finished: {t}" for t in never_finished] + cluster.chaos.unrecorded)[:20]:
        print(f"  PROBLEM {line}")
    return {
        "agents": cluster.args.agents,
        "phones_per_agent": cluster.args.phones,
        "minutes": minutes,
        "lease_s": cluster.args.lease_s,
        "tasks_created": len(cluster.created),
        "tasks_done": done,
        "failed_by_agent_loss": failed_lost,
        "kills": cluster.chaos.kills,
        "pauses": cluster.chaos.pauses,
        "lost": len(missing) + len(never_finished) + len(cluster.chaos.unrecorded),
        "run_twice": len(violations),
        "create_errors": len(cluster.errors),
        "loss_to_failed_p50_s": _percentile(cluster.chaos.loss_to_failed_s, 0.5),
        "loss_to_failed_p99_s": _percentile(cluster.chaos.loss_to_failed_s, 0.99),
        "events": len(log),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--phones", type=int, default=5, help="virtual phones per agent")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--lease-s", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    schema = f"cluster_{int(time.time())}"
    with psycopg.connect(args.db, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    print(f"machine: {machine()}")
    print(
        f"cluster: {args.agents} agents x {args.phones} phones, {args.minutes} min, lease {args.lease_s} s, "
        f"schema {schema} of {args.db}",
        flush=True,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="droidledger-cluster-") as tmp:
            cluster = Cluster(Path(tmp), _with_schema(args.db, schema), args)
            try:
                cluster.start()
                figures = run(cluster, args.minutes)
            finally:
                codes = cluster.stop()
    finally:
        with psycopg.connect(args.db, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
    figures["exit_codes_nonzero"] = sum(1 for code in codes if code != 0)
    table("cluster", ["figure", "value"], [[k, v] for k, v in figures.items()])
    emit(figures)
    return 0 if figures["lost"] == 0 and figures["run_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
