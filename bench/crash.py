"""Crash safety: `droidledger serve --sim` killed with SIGKILL at random moments, restarted on the
same files, checked after every round (see tests/support/harness/crash.py for the checks).

    python bench/crash.py [--rounds 20] [--clients 8] [--phones 8] [--seed 1]

Prints one line per round, a summary, and last a JSON object with the figures.
Exit status 0 when nothing acknowledged was lost and every check held.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import emit, machine  # noqa: E402
from tests.support.harness.crash import CrashConfig, run_crash  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument("--time-scale", type=float, default=0.02)
    parser.add_argument("--kill-after-min", type=float, default=0.3, help="seconds after ready, at least")
    parser.add_argument("--kill-after-max", type=float, default=4.0, help="seconds after ready, at most")
    parser.add_argument(
        "--startup-kill-chance",
        type=float,
        default=0.2,
        help="chance per round of one more kill while the server starts",
    )
    parser.add_argument("--sync", choices=("full", "normal"), default="full")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the files here instead of a temporary folder")
    args = parser.parse_args()
    config = CrashConfig(
        rounds=args.rounds,
        clients=args.clients,
        phones=args.phones,
        time_scale=args.time_scale,
        kill_after_min_s=args.kill_after_min,
        kill_after_max_s=args.kill_after_max,
        startup_kill_chance=args.startup_kill_chance,
        sync=args.sync,
        seed=args.seed,
    )
    print(f"machine: {machine()}")
    print(f"crash: {config}")
    with tempfile.TemporaryDirectory(prefix="droidledger-crash-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        report = run_crash(folder, config, progress=lambda line: print(line, flush=True))
    summary = report.summary()
    print(
        f"\n{summary['rounds']} rounds ({summary['startup_kills']} extra kills during start-up), "
        f"{summary['tasks_acknowledged']} tasks acknowledged, {summary['tasks_lost']} lost, "
        f"{summary['duplicated']} duplicated, {summary['running_at_kill']} running at a kill "
        f"({summary['not_recovered']} not recovered), {summary['requests']} requests, "
        f"{summary['server_errors']} 5xx, {summary['seconds']} s"
    )
    if not report.ok:
        print("FAILED:")
        for line in report.failures():
            print(f"  {line}")
    emit(summary)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
