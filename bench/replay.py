"""Replay throughput: `droidledger replay` rebuilding every view from the event log.

The log (bench/dataset.py: 1,040,000 events of 200,000 tasks; --quick: 208,000 of 40,000) is
written in bulk, then `droidledger replay --db` runs as users run it, in its own process; the
figure is the one it prints, timed inside that process (interpreter start-up excluded).
Baseline: a raw scan of the same events table in this process with the same driver (sqlite3, or
psycopg with a server-side cursor), every payload decoded by the production msgspec Decoder.
Each is run `--repeat` times; the best run counts (a busy 2-core machine only ever makes a run
slower). `--db postgresql://...` runs it on PostgreSQL, in a schema of its own.

    .venv/bin/python bench/replay.py [--quick] [--db postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataset import replay, write_events  # noqa: E402
from bench.harness.scratch import scratch_store  # noqa: E402
from bench.report import emit, machine, table  # noqa: E402
from service.events import decode_event  # noqa: E402
from service.store.locator import StoreLocator  # noqa: E402

SCAN = "SELECT position, stream_id, version, type, data, recorded_at FROM events ORDER BY position"


def raw_scan(db: StoreLocator) -> tuple[int, float]:
    """Every row of `events` in position order, each payload decoded: (events, seconds)."""
    if db.backend == "postgresql":
        with psycopg.connect(db.target) as conn, conn.cursor(name="scan") as cursor:
            started = time.perf_counter()
            cursor.itersize = 20_000
            cursor.execute(SCAN)
            return _decode_all(cursor), time.perf_counter() - started
    conn = sqlite3.connect(db.target)
    try:
        started = time.perf_counter()
        return _decode_all(conn.execute(SCAN)), time.perf_counter() - started
    finally:
        conn.close()


def _decode_all(cursor) -> int:
    decode = decode_event
    count = 0
    while rows := cursor.fetchmany(20_000):
        for row in rows:
            decode(row[4])
        count += len(rows)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40,000 tasks / 208,000 events (under 2 minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the best counts (default 3)")
    parser.add_argument("--db", help="a PostgreSQL URL: run there, in a schema of its own (default: a SQLite file)")
    args = parser.parse_args()
    tasks = 40_000 if args.quick else 200_000
    print(f"machine: {machine()}")
    with (
        tempfile.TemporaryDirectory(prefix="droidledger-bench-replay-") as tmp,
        scratch_store(args.db, Path(tmp), "replay") as db,
    ):
        print(f"backend: {db.backend}")
        print(f"writing the log of {tasks:,} tasks ...", file=sys.stderr)
        events = write_events(db, tasks)
        print(f"mode: {'quick' if args.quick else 'full'}; {events:,} events of {tasks:,} tasks")
        replays, scans = [], []
        for run in range(1, args.repeat + 1):
            print(f"run {run}/{args.repeat}: droidledger replay ...", file=sys.stderr)
            folded, seconds, _ = replay(db)
            assert folded == events, (folded, events)
            replays.append(seconds)
            print(f"run {run}/{args.repeat}: raw scan + decode ...", file=sys.stderr)
            scanned, seconds = raw_scan(db)
            assert scanned == events
            scans.append(seconds)
    rate = events / min(replays)
    baseline = events / min(scans)
    table(
        f"replay of {events:,} events (best of {args.repeat})",
        ["what", "events/s", "seconds", "ratio"],
        [
            ["droidledger replay (every view rebuilt)", rate, min(replays), rate / baseline],
            ["baseline: raw scan + msgspec decode", baseline, min(scans), 1.0],
        ],
    )
    print(
        f"\nratio = replay / raw scan = {rate / baseline:.3f} (target >= 0.25); "
        f"events_per_s {rate:,.0f} (target >= 300,000)"
    )
    emit(
        {
            "events_per_s": round(rate),
            "baseline_events_per_s": round(baseline),
            "ratio": round(rate / baseline, 3),
            "backend": db.backend,
        }
    )


if __name__ == "__main__":
    main()
