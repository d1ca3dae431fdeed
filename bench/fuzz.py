"""Hostile input: schemathesis against the served OpenAPI schema of `serve --sim 2`, every
operation, valid and schema-violating requests, then every other method on every path.

    python bench/fuzz.py [--per-operation 30] [--seed 0]

Passes with zero 5xx, every response in the envelope (but for the exceptions of docs/api.md), every
success matching its documented schema, and the database whole and equal to a replay after.
Prints one line per operation, a summary, and last a JSON object.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import emit, machine  # noqa: E402
from tests.support.harness.fuzzing import fuzz_served  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--per-operation", type=int, default=30, help="cases per operation and mode (positive, negative)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="droidledger-fuzz-") as tmp:
        report, after = fuzz_served(
            Path(tmp), per_operation=args.per_operation, seed=args.seed, progress=lambda line: print(line, flush=True)
        )
    summary = {**report.summary(), **after}
    ok = (
        report.ok
        and after["integrity"] == "ok"
        and after["views_equal_replay"]
        and after["clean_stop_exit"] == 0
        and not after["tracebacks_in_log"]
    )
    summary["ok"] = ok
    print(
        f"\n{report.cases} cases over {len(report.operations)} operations in {report.seconds:.1f} s: "
        f"{len(report.server_errors)} 5xx, {len(report.envelope_failures)} outside the envelope, "
        f"{len(report.schema_failures)} not matching the schema, {len(report.transport_errors)} transport errors; "
        f"statuses {summary['statuses']}; database integrity {after['integrity']}, views = replay "
        f"{after['views_equal_replay']}"
    )
    if report.not_generated:
        print("not generated: " + "; ".join(report.not_generated))
    if not ok:
        print("FAILED:")
        for line in report.failures():
            print(f"  {line}")
    emit(summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
