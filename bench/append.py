"""Append throughput: 64 producers appending one event at a time through the store.

The timed path is production's: each append is a `step-completed` on a task stream, goes
through SQLiteEventStore.append (group commit, synchronous=FULL) and updates the views in
the same transaction.
Baseline: raw sqlite3 executemany of the same rows, 100 per transaction, same file settings.
Peer: the eventsourcing library (SQLite persistence) saving one event per call.

    python bench/append.py [--quick]
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

from bench.report import emit, machine, table  # noqa: E402
from service.events import StepCompleted, TaskCreated, TaskStarted, encode_event  # noqa: E402
from service.store.records import StreamAppend  # noqa: E402
from service.store.sqlite.store import SQLiteEventStore  # noqa: E402

PRODUCERS = 64


def step(index: int) -> StepCompleted:
    return StepCompleted(attempt=1, index=index, name="watch-video", detail=f"watched video {index} for 21 s",
                         duration_ms=21000)


async def measure_store(folder: Path, per_producer: int) -> tuple[float, list[float], float]:
    """events/s, sorted latencies (s) and the mean batch size, through the store's public API."""
    store = SQLiteEventStore(folder / "store.db")
    async with store.running():
        for task_id in range(1, PRODUCERS + 1):
            await store.append(StreamAppend(f"task-{task_id}", 0, [
                TaskCreated(serial=f"phone-{task_id % 8}", script_name="account_warmup", script_config={}),
                TaskStarted(attempt=1, serial=f"phone-{task_id % 8}", seed=task_id)]))
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


def measure_baseline(folder: Path, total: int) -> float:
    """Raw sqlite3: the same rows, executemany of 100 per transaction, WAL, synchronous=FULL."""
    conn = sqlite3.connect(folder / "baseline.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL, "
                 "type TEXT NOT NULL, data BLOB NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream_id, version))")
    recorded_at = "2026-11-27T10:00:00.000+00:00"
    rows = [(n + 1, f"task-{n % PRODUCERS + 1}", n // PRODUCERS + 1, "step-completed",
             encode_event(step(n // PRODUCERS + 1)), recorded_at) for n in range(total)]
    started = time.perf_counter()
    for start in range(0, total, 100):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows[start:start + 100])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return total / elapsed


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
    args = parser.parse_args()
    per_producer, baseline_rows, peer_events = (150, 60_000, 1_500) if args.quick else (1_000, 300_000, 5_000)
    print(f"machine: {machine()}")
    print(f"mode: {'quick' if args.quick else 'full'}; {PRODUCERS} producers x {per_producer} appends")
    with tempfile.TemporaryDirectory(prefix="droidledger-bench-append-") as tmp:
        folder = Path(tmp)
        print("measuring the store ...", file=sys.stderr)
        rate, latencies, batch = anyio.run(measure_store, folder, per_producer)
        print("measuring the baseline (raw sqlite3) ...", file=sys.stderr)
        baseline = measure_baseline(folder, baseline_rows)
        print("measuring the peer (eventsourcing) ...", file=sys.stderr)
        peer = measure_peer(folder, peer_events)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    table("append throughput (synchronous=FULL, WAL)", ["what", "events/s", "vs droidledger", "p50 ms", "p99 ms"], [
        ["droidledger store: 64 producers, group commit, views", rate, 1.0, p50, p99],
        ["baseline: raw sqlite3 executemany, 100 per txn", baseline, rate / baseline, "", ""],
        ["peer: eventsourcing, one event per save", peer, rate / peer, "", ""],
    ])
    print(f"\nmean events per group commit: {batch:.1f}")
    print(f"ratio = droidledger / baseline = {rate / baseline:.3f} (target >= 0.15); "
          f"peer_ratio = droidledger / eventsourcing = {rate / peer:.1f} (target >= 20); p99 {p99:.2f} ms (target <= 10)")
    emit({"events_per_s": round(rate), "baseline_events_per_s": round(baseline), "ratio": round(rate / baseline, 3),
          "peer_events_per_s": round(peer), "peer_ratio": round(rate / peer, 1), "p99_ms": round(p99, 2)})


if __name__ == "__main__":
    main()
