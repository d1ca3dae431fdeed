"""Agents as real processes and the checks a farm of them must pass, for the cluster test
(tests/e2e/test_agents_cluster.py) and the long form (bench/cluster.py).

`AgentProcess` runs `droidledger agent --sim N` (virtual phones of its own) on a store; it can be
killed (SIGKILL), paused (SIGSTOP) and resumed (SIGCONT). `run_violations(log)` reads the global
log and names every place where a task ran twice at once or a write landed outside a run.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-m", "service.cli"]
_RUN_EVENTS = ("step-completed", "material-used", "completed")


class AgentProcess:
    """One `droidledger agent` with `sim` virtual phones; output appended to `<data_dir>.log`."""

    def __init__(
        self,
        data_dir: Path,
        db: str,
        name: str,
        *,
        sim: int,
        seed: int,
        lease_s: float,
        time_scale: float,
        env: dict[str, str],
        extra: Iterable[str] = (),
    ) -> None:
        self.data_dir = Path(data_dir)
        self.name = name
        self.args = [
            "agent",
            "--db",
            db,
            "--name",
            name,
            "--data-dir",
            str(self.data_dir),
            "--sim",
            str(sim),
            "--sim-seed",
            str(seed),
            "--lease-s",
            str(lease_s),
            "--time-scale",
            str(time_scale),
            "--adb-port",
            "1",
            *extra,
        ]  # no real adb server: only its own virtual phones
        self.env = env
        self.log_path = self.data_dir.parent / f"agent-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> AgentProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [*CLI, *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.data_dir.parent,
                env=self.env,
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the process and its virtual phones vanish, nothing recorded."""
        if self.running:
            self.process.kill()
        if self.process is not None:
            self.process.wait()

    def pause(self) -> None:
        """SIGSTOP: frozen mid-whatever, heartbeat included."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM (after SIGCONT, in case it is paused) and the exit code (-999 if it had to be killed)."""
        if self.process is None:
            return 0
        if self.running:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return -999


def read_log(http: httpx.Client) -> list[dict[str, Any]]:
    """The whole global log through `GET /events` (a client whose base URL is the API's), page by page."""
    found: list[dict[str, Any]] = []
    after = 0
    while page := http.get("/events", params={"after": after, "limit": 1000}).json()["data"]["events"]:
        found += page
        after = page[-1]["position"]
    return found


def run_violations(log: list[dict[str, Any]]) -> list[str]:
    """Every event of the global log (as GET /events shows it) that breaks the rules of runs:

    - a task starts only when dispatched, and never while a run of it is going on (no double run);
    - a run's writes (steps, materials, completion) land only while that run is going on: after its
      end (the scheduler's "agent lost" failure included) nothing more of it may land;
    - a device's stream takes nothing from an incarnation after that incarnation was declared lost.
    """
    problems: list[str] = []
    state: dict[str, str] = defaultdict(lambda: "idle")  # task stream → idle | dispatched | running
    lost: dict[str, set[str]] = defaultdict(set)  # device stream → incarnations declared lost there
    for event in log:
        stream, kind, data, at = event["stream"], event["type"], event.get("data") or {}, event["position"]
        if stream.startswith("device-"):
            incarnation = data.get("incarnation")
            if kind == "device-agent-lost":
                lost[stream].add(incarnation)
            elif incarnation in lost[stream]:
                problems.append(f"{at}: {kind} on {stream} from incarnation {incarnation}, declared lost before")
            continue
        if not stream.startswith("task-"):
            continue
        now = state[stream]
        if kind == "dispatched":
            if now == "running":
                problems.append(f"{at}: {stream} dispatched while a run of it was going on")
            state[stream] = "dispatched"
        elif kind == "dispatch-withdrawn":
            state[stream] = "idle"
        elif kind == "started":
            if now != "dispatched":
                problems.append(f"{at}: {stream} started while {now} (ran twice, or without a dispatch)")
            state[stream] = "running"
        elif kind in _RUN_EVENTS:
            if now != "running":
                problems.append(f"{at}: {kind} on {stream} outside any run (a late write)")
            if kind == "completed":
                state[stream] = "idle"
        elif kind == "failed":
            state[stream] = "idle"
    return problems
