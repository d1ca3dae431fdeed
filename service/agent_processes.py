"""`serve --agents N`: N local `droidledger agent` processes over the server's store, each taking a
share of the adb server's phones (`--shard i/N`), restarted when one dies, stopped on shutdown.

Each keeps one name across restarts (`<host>-agent-<i>`), so a restarted agent takes its dead
predecessor's phones over at once (its tasks recorded "interrupted by a restart").
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import anyio

from service.settings import Settings

log = logging.getLogger("droidledger.agents")

RESTART_DELAY_S = 1.0
STOP_TIMEOUT_S = 30.0


def agent_command(settings: Settings, adb_host: str, adb_port: int, index: int) -> list[str]:
    """The command line of the index-th local agent."""
    command = [
        sys.executable,
        "-m",
        "service.cli",
        "agent",
        "--db",
        settings.store.target,
        "--data-dir",
        str(settings.data_dir),
        "--name",
        f"{socket.gethostname()}-agent-{index}",
        "--shard",
        f"{index}/{settings.agents}",
        "--adb-host",
        adb_host,
        "--adb-port",
        str(adb_port),
        "--lease-s",
        f"{settings.lease_s:g}",
        "--time-scale",
        f"{settings.time_scale:g}",
        "--sync",
        settings.sync,
    ]
    if settings.adb_start:
        command.append("--adb-start")
    if settings.tz is not None:
        command += ["--tz", str(settings.tz)]
    return command


class AgentProcesses:
    """The local agents' processes and their supervision."""

    def __init__(self, settings: Settings, adb_host: str, adb_port: int) -> None:
        self.settings = settings
        self.adb_host = adb_host
        self.adb_port = adb_port
        self.processes: dict[int, subprocess.Popen] = {}
        self.restarts = 0
        self._stopping = False

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Start every agent, then restart any that exits, until stopped."""
        async with anyio.create_task_group() as tg:
            for index in range(self.settings.agents):
                self._start(index)
                tg.start_soon(self._supervise, index)
            task_status.started()

    def _start(self, index: int) -> None:
        log_path = Path(self.settings.data_dir) / f"agent-{index}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as output:
            self.processes[index] = subprocess.Popen(
                agent_command(self.settings, self.adb_host, self.adb_port, index),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        log.info(
            "agent %d/%d started (pid %d, log %s)", index, self.settings.agents, self.processes[index].pid, log_path
        )

    async def _supervise(self, index: int) -> None:
        while True:
            code = await anyio.to_thread.run_sync(self.processes[index].wait, abandon_on_cancel=True)
            if self._stopping:
                return
            log.warning("agent %d/%d exited with %s; starting it again", index, self.settings.agents, code)
            self.restarts += 1
            await anyio.sleep(RESTART_DELAY_S)
            self._start(index)

    async def stop(self) -> None:
        """SIGTERM to every agent (each lets its running steps finish), then wait; SIGKILL after 30 s."""
        self._stopping = True
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        with anyio.move_on_after(STOP_TIMEOUT_S):
            for process in self.processes.values():
                await anyio.to_thread.run_sync(process.wait, abandon_on_cancel=True)
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
