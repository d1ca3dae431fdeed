"""Append throughput: 64 producers appending one event at a time through the store.

The timed path is production's: each append is a `step-completed` on a task stream, goes through
the store's `append` (group commit; on SQLite synchronous=FULL; on PostgreSQL under the log's
advisory lock) and updates the views in the same transaction.
Baseline: the same rows inserted raw with the same driver, 100 per transaction (sqlite3 with the
same file settings; psycopg on PostgreSQL). Peer: the eventsourcing library saving one event per
call (SQLite persistence). On PostgreSQL the run also times the raw insert with asyncpg, the other
well-kept async driver, for the choice of driver (docs/store.md).

    python bench/append.py [--quick] [--db postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness.scratch import scratch_store  # noqa: E402
from bench.report import emit, machine, table  # noqa: E402
from service.events import StepCompleted, TaskCreated, TaskStarted, encode_event  # noqa: E402
from service.store import open_store  # noqa: E402
from service.store.locator import StoreLocator  # noqa: E402
from service.store.records import StreamAppend  # noqa: E402

PRODUCERS = 64
RECORDED_AT = "2026-11-27T10:00:00.000+00:00"
RAW_TABLE = (
    "CREATE TABLE raw_events (position BIGINT PRIMARY KEY, stream_id TEXT NOT NULL, version BIGINT NOT NULL, "
    "type TEXT NOT NULL, data {blob} NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream_id, version))"
)


def step(index: int) -> StepCompleted:
    return StepCompleted(
        attempt=1, index=index, name="watch-video", detail=f"watched video {index} for 21 s", duration_ms=21000
    )


def raw_rows(total: int) -> list[tuple]:
    """The rows the producers append, as the baseline inserts them."""
    return [
        (
            n + 1,
            f"task-{n % PRODUCERS + 1}",
            n // PRODUCERS + 1,
            "step-completed",
            encode_event(step(n // PRODUCERS + 1)),
            RECORDED_AT,
        )
        for n in range(total)
    ]


async def measure_store(db: StoreLocator, per_producer: int) -> tuple[float, list[float], float]:
    """events/s, sorted latencies (s) and the mean batch size, through the store's public API."""
    store = open_store(db)
    async with store.running():
        for task_id in range(1, PRODUCERS + 1):
            await store.append(
                StreamAppend(
                    f"task-{task_id}",
                    0,
                    [
                        TaskCreated(serial=f"phone-{task_id % 8}", script_name="account_warmup", script_config={}),
                        TaskStarted(attempt=1, serial=f"phone-{task_id % 8}", seed=task_id),
                    ],
                )
            )
        commits_before = store.stats.commits
        latencies: list[float] = []

        async def producer(task_id: int) -> None:
            version = 2
            for index in range(1, per_producer + 1):
                started = time.perf_counter()
                await store.append(StreamAppend(f"task-{task_id}", version, [step(index)]))
                latencies.append(time.perf_counter() - started)
                version += 1

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for task_id in range(1, PRODUCERS + 1):
                tg.start_soon(producer, task_id)
        elapsed = time.perf_counter() - started
        batches = store.stats.commits - commits_before
    latencies.sort()
    return PRODUCERS * per_producer / elapsed, latencies, PRODUCERS * per_producer / max(1, batches)


def baseline_sqlite(folder: Path, total: int) -> float:
    """Raw sqlite3: the same rows, executemany of 100 per transaction, WAL, synchronous=FULL."""
    conn = sqlite3.connect(folder / "baseline.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(RAW_TABLE.format(blob="BLOB"))
    rows = raw_rows(total)
    started = time.perf_counter()
    for start in range(0, total, 100):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?)", rows[start : start + 100])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return total / elapsed


def baseline_psycopg(db: StoreLocator, total: int) -> float:
    """Raw psycopg (the store's driver): the same rows, executemany of 100 per transaction."""
    import psycopg

    rows = raw_rows(total)
    with psycopg.connect(db.target, autocommit=True) as conn:
        conn.execute(RAW_TABLE.format(blob="BYTEA"))
        started = time.perf_counter()
        for start in range(0, total, 100):
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany("INSERT INTO raw_events VALUES (%s, %s, %s, %s, %s, %s)", rows[start : start + 100])
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE raw_events")
    return total / elapsed


async def baseline_asyncpg(db: StoreLocator, total: int) -> float:
    """Raw asyncpg: the same rows, executemany of 100 per transaction (for the choice of driver)."""
    import asyncpg

    rows = raw_rows(total)
    conn = await asyncpg.connect(db.target.split("?")[0], server_settings={"search_path": _schema_of(db)})
    try:
        await conn.execute(RAW_TABLE.format(blob="BYTEA"))
        started = time.perf_counter()
        for start in range(0, total, 100):
            async with conn.transaction():
                await conn.executemany(
                    "INSERT INTO raw_events VALUES ($1, $2, $3, $4, $5, $6)", rows[start : start + 100]
                )
        elapsed = time.perf_counter() - started
        await conn.execute("DROP TABLE raw_events")
    finally:
        await conn.close()
    return total / elapsed


def _schema_of(db: StoreLocator) -> str:
    """The search_path a scratch store's URL sets (asyncpg does not read libpq's `options`)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    options = unquote(parse_qs(urlsplit(db.target).query).get("options", ["-csearch_path=public"])[0])
    return options.split("=", 1)[1]


def measure_peer(folder: Path, total: int) -> float:
    """The eventsourcing library, SQLite persistence, saving one event per call."""
    os.environ.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=str(folder / "peer.db"))
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Task(Aggregate):
        def __init__(self) -> None:
            self.step_index = 0

        @event("StepCompleted")
        def complete_step(self, index: int, name: str, detail: str, duration_ms: int) -> None:
            self.step_index = index

    app = Application()
    task = Task()
    app.save(task)
    started = time.perf_counter()
    for index in range(1, total + 1):
        task.complete_step(index, "watch-video", f"watched video {index} for 21 s", 21000)
        app.save(task)
    elapsed = time.perf_counter() - started
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under 2 minutes)")
    parser.add_argument("--db", help="a PostgreSQL URL: run there, in a schema of its own (default: SQLite files)")
    args = parser.parse_args()
    per_producer, baseline_rows, peer_events = (150, 60_000, 1_500) if args.quick else (1_000, 300_000, 5_000)
    print(f"machine: {machine()}")
    print(f"mode: {'quick' if args.quick else 'full'}; {PRODUCERS} producers x {per_producer} appends")
    with (
        tempfile.TemporaryDirectory(prefix="droidledger-bench-append-") as tmp,
        scratch_store(args.db, Path(tmp), "append") as db,
    ):
        folder = Path(tmp)
        print(f"backend: {db.backend}")
        print("measuring the store ...", file=sys.stderr)
        rate, latencies, batch = anyio.run(measure_store, db, per_producer)
        if db.backend == "postgresql":
            print("measuring the baseline (raw psycopg) and raw asyncpg ...", file=sys.stderr)
            baseline = baseline_psycopg(db, baseline_rows)
            other_driver = anyio.run(baseline_asyncpg, db, baseline_rows)
        else:
            print("measuring the baseline (raw sqlite3) ...", file=sys.stderr)
            baseline, other_driver = baseline_sqlite(folder, baseline_rows), None
        print("measuring the peer (eventsourcing, SQLite) ...", file=sys.stderr)
        peer = measure_peer(folder, peer_events)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    driver = "psycopg" if db.backend == "postgresql" else "sqlite3"
    rows = [
        ["droidledger store: 64 producers, group commit, views", rate, 1.0, p50, p99],
        [f"baseline: raw {driver} executemany, 100 per txn", baseline, rate / baseline, "", ""],
    ]
    if other_driver is not None:
        rows.append(
            ["raw asyncpg executemany, 100 per txn (the other driver)", other_driver, rate / other_driver, "", ""]
        )
    rows.append(["peer: eventsourcing (SQLite), one event per save", peer, rate / peer, "", ""])
    table(f"append throughput ({db.backend})", ["what", "events/s", "vs droidledger", "p50 ms", "p99 ms"], rows)
    print(f"\nmean events per group commit: {batch:.1f}")
    targets = "ratio >= 0.3, p99 <= 20 ms" if db.backend == "postgresql" else "ratio >= 0.15, p99 <= 10 ms"
    print(
        f"ratio = droidledger / baseline = {rate / baseline:.3f}; p99 {p99:.2f} ms ({targets}); "
        f"peer_ratio = droidledger / eventsourcing = {rate / peer:.1f}"
    )
    result = {
        "events_per_s": round(rate),
        "baseline_events_per_s": round(baseline),
        "ratio": round(rate / baseline, 3),
        "peer_events_per_s": round(peer),
        "peer_ratio": round(rate / peer, 1),
        "p99_ms": round(p99, 2),
        "backend": db.backend,
    }
    if other_driver is not None:
        result["asyncpg_baseline_events_per_s"] = round(other_driver)
    emit(result)


if __name__ == "__main__":
    main()
