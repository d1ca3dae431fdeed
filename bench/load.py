"""Load: concurrent clients mixing creates, lists, gets, stops, retries and deletes against
`serve --sim 50 --device-limit 50 --time-scale 0.01` while the virtual phones run the tasks.

    python bench/load.py [--clients 100] [--seconds 60] [--processes 1]

Prints progress, a table of p50/p99 per endpoint, the checks, and last a JSON object.
Exit status 0 with zero 5xx and no acknowledged task lost or duplicated.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import emit, machine, table  # noqa: E402
from tests.support.harness.load import LoadConfig, run_load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--device-limit", type=int, default=50)
    parser.add_argument("--time-scale", type=float, default=0.01)
    parser.add_argument("--processes", type=int, default=1, help="client processes (the clients are split among them)")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a client's requests, seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    config = LoadConfig(
        clients=args.clients,
        seconds=args.seconds,
        phones=args.phones,
        device_limit=args.device_limit,
        time_scale=args.time_scale,
        processes=args.processes,
        think_s=args.think,
        seed=args.seed,
    )
    print(f"machine: {machine()}")
    print(f"load: {config}")
    with tempfile.TemporaryDirectory(prefix="droidledger-load-") as tmp:
        report = run_load(Path(tmp), config, progress=lambda line: print(line, flush=True))
    summary = report.summary()
    table(
        "latency per endpoint (client side, ms)",
        ["endpoint", "requests", "p50 ms", "p99 ms"],
        [[e, v["count"], v["p50_ms"], v["p99_ms"]] for e, v in report.latencies.items()],
    )
    print(
        f"\n{summary['requests']} requests in {summary['seconds']} s ({summary['requests_per_s']}/s), "
        f"{summary['errors_5xx']} 5xx, {summary['transport_errors']} transport errors; "
        f"{summary['tasks_acknowledged']} tasks acknowledged, {summary['tasks_lost']} lost, "
        f"{summary['tasks_duplicated']} duplicated; phones: {summary['tasks_run']}; "
        f"server CPU {summary['server_cpu_percent']} %, client CPU {summary['client_cpu_percent']} %"
    )
    print(f"integrity {summary['integrity']}, views = replay: {summary['views_equal_replay']}")
    if not report.ok:
        print("FAILED:")
        for line in report.failures():
            print(f"  {line}")
    emit(summary)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
