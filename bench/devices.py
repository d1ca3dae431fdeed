"""Per-device throughput: `droidledger serve` driving 1 … 200 virtual phones with 150 ms per call.

For each N: a farm in its own process (`droidledger sim --devices N --latency-ms 150`), a fresh
`droidledger serve --adb-port <farm> --device-limit <above N>` (access log on, as users run it).
Each phone first runs one warm-up follow (uiautomator2's connect: u2.jar pushed, server
started), then the measured batch: a fixed mix of follow and comment tasks per phone, half
each (one POST per phone and script, each phone with targets of its own: the app lists only a
video's first comments). When every task has finished (completed or failed):

- tasks/min per phone: its tasks over its busy window (its first task's `started_at` to its
  last task's `finished_at`, as recorded), averaged over the phones; total = N x that; the
  ideal = N x the rate of the 1-phone run of this same benchmark; efficiency = measured / ideal;
- the share of a task's time spent waiting on the phone: JSON-RPC calls made (the farm's
  /state `rpc_calls`) x the mean latency, over the phone's busy time (shell commands have the
  same latency but are not counted: a lower bound);
- the controller's CPU (utime + stime of the serve process over the batch, per phone, in
  cores) and its peak RSS (VmHWM); the farm's CPU beside it (both share the 2 cores).

    .venv/bin/python bench/devices.py [--quick] [--png bench/devices.png]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.harness.server import free_port, stop_process  # noqa: E402
from bench.report import emit, machine, table  # noqa: E402

LATENCY_MS = 150.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the peak resident set of a process, in MiB."""
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024


def http(url: str, body: dict | None = None, timeout: float = 30) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


class Farm:
    """`droidledger sim` in its own process."""

    def __init__(self, devices: int, log: Path) -> None:
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "sim", "--devices", str(devices), "--port", "0",
             "--latency-ms", f"{LATENCY_MS:g}", "--control-port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.serials: list[str] = []
        banner = self.process.stdout.readline()
        match = re.search(r":(\d+) \(seed", banner)
        if not match:
            self.stop()
            raise SystemExit(f"the farm did not start: {banner!r}")
        self.port = int(match.group(1))
        for line in self.process.stdout:
            if line.startswith("control:"):
                self.control = re.search(r"(http://\S+)/state", line).group(1)
                break
            self.serials.append(line.split()[0])

    def rpc_calls(self) -> dict[str, int]:
        state = http(f"{self.control}/state")
        return {serial: phone["faults"]["rpc_calls"] for serial, phone in state["phones"].items()}

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


class Service:
    """`droidledger serve` against the farm."""

    def __init__(self, folder: Path, farm: Farm, devices: int) -> None:
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api/v1"
        self.log = (folder / "serve.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(folder / "data"), "--port", str(self.port),
             "--adb-port", str(farm.port), "--device-limit", str(devices + 10)],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                if http(f"{self.api}/health", timeout=2)["code"] == 0:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"the server did not start:\n{(folder / 'serve.log').read_text()[-2000:]}")
            time.sleep(0.2)
        while True:  # every phone online
            online = [d for d in http(f"{self.api}/device")["data"]["devices"] if d["online"]]
            if len(online) >= devices:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"only {len(online)} of {devices} phones came online")
            time.sleep(0.2)

    def create(self, serials: list[str], script: str, config: dict) -> list[int]:
        answer = http(f"{self.api}/task", {"serials": serials, "script_name": script, "script_config": config})
        if answer["code"] != 0:
            raise SystemExit(f"create {script} failed: {answer}")
        return answer["data"]["task_ids"]

    def tasks(self) -> list[dict]:
        """Every task, all pages."""
        found, page = [], 1
        while True:
            data = http(f"{self.api}/task?page={page}&page_size=100")["data"]
            found += data["tasks"]
            if page * 100 >= data["total"]:
                return found
            page += 1

    def finished(self) -> tuple[int, int]:
        stats = http(f"{self.api}/task/stats")["data"]
        return stats["completed"], stats["failed"]

    def wait_finished(self, count: int, timeout_s: float, label: str) -> tuple[int, int]:
        deadline = time.monotonic() + timeout_s
        last_note = 0.0
        while True:
            completed, failed = self.finished()
            if completed + failed >= count:
                return completed, failed
            now = time.monotonic()
            if now > deadline:
                log = [line for line in Path(self.log.name).read_text().splitlines() if "droidledger.access" not in line]
                stats = http(f"{self.api}/task/stats")["data"]
                raise SystemExit(f"{label}: only {completed + failed} of {count} tasks finished in {timeout_s:g} s; "
                                 f"stats {stats}; the server's log:\n" + "\n".join(log[-40:]))
            if now - last_note > 5:
                print(f"    {label}: {completed + failed}/{count} finished", file=sys.stderr)
                last_note = now
            time.sleep(0.1)

    def failures(self) -> dict[str, int]:
        """Why tasks failed: reason -> count."""
        reasons: dict[str, int] = {}
        page = 1
        while True:
            data = http(f"{self.api}/task?status=3&page={page}&page_size=100")["data"]
            for task in data["tasks"]:
                reason = f"{task['failed_step']}: {task['error']}"
                reasons[reason] = reasons.get(reason, 0) + 1
            if page * 100 >= data["total"]:
                return reasons
            page += 1

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def follow_config(count: int, offset: int) -> dict:
    return {"target_users": [f"@bench.user{offset + n}" for n in range(count)], "access_method": "direct"}


def comment_config(count: int, offset: int) -> dict:
    return {"target_post_urls": [f"https://www.tiktok.com/@bench.creator/video/73{offset + n:017d}" for n in range(count)],
            "comment_content": "Great video!\nLove this {song|edit|vibe}"}


def measure(devices: int, per_phone: int) -> dict:
    """One farm and one server of N phones: warm-up follow, then the measured batch."""
    with tempfile.TemporaryDirectory(prefix=f"droidledger-bench-devices-{devices}-") as tmp:
        folder = Path(tmp)
        print(f"  {devices} phones: starting the farm and the server ...", file=sys.stderr)
        farm = Farm(devices, folder / "farm.log")
        try:
            service = Service(folder, farm, devices)
            try:
                serials = farm.serials
                service.create(serials, "follow", follow_config(1, 0))
                warm_completed, warm_failed = service.wait_finished(devices, 300, f"{devices} phones warm-up")
                calls_before = farm.rpc_calls()
                cpu_before, farm_cpu_before = cpu_seconds(service.process.pid), cpu_seconds(farm.process.pid)
                started = time.perf_counter()
                follows = per_phone // 2
                batch: set[int] = set()
                for n, serial in enumerate(serials):  # targets of its own per phone: comments on a video
                    batch.update(service.create([serial], "follow", follow_config(follows, 1 + n * per_phone)))
                    batch.update(service.create([serial], "comment", comment_config(per_phone - follows, 1 + n * per_phone)))
                created = len(batch)
                completed, failed = service.wait_finished(devices + created, 600, f"{devices} phones")
                elapsed = time.perf_counter() - started
                windows = busy_windows([t for t in service.tasks() if t["id"] in batch])
                cpu = cpu_seconds(service.process.pid) - cpu_before
                farm_cpu = cpu_seconds(farm.process.pid) - farm_cpu_before
                calls_after = farm.rpc_calls()
                rss = peak_rss_mb(service.process.pid)
                reasons = service.failures()
            finally:
                service.stop()
        finally:
            farm.stop()
    calls = sum(calls_after[s] - calls_before.get(s, 0) for s in calls_after)
    per_min = sum(per_phone / (window / 60) for window in windows.values()) / devices
    busy = sum(windows.values())
    return {"devices": devices, "tasks": created, "failed": failed - warm_failed, "seconds": elapsed,
            "tasks_per_min_per_device": per_min, "total_per_min": per_min * devices,
            "rpc_per_task": calls / created, "wait_share": calls * LATENCY_MS / 1000 / busy,
            "cpu_per_device": cpu / elapsed / devices, "farm_cpu": farm_cpu / elapsed, "service_cpu": cpu / elapsed,
            "rss_mb": rss, "reasons": reasons}


def busy_windows(tasks: list[dict]) -> dict[str, float]:
    """Per phone, seconds from its first task's start to its last task's end (recorded times)."""
    spans: dict[str, list[float]] = {}
    for task in tasks:
        start, end = (datetime.fromisoformat(task[k]).timestamp() for k in ("started_at", "finished_at"))
        span = spans.setdefault(task["serial"], [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
    return {serial: end - start for serial, (start, end) in spans.items()}


def plot(results: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["devices"] for r in results]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(ns, [r["total_per_min"] for r in results], "o-", label="measured")
    left.plot(ns, [r["ideal_per_min"] for r in results], "--", color="grey", label="ideal (N x one phone)")
    left.set_xlabel("phones")
    left.set_ylabel("tasks per minute, all phones")
    left.set_title("throughput")
    left.legend()
    right.plot(ns, [r["efficiency"] for r in results], "o-", label="efficiency (measured / ideal)")
    right.plot(ns, [r["wait_share"] for r in results], "s--", label="share of task time waiting on the phone")
    right.axhline(0.9, color="red", linewidth=0.8, linestyle=":", label="target 0.9")
    right.set_ylim(0, 1.1)
    right.set_xlabel("phones")
    right.set_title(f"per phone ({LATENCY_MS:g} ms per device call)")
    right.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1, 10, 50 and 100 phones, 4 tasks each (under 2 minutes)")
    parser.add_argument("--devices", help="comma-separated phone counts (default 1,10,50,100,200; quick 1,10,50,100)")
    parser.add_argument("--tasks", type=int, help="measured tasks per phone (default 8; quick 4)")
    parser.add_argument("--png", type=Path, help="where to draw the scaling (default bench/devices.png, none in quick)")
    args = parser.parse_args()
    counts = [int(n) for n in (args.devices or ("1,10,50,100" if args.quick else "1,10,50,100,200")).split(",")]
    per_phone = args.tasks or (4 if args.quick else 8)
    png = args.png or (None if args.quick else ROOT / "bench" / "devices.png")
    print(f"machine: {machine()}")
    print(f"mode: {'quick' if args.quick else 'full'}; phones {counts}; {per_phone} tasks per phone "
          f"(follow and comment, half each), {LATENCY_MS:g} ms per device call")
    results = []
    for devices in counts:
        result = measure(devices, per_phone)
        results.append(result)
        print(f"  {devices} phones: {result['tasks_per_min_per_device']:.2f} tasks/min per phone", file=sys.stderr)
    single = results[0]["tasks_per_min_per_device"] if counts[0] == 1 else measure(1, per_phone)["tasks_per_min_per_device"]
    for r in results:
        r["ideal_per_min"] = single * r["devices"]
        r["efficiency"] = r["tasks_per_min_per_device"] / single
    table("tasks on virtual phones (the ideal = N x one phone alone, this run)",
          ["phones", "tasks/min/phone", "total/min", "ideal/min", "efficiency", "waiting on phone", "RPC/task",
           "failed", "serve CPU/phone", "serve CPU", "farm CPU", "serve peak RSS MB"],
          [[r["devices"], r["tasks_per_min_per_device"], r["total_per_min"], r["ideal_per_min"], r["efficiency"],
            f"{r['wait_share']:.0%}", r["rpc_per_task"], r["failed"], f"{r['cpu_per_device']:.4f}",
            f"{r['service_cpu']:.2f}", f"{r['farm_cpu']:.2f}", r["rss_mb"]] for r in results])
    for r in results:
        for reason, count in sorted(r["reasons"].items(), key=lambda item: -item[1]):
            print(f"  {r['devices']} phones: {count} failed at {reason}")
    to_100 = [r["efficiency"] for r in results if r["devices"] <= 100]
    print("\nCPU in cores (1.0 = one core busy); the machine has "
          f"{os.cpu_count()}: farm and server share them. Target: efficiency >= 0.9 up to 100 phones, RSS <= 300 MB at 200.")
    if png:
        plot(results, png)
        print(f"plot: {png}")
    emit({"results": [{"devices": r["devices"], "tasks_per_min_per_device": round(r["tasks_per_min_per_device"], 2),
                       "efficiency": round(r["efficiency"], 3), "cpu_per_device": round(r["cpu_per_device"], 5),
                       "rss_mb": round(r["rss_mb"], 1)} for r in results],
          "min_efficiency_to_100": round(min(to_100), 3)})


if __name__ == "__main__":
    main()
