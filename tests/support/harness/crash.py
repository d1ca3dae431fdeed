"""The crash harness: `serve --sim` killed with SIGKILL at random moments while clients work,
restarted on the same files, and checked after every round.

After each kill, on a copy of the files as the kill left them: PRAGMA integrity_check, views
equal to a replay of the log, every acknowledged task in the log. After each restart, through
the API: every acknowledged task has its events (deleted ones too) and its view; every task
that was running at the kill got `failed` "interrupted by a restart". At the end, after a
clean stop: the same checks on the real files, and the tasks in the log are exactly the
acknowledged ones (nothing lost, nothing created twice).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import anyio

from tests.support.harness import database
from tests.support.harness.server import ServeProcess
from tests.support.harness.verify import not_recovered, verify_acknowledged
from tests.support.harness.workload import CRASH_MIX, Ledger, phone_serials, resolve_in_doubt, run_clients


@dataclass
class CrashConfig:
    """How many rounds, how much activity, when to kill."""

    rounds: int = 3
    clients: int = 4
    phones: int = 4
    time_scale: float = 0.02
    kill_after_min_s: float = 0.5
    kill_after_max_s: float = 2.5
    startup_kill_chance: float = 0.0  # per round: also kill once while the server is starting
    sync: str = "full"
    seed: int = 0


@dataclass
class RoundReport:
    """What one round did and found."""

    index: int
    kill_after_s: float
    startup_kill: bool
    acknowledged: int  # tasks acknowledged so far
    running_at_kill: int
    in_doubt_at_kill: int
    events_at_kill: int
    integrity: str
    views_equal_replay: bool
    lost_on_disk: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    not_recovered: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.integrity == "ok"
            and self.views_equal_replay
            and not self.lost_on_disk
            and not self.lost
            and not self.not_recovered
            and not self.problems
        )


@dataclass
class CrashReport:
    """The whole run."""

    rounds: list[RoundReport] = field(default_factory=list)
    acknowledged: int = 0
    lost: list[int] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unacknowledged_in_log: list[int] = field(default_factory=list)
    final_integrity: str = ""
    final_views_equal_replay: bool = False
    clean_stop_exit: int | None = None
    server_errors: list[str] = field(default_factory=list)
    bad_envelopes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    startup_kills: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            all(r.ok for r in self.rounds)
            and not self.lost
            and not self.duplicated
            and not self.unacknowledged_in_log
            and self.final_integrity == "ok"
            and self.final_views_equal_replay
            and self.clean_stop_exit == 0
            and not self.server_errors
            and not self.bad_envelopes
            and not self.problems
        )

    def summary(self) -> dict:
        return {
            "ok": self.ok,
            "rounds": len(self.rounds),
            "startup_kills": self.startup_kills,
            "tasks_acknowledged": self.acknowledged,
            "tasks_lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "unacknowledged_in_log": len(self.unacknowledged_in_log),
            "running_at_kill": sum(r.running_at_kill for r in self.rounds),
            "in_doubt_creates": sum(r.in_doubt_at_kill for r in self.rounds),
            "not_recovered": sum(len(r.not_recovered) for r in self.rounds),
            "integrity_failures": sum(r.integrity != "ok" for r in self.rounds) + (self.final_integrity != "ok"),
            "replay_mismatches": sum(not r.views_equal_replay for r in self.rounds)
            + (not self.final_views_equal_replay),
            "server_errors": len(self.server_errors),
            "bad_envelopes": len(self.bad_envelopes),
            "requests": self.requests,
            "clean_stop_exit": self.clean_stop_exit,
            "seconds": round(self.seconds, 1),
        }

    def failures(self) -> list[str]:
        """Every problem found, readable."""
        out = [
            f"round {r.index}: {k}={v}"
            for r in self.rounds
            if not r.ok
            for k, v in asdict(r).items()
            if k in ("integrity", "views_equal_replay", "lost_on_disk", "lost", "not_recovered", "problems")
        ]
        out += [f"lost: {self.lost}"] if self.lost else []
        out += self.duplicated + [f"in the log but never acknowledged: {self.unacknowledged_in_log}"] * bool(
            self.unacknowledged_in_log
        )
        out += [
            f"final integrity: {self.final_integrity}",
            f"final views equal replay: {self.final_views_equal_replay}",
            f"clean stop exit: {self.clean_stop_exit}",
        ]
        return out + self.server_errors[:10] + self.bad_envelopes[:10] + self.problems


def _check_copy(db: Path, folder: Path, report: RoundReport, ledger: Ledger) -> dict[int, int]:
    """Checks on a copy of the files a kill left; returns the tasks running at the kill."""
    copy = database.copy_database(db, folder)
    report.integrity = database.integrity(copy)
    streams = database.task_streams(copy)
    report.events_at_kill = sum(len(s) for s in streams.values())
    report.lost_on_disk = sorted(set(ledger.acknowledged) - set(streams))
    running = database.open_attempts(streams)
    report.running_at_kill = len(running)
    replay = database.views_equal_replay(copy)
    report.views_equal_replay = replay.equal
    if not replay.equal:
        report.problems.append(
            f"views differ from a replay: {replay.differences}, checkpoint {replay.checkpoint} "
            f"of {replay.last_position}"
        )
    return running


async def _work_then_kill(
    server: ServeProcess, ledger: Ledger, serials: list[str], config: CrashConfig, kill_after_s: float, seed: int
) -> None:
    stop = anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(
            lambda: run_clients(
                server.base_url, ledger, serials, clients=config.clients, mix=CRASH_MIX, stop=stop, seed=seed
            )
        )
        await anyio.sleep(kill_after_s)
        await anyio.to_thread.run_sync(server.kill)
        tg.cancel_scope.cancel()  # requests in flight stay in doubt


def run_crash(folder: Path, config: CrashConfig, progress: Callable[[str], None] = print) -> CrashReport:
    """Run every round; the report says what was found (nothing raises on a finding)."""
    started = time.monotonic()
    rng = random.Random(config.seed)
    report = CrashReport()
    ledger = Ledger()
    server = ServeProcess(
        folder / "data",
        "--sim",
        str(config.phones),
        "--time-scale",
        str(config.time_scale),
        "--sync",
        config.sync,
        "--sim-seed",
        str(config.seed),
        "--rest-status",
        log_path=folder / "serve.log",
    )
    serials: list[str] = []
    running_at_kill: dict[int, int] = {}
    checked_ids: set[int] = set()
    try:
        for index in range(1, config.rounds + 1):
            startup_kill = rng.random() < config.startup_kill_chance
            server.start()
            if startup_kill:
                time.sleep(rng.uniform(0.05, 1.0))
                server.kill()
                report.startup_kills += 1
                copy = database.copy_database(server.db_path, folder / f"round-{index}-startup")
                if database.integrity(copy) != "ok":
                    report.problems.append(f"round {index}: integrity after a kill during start-up")
                server.start()
            server.wait_ready()
            _after_restart(server, ledger, running_at_kill, report, index - 1, checked_ids)
            if not serials:
                serials = anyio.run(phone_serials, server.base_url)
            kill_after = rng.uniform(config.kill_after_min_s, config.kill_after_max_s)
            anyio.run(_work_then_kill, server, ledger, serials, config, kill_after, rng.randrange(2**32))
            round_report = RoundReport(
                index=index,
                kill_after_s=round(kill_after, 2),
                startup_kill=startup_kill,
                acknowledged=len(ledger.acknowledged),
                running_at_kill=0,
                in_doubt_at_kill=len(ledger.in_doubt),
                events_at_kill=0,
                integrity="",
                views_equal_replay=False,
            )
            running_at_kill = _check_copy(server.db_path, folder / f"round-{index}", round_report, ledger)
            report.rounds.append(round_report)
            progress(
                f"round {index}/{config.rounds}: killed after {kill_after:.2f} s; "
                f"{len(ledger.acknowledged)} tasks acknowledged, {round_report.running_at_kill} running, "
                f"{round_report.in_doubt_at_kill} creates in doubt, {round_report.events_at_kill} task events; "
                f"integrity {round_report.integrity}, views = replay: {round_report.views_equal_replay}, "
                f"lost on disk: {len(round_report.lost_on_disk)}"
            )
        server.start().wait_ready()
        _after_restart(server, ledger, running_at_kill, report, config.rounds, checked_ids)
        report.clean_stop_exit = server.stop()
        _final_checks(server.db_path, folder / "final", ledger, report)
    finally:
        server.kill()
    report.acknowledged = len(ledger.acknowledged)
    report.duplicated = list(ledger.duplicates)
    report.server_errors = list(ledger.server_errors)
    report.bad_envelopes = list(ledger.bad_envelopes)
    report.requests = ledger.requests
    report.seconds = time.monotonic() - started
    return report


def _after_restart(
    server: ServeProcess,
    ledger: Ledger,
    running_at_kill: dict[int, int],
    report: CrashReport,
    round_index: int,
    checked_ids: set[int],
) -> None:
    """Resolve the creates in doubt, then check the acknowledged tasks and the recovery."""
    if round_index == 0:
        return
    anyio.run(resolve_in_doubt, server.base_url, ledger)
    if ledger.in_doubt:
        report.problems.append(f"round {round_index}: {len(ledger.in_doubt)} creates still unanswered after restart")
    # Every acknowledged task in the global log; one by one (events and view): the tasks of the
    # last round, every deleted one, and a sample of the older ones.
    new = set(ledger.acknowledged) - checked_ids
    ids = new | ledger.deleted | ledger.maybe_deleted
    ids |= set(random.Random(round_index).sample(sorted(checked_ids), min(200, len(checked_ids))))
    checked_ids.update(ledger.acknowledged)
    verification = anyio.run(lambda: verify_acknowledged(server.base_url, ledger, ids=ids & set(ledger.acknowledged)))
    missing = anyio.run(not_recovered, server.base_url, running_at_kill)
    target = report.rounds[round_index - 1]
    target.lost = verification.lost
    target.not_recovered = missing
    target.problems += [f"acknowledged but missing from the views: {verification.missing_from_views}"] * bool(
        verification.missing_from_views
    )
    target.problems += [f"deleted but shown again: {verification.resurrected}"] * bool(verification.resurrected)
    target.problems += [f"created twice: {verification.double_created}"] * bool(verification.double_created)
    target.problems += verification.problems
    report.lost = sorted(set(report.lost) | set(verification.lost) | set(target.lost_on_disk))


def _final_checks(db: Path, folder: Path, ledger: Ledger, report: CrashReport) -> None:
    """After the clean stop: integrity, views = replay, and the log's tasks = the acknowledged ones."""
    copy = database.copy_database(db, folder)
    report.final_integrity = database.integrity(copy)
    streams = database.task_streams(copy)
    report.lost = sorted(set(report.lost) | (set(ledger.acknowledged) - set(streams)))
    report.unacknowledged_in_log = sorted(set(streams) - set(ledger.acknowledged))
    replay = database.views_equal_replay(copy)
    report.final_views_equal_replay = replay.equal
    if not replay.equal:
        report.problems.append(f"final views differ from a replay: {replay.differences}")
