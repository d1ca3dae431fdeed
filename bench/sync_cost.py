"""What `--sync full` costs against `--sync normal` (SQLite synchronous=FULL vs NORMAL, WAL).

Three measurements, each in both modes, on files in the same folder (so the same disk):
  1. raw sqlite3: one small row per transaction (one commit, so with FULL one fsync, per row) —
     the baseline: the price of an fsync on this disk;
  2. the store: appends through SQLiteEventStore.append, 1 producer (every append waits for
     its own commit) and 64 producers (group commit: one fsync serves a batch);
  3. the API: POST /task against `droidledger serve --sync full|normal` (no phones), 16 clients.

    python bench/sync_cost.py [--quick] [--dir PATH]

--dir picks the disk (default: the system's temporary folder). Prints a table and last a JSON object.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import emit, machine, table  # noqa: E402
from service.events import StepCompleted, TaskCreated  # noqa: E402
from service.store.records import StreamAppend  # noqa: E402
from service.store.sqlite.store import SQLiteEventStore  # noqa: E402
from tests.support.harness.server import ServeProcess  # noqa: E402
from tests.support.harness.workload import Ledger, latency_table, run_clients  # noqa: E402

MODES = ("full", "normal")


def raw_commits(path: Path, sync: str, rows: int) -> float:
    """Rows/s, one row per transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {sync.upper()}")
    conn.execute("CREATE TABLE t (x BLOB)")
    started = time.perf_counter()
    for _ in range(rows):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t VALUES (randomblob(300))")
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


async def store_appends(path: Path, sync: str, producers: int, per_producer: int) -> tuple[float, float, float]:
    """(events/s, p50 ms, p99 ms) of single-event appends through the store."""
    store = SQLiteEventStore(path, sync=sync)
    latencies: list[float] = []
    async with store.running():
        for task_id in range(1, producers + 1):
            await store.append(
                StreamAppend(
                    f"task-{task_id}", 0, [TaskCreated(serial="phone", script_name="account_warmup", script_config={})]
                )
            )

        async def producer(task_id: int) -> None:
            for version in range(1, per_producer + 1):
                started = time.perf_counter()
                await store.append(
                    StreamAppend(
                        f"task-{task_id}",
                        version,
                        [
                            StepCompleted(
                                attempt=1, index=version, name="watch-video", detail="watched", duration_ms=1000
                            )
                        ],
                    )
                )
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for task_id in range(1, producers + 1):
                tg.start_soon(producer, task_id)
        elapsed = time.perf_counter() - started
    latencies.sort()
    return (
        producers * per_producer / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
    )


def api_creates(folder: Path, sync: str, clients: int, seconds: float) -> tuple[float, float, float]:
    """(creates/s, p50 ms, p99 ms) of POST /task against a server with --sync `sync`."""
    ledger = Ledger()
    with ServeProcess(
        folder / f"api-{sync}", "--sync", sync, "--no-access-log", log_path=folder / f"{sync}.log"
    ) as server:

        async def drive() -> None:
            stop = anyio.Event()
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    lambda: run_clients(
                        server.base_url, ledger, ["A", "B", "C"], clients=clients, mix={"create": 1}, stop=stop, seed=1
                    )
                )
                await anyio.sleep(seconds)
                stop.set()

        started = time.perf_counter()
        anyio.run(drive)
        elapsed = time.perf_counter() - started
    figures = latency_table(ledger)["POST /task"]
    return figures["count"] / elapsed, figures["p50_ms"], figures["p99_ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dir", type=Path, help="folder on the disk to measure (default: a temporary folder)")
    args = parser.parse_args()
    raw_rows, single, grouped, seconds = (300, 300, 50, 4.0) if args.quick else (2000, 1500, 200, 10.0)
    print(f"machine: {machine()}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="droidledger-sync-", dir=args.dir) as tmp:
        folder = Path(tmp)
        print(f"files in {folder}")
        for sync in MODES:
            print(f"measuring synchronous={sync.upper()} ...", file=sys.stderr, flush=True)
            r = results[sync] = {}
            r["raw_commits_per_s"] = raw_commits(folder / f"raw-{sync}.db", sync, raw_rows)
            r["store_1_events_per_s"], r["store_1_p50_ms"], r["store_1_p99_ms"] = anyio.run(
                store_appends, folder / f"one-{sync}.db", sync, 1, single
            )
            r["store_64_events_per_s"], r["store_64_p50_ms"], r["store_64_p99_ms"] = anyio.run(
                store_appends, folder / f"many-{sync}.db", sync, 64, grouped
            )
            r["api_creates_per_s"], r["api_p50_ms"], r["api_p99_ms"] = api_creates(folder, sync, 16, seconds)
    full, normal = results["full"], results["normal"]
    rows = [
        ["raw sqlite3, 1 row per commit (rows/s)", "raw_commits_per_s"],
        ["store, 1 producer (events/s)", "store_1_events_per_s"],
        ["store, 1 producer p50 ms", "store_1_p50_ms"],
        ["store, 1 producer p99 ms", "store_1_p99_ms"],
        ["store, 64 producers, group commit (events/s)", "store_64_events_per_s"],
        ["store, 64 producers p50 ms", "store_64_p50_ms"],
        ["store, 64 producers p99 ms", "store_64_p99_ms"],
        ["POST /task, 16 clients (creates/s)", "api_creates_per_s"],
        ["POST /task p50 ms", "api_p50_ms"],
        ["POST /task p99 ms", "api_p99_ms"],
    ]
    table(
        "synchronous=FULL vs NORMAL (WAL)",
        ["what", "full", "normal", "full / normal"],
        [[label, full[key], normal[key], full[key] / normal[key] if normal[key] else 0.0] for label, key in rows],
    )
    emit({mode: {k: round(v, 2) for k, v in figures.items()} for mode, figures in results.items()})


if __name__ == "__main__":
    main()
