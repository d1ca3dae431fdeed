"""`droidledger serve` as a real subprocess: start, wait until it answers, SIGKILL, SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "service.cli"]


def stop_process(process: subprocess.Popen, timeout_s: float = 30.0) -> int:
    """SIGTERM, then SIGKILL if it has not exited within timeout_s; the exit code (-999 when killed)."""
    if process.poll() is not None:
        return process.returncode
    process.terminate()
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -999


class ServerFailed(RuntimeError):
    """The server exited or never answered; the message holds the end of its log."""


def ipv6_loopback() -> bool:
    """Whether ::1 can be bound here."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def free_port() -> int:
    """A port free on 127.0.0.1 and, where there is one, on ::1."""
    v6 = ipv6_loopback()
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if not v6:
            return port
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
                sock.bind(("::1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on both loopbacks")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a server: ours without inherited DROIDLEDGER_* settings, unbuffered output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DROIDLEDGER_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class ServeProcess:
    """One `droidledger serve` on a data dir and port; its output is appended to `log_path`.

    Start it again after a kill with `start()`: same port, same files, same log.
    """

    def __init__(
        self,
        data_dir: Path,
        *args: str,
        port: int | None = None,
        log_path: Path | None = None,
        api_key: str | None = None,
        env: dict[str, str] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.args = list(args)
        self.port = port or free_port()
        self.log_path = log_path or self.data_dir.parent / f"serve-{self.port}.log"
        self.api_key = api_key
        self.env = env or clean_env()
        self.host = host
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.ready_s = 0.0

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}" if ":" not in self.host else f"http://[{self.host}]:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/v1"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "droidledger.db"

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key} if self.api_key else {}

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> ServeProcess:
        """Spawn the process (it is not ready yet: see wait_ready)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                [*CLI, "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.data_dir.parent,
                env=self.env,
            )
        finally:
            log.close()
        self.started_at = time.monotonic()
        return self

    def wait_ready(self, timeout_s: float = 60.0) -> ServeProcess:
        """Block until GET /license/check answers (ServerFailed if it exits or times out).

        Any answer will do: a Starter server answers 40301, with HTTP 403 under --rest-status.
        """
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=1.0, headers=self.headers) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ServerFailed(f"serve exited with {self.process.returncode}:\n{self.output()[-4000:]}")
                try:
                    if client.get(f"{self.base_url}/license/check").status_code in (200, 403):
                        self.ready_s = time.monotonic() - self.started_at
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self.kill()
        raise ServerFailed(f"serve did not answer within {timeout_s} s:\n{self.output()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as on a crash or a power cut of the process."""
        if self.running:
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM and the exit code (-999 if it had to be killed after timeout_s)."""
        return 0 if self.process is None else stop_process(self.process, timeout_s)

    def __enter__(self) -> ServeProcess:
        return self.start().wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()
