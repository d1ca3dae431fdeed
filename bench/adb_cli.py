"""The `adb` binary that adbutils ships, against the virtual phone farm: how long one command takes.

A farm in its own process (`python -m devices.sim --devices 4`); each command is run `--runs` times as a new
process, as users and scripts run it, and the median wall time is kept:

- baseline: `adb devices` (the binary's start, its version check and one host request, no phone);
- `adb shell echo ok` (shell v2 through a transport: the farm must close as soon as the command exits;
  target under 50 ms, it took 2.0 s while the farm waited for the client to hang up);
- `adb push DIR` of 10 small files in 3 folders (the binary runs `mkdir -p` in a shell first).

    .venv/bin/python bench/adb_cli.py [--quick] [--runs N]

The last line of the output is one JSON object.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import adbutils  # noqa: E402

from bench.report import emit, machine, table  # noqa: E402
from bench.sim_rpc import start_farm, stop_farm  # noqa: E402

ADB = Path(adbutils.__file__).parent / "binaries" / "adb"
SHELL_TARGET_MS = 50.0


def median_ms(command: list[str], runs: int, env: dict[str, str]) -> float:
    """The median wall time of `runs` runs of a command, which must succeed."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=30, env=env)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def small_tree(root: Path) -> Path:
    """10 small files in 3 folders."""
    for index in range(10):
        path = root / "tree" / f"d{index % 3}" / f"f{index}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"file {index}\n")
    return root / "tree"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 runs per command (default 40)")
    parser.add_argument("--runs", type=int, default=None, help="runs per command")
    args = parser.parse_args()
    runs = args.runs or (10 if args.quick else 40)
    print(machine(), file=sys.stderr)
    process, port = start_farm(4)
    try:
        env = {**os.environ, "ANDROID_ADB_SERVER_PORT": str(port)}
        serial = adbutils.AdbClient("127.0.0.1", port).list()[0].serial
        adb = [str(ADB), "-P", str(port)]
        with tempfile.TemporaryDirectory() as scratch:
            tree = small_tree(Path(scratch))
            baseline = median_ms([*adb, "devices"], runs, env)
            shell = median_ms([*adb, "-s", serial, "shell", "echo", "ok"], runs, env)
            push = median_ms([*adb, "-s", serial, "push", str(tree), "/sdcard/bench-tree"], runs, env)
    finally:
        stop_farm(process)
    table(
        f"the adb binary against the farm, median of {runs} runs (ms)",
        ["command", "ms", "baseline ms", "ratio", "target ms"],
        [
            ["adb devices (baseline)", baseline, baseline, 1.0, "-"],
            ["adb shell echo ok", shell, baseline, shell / baseline, SHELL_TARGET_MS],
            ["adb push DIR (10 files)", push, baseline, push / baseline, "-"],
        ],
    )
    emit(
        {
            "bench": "adb_cli",
            "runs": runs,
            "baseline_ms": round(baseline, 1),
            "shell_ms": round(shell, 1),
            "shell_ratio": round(shell / baseline, 2),
            "shell_target_ms": SHELL_TARGET_MS,
            "push_dir_ms": round(push, 1),
            "push_dir_ratio": round(push / baseline, 2),
        }
    )


if __name__ == "__main__":
    main()
