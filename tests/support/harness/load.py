"""The load harness: many clients against `serve --sim` for a while, then every acknowledged
task checked (in the log, once; its events and view for a sample, every deleted one) and the
database checked after a clean stop (integrity, views = replay, the log's tasks = acknowledged).

Clients are httpx.AsyncClient coroutines in one process, or spread over several processes
(`processes`) when one client process would saturate its core before the server does.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx

from tests.support.harness import database
from tests.support.harness.server import ServeProcess
from tests.support.harness.verify import verify_acknowledged
from tests.support.harness.workload import LOAD_MIX, Ledger, latency_table, phone_serials, resolve_in_doubt, run_clients


@dataclass
class LoadConfig:
    """How many clients, for how long, against how many phones."""

    clients: int = 20
    seconds: float = 10.0
    phones: int = 50
    device_limit: int = 50
    time_scale: float = 0.01
    processes: int = 1
    think_s: float = 0.0
    sample: int = 500  # acknowledged tasks checked one by one afterwards (besides every deleted one)
    seed: int = 0


@dataclass
class LoadReport:
    """Figures and findings."""

    config: LoadConfig
    seconds: float = 0.0
    requests: int = 0
    latencies: dict[str, dict[str, float]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    bad_envelopes: list[str] = field(default_factory=list)
    transport_errors: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    lost: list[int] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unacknowledged_in_log: list[int] = field(default_factory=list)
    checked_one_by_one: int = 0
    problems: list[str] = field(default_factory=list)
    integrity: str = ""
    views_equal_replay: bool = False
    clean_stop_exit: int | None = None
    tasks_run: dict[str, int] = field(default_factory=dict)
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            not self.server_errors
            and not self.bad_envelopes
            and not self.lost
            and not self.duplicated
            and not self.unacknowledged_in_log
            and not self.problems
            and self.integrity == "ok"
            and self.views_equal_replay
            and self.clean_stop_exit == 0
        )

    def summary(self) -> dict:
        return {
            "ok": self.ok,
            "clients": self.config.clients,
            "processes": self.config.processes,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0,
            "errors_5xx": len(self.server_errors),
            "bad_envelopes": len(self.bad_envelopes),
            "transport_errors": sum(self.transport_errors.values()),
            "tasks_acknowledged": self.acknowledged,
            "tasks_lost": len(self.lost),
            "tasks_duplicated": len(self.duplicated) + len(self.unacknowledged_in_log),
            "tasks_run": self.tasks_run,
            "integrity": self.integrity,
            "views_equal_replay": self.views_equal_replay,
            "server_cpu_percent": round(100 * self.server_cpu_s / self.seconds) if self.seconds else 0,
            "client_cpu_percent": round(100 * self.client_cpu_s / self.seconds) if self.seconds else 0,
            "latency_ms": self.latencies,
        }

    def failures(self) -> list[str]:
        out = self.server_errors[:10] + self.bad_envelopes[:10] + self.duplicated[:10] + self.problems
        out += [f"lost: {self.lost[:50]}"] * bool(self.lost)
        out += [f"in the log but never acknowledged: {self.unacknowledged_in_log[:50]}"] * bool(
            self.unacknowledged_in_log
        )
        out += [
            f"integrity: {self.integrity}",
            f"views equal replay: {self.views_equal_replay}",
            f"clean stop exit: {self.clean_stop_exit}",
        ]
        return out


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


async def _clients_for(
    base_url: str,
    serials: list[str],
    clients: int,
    seconds: float,
    seed: int,
    think_s: float,
    progress: Callable[[str], None] | None,
) -> Ledger:
    ledger = Ledger()
    stop = anyio.Event()

    async def timer() -> None:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            await anyio.sleep(min(5.0, seconds - (time.monotonic() - started)))
            if progress and not stop.is_set():
                elapsed = time.monotonic() - started
                progress(
                    f"  {elapsed:5.1f} s: {ledger.requests} requests, {len(ledger.acknowledged)} tasks "
                    f"acknowledged, {len(ledger.server_errors)} 5xx, {sum(ledger.transport_errors.values())} "
                    f"transport errors"
                )
        stop.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(timer)
        tg.start_soon(
            lambda: run_clients(
                base_url, ledger, serials, clients=clients, mix=LOAD_MIX, stop=stop, seed=seed, think_s=think_s
            )
        )
    return ledger


def _client_process(args: tuple) -> tuple[Ledger, float]:
    base_url, serials, clients, seconds, seed, think_s = args
    ledger = anyio.run(_clients_for, base_url, serials, clients, seconds, seed, think_s, None)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return ledger, usage.ru_utime + usage.ru_stime


def _merge(into: Ledger, other: Ledger) -> None:
    for key, ids in other.answers.items():
        into.note_created(key, ids)
    into.bodies.update(other.bodies)
    into.in_doubt.update(other.in_doubt)
    into.deleted |= other.deleted
    into.maybe_deleted |= other.maybe_deleted
    for endpoint, values in other.latencies.items():
        into.latencies[endpoint].extend(values)
    into.statuses.update(other.statuses)
    into.codes.update(other.codes)
    into.server_errors += other.server_errors
    into.bad_envelopes += other.bad_envelopes
    into.transport_errors.update(other.transport_errors)
    into.duplicates += other.duplicates


def _drive(
    server: ServeProcess, serials: list[str], config: LoadConfig, progress: Callable[[str], None]
) -> tuple[Ledger, float]:
    """Run the clients; returns the merged ledger and the clients' CPU seconds."""
    rng = random.Random(config.seed)
    if config.processes <= 1:
        before = resource.getrusage(resource.RUSAGE_SELF)
        ledger = anyio.run(
            _clients_for,
            server.base_url,
            serials,
            config.clients,
            config.seconds,
            rng.randrange(2**32),
            config.think_s,
            progress,
        )
        after = resource.getrusage(resource.RUSAGE_SELF)
        return ledger, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    shares = [
        config.clients // config.processes + (i < config.clients % config.processes) for i in range(config.processes)
    ]
    jobs = [(server.base_url, serials, n, config.seconds, rng.randrange(2**32), config.think_s) for n in shares if n]
    progress(f"  {len(jobs)} client processes: {shares} clients")
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = pool.map(_client_process, jobs)
    ledger, cpu = Ledger(), 0.0
    for part, seconds in results:
        _merge(ledger, part)
        cpu += seconds
    return ledger, cpu


def run_load(folder: Path, config: LoadConfig, progress: Callable[[str], None] = print) -> LoadReport:
    """Start the server, drive it, check everything; nothing raises on a finding."""
    report = LoadReport(config=config)
    server = ServeProcess(
        folder / "data",
        "--sim",
        str(config.phones),
        "--device-limit",
        str(config.device_limit),
        "--time-scale",
        str(config.time_scale),
        "--rest-status",
        log_path=folder / "serve.log",
    )
    try:
        server.start().wait_ready(timeout_s=120)
        progress(
            f"serve --sim {config.phones} ready in {server.ready_s:.1f} s; {config.clients} clients for "
            f"{config.seconds:g} s"
        )
        serials = anyio.run(phone_serials, server.base_url)
        cpu_before = _cpu_seconds(server.process.pid)
        started = time.monotonic()
        ledger, report.client_cpu_s = _drive(server, serials, config, progress)
        report.seconds = time.monotonic() - started
        report.server_cpu_s = _cpu_seconds(server.process.pid) - cpu_before
        anyio.run(resolve_in_doubt, server.base_url, ledger)
        if ledger.in_doubt:
            report.problems.append(f"{len(ledger.in_doubt)} creates still unanswered")
        sample = random.Random(config.seed).sample(
            sorted(ledger.acknowledged), min(config.sample, len(ledger.acknowledged))
        )
        ids = (set(sample) | ledger.deleted | ledger.maybe_deleted) & set(ledger.acknowledged)
        verification = anyio.run(lambda: verify_acknowledged(server.base_url, ledger, ids=ids))
        report.checked_one_by_one = verification.checked
        report.lost = verification.lost
        report.problems += [f"acknowledged but missing from the views: {verification.missing_from_views[:50]}"] * bool(
            verification.missing_from_views
        )
        report.problems += [f"deleted but shown again: {verification.resurrected[:50]}"] * bool(
            verification.resurrected
        )
        report.problems += [f"created twice: {verification.double_created[:50]}"] * bool(verification.double_created)
        report.problems += verification.problems
        stats = httpx.get(f"{server.base_url}/task/stats", timeout=30).json()["data"]
        report.tasks_run = {k: stats[k] for k in ("pending", "running", "completed", "failed")}
        report.clean_stop_exit = server.stop(timeout_s=60)
        copy = database.copy_database(server.db_path, folder / "final")
        report.integrity = database.integrity(copy)
        streams = database.task_streams(copy)
        report.lost = sorted(set(report.lost) | (set(ledger.acknowledged) - set(streams)))
        report.unacknowledged_in_log = sorted(set(streams) - set(ledger.acknowledged))
        replay = database.views_equal_replay(copy)
        report.views_equal_replay = replay.equal
        if not replay.equal:
            report.problems.append(f"views differ from a replay: {replay.differences}")
    finally:
        server.kill()
    report.requests = ledger.requests
    report.latencies = latency_table(ledger)
    report.statuses = {f"{endpoint} {status}": n for (endpoint, status), n in sorted(ledger.statuses.items())}
    report.server_errors = ledger.server_errors
    report.bad_envelopes = ledger.bad_envelopes
    report.transport_errors = dict(ledger.transport_errors)
    report.acknowledged = len(ledger.acknowledged)
    report.duplicated = ledger.duplicates
    return report
