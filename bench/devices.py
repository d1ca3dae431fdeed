"""Per-device throughput: `droidledger serve` driving 1 … 200 virtual phones with 150 ms per call.

For each N: a farm in its own process (`droidledger sim --devices N --latency-ms 150`), a fresh
`droidledger serve --adb-port <farm> --device-limit <above N>` (access log on, as users run it;
with `--agents K`, `serve --agents K`: the phones' actors in K agent processes).
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
- the service's CPU (utime + stime over the batch of the serve process and every process it
  started, its agents; per phone, in cores, and per completed task) and the sum of their peak RSS
  (VmHWM); the farm's CPU beside it (they all share the 2 cores);
- the baseline: the farm records every call the service made to each phone during the batch
  (`POST /calls`); once the service has stopped, `bench/harness/bare_calls.py` drives the same
  calls, phone by phone in the same order, with the bare adbutils + uiautomator2 from one thread
  per phone, and reports its CPU. `cpu_overhead_ratio` = the service's CPU per completed task over
  the bare libraries' CPU per task (pooled over every N of the run; per N in the table);
- phones per core: the rate of one phone alone over the service CPU one phone costs at that rate
  (CPU per task at 100 phones, or the largest N below), i.e. how many phones one core drives.

    .venv/bin/python bench/devices.py [--quick] [--agents K] [--png bench/devices.png] [--plot-with OTHER.json]
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

from bench.report import emit, machine, table  # noqa: E402
from tests.support.harness.server import free_port, stop_process  # noqa: E402

LATENCY_MS = 150.0
POLL_S = 0.5  # the benchmark's own poll of /task/stats while it waits (a client's poll; its CPU is the service's)
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the peak resident set of a process, in MiB."""
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants, alive now."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass
    return tree


def tree_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each process still alive."""
    found = {}
    for pid in pids:
        try:
            found[pid] = cpu_seconds(pid)
        except OSError:
            pass
    return found


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
            [
                sys.executable,
                "-m",
                "service.cli",
                "sim",
                "--devices",
                str(devices),
                "--port",
                "0",
                "--latency-ms",
                f"{LATENCY_MS:g}",
                "--control-port",
                "0",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
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

    def record_calls(self, on: bool) -> None:
        http(f"{self.control}/calls", {"record": on})

    def take_calls(self) -> dict[str, list]:
        return http(f"{self.control}/calls", timeout=120)

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


class Service:
    """`droidledger serve` against the farm."""

    def __init__(self, folder: Path, farm: Farm, devices: int, agents: int) -> None:
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api/v1"
        self.log = (folder / "serve.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.cli",
                "serve",
                "--data-dir",
                str(folder / "data"),
                "--port",
                str(self.port),
                "--adb-port",
                str(farm.port),
                "--device-limit",
                str(devices + 10),
            ]
            + (["--agents", str(agents)] if agents else []),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
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
        while True:  # every phone online and owned by an agent
            online = [d for d in http(f"{self.api}/device")["data"]["devices"] if d["online"] and d.get("agent")]
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
                log = [
                    line for line in Path(self.log.name).read_text().splitlines() if "droidledger.access" not in line
                ]
                stats = http(f"{self.api}/task/stats")["data"]
                raise SystemExit(
                    f"{label}: only {completed + failed} of {count} tasks finished in {timeout_s:g} s; "
                    f"stats {stats}; the server's log:\n" + "\n".join(log[-40:])
                )
            if now - last_note > 5:
                print(f"    {label}: {completed + failed}/{count} finished", file=sys.stderr)
                last_note = now
            time.sleep(POLL_S)

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
    return {
        "target_post_urls": [f"https://www.tiktok.com/@bench.creator/video/73{offset + n:017d}" for n in range(count)],
        "comment_content": "Great video!\nLove this {song|edit|vibe}",
    }


def measure(devices: int, per_phone: int, agents: int) -> dict:
    """One farm and one server of N phones: warm-up follow, the measured batch, then the bare baseline."""
    with tempfile.TemporaryDirectory(prefix=f"droidledger-bench-devices-{devices}-") as tmp:
        folder = Path(tmp)
        print(f"  {devices} phones: starting the farm and the server ...", file=sys.stderr)
        farm = Farm(devices, folder / "farm.log")
        try:
            service = Service(folder, farm, devices, agents)
            try:
                serials = farm.serials
                service.create(serials, "follow", follow_config(1, 0))
                warm_completed, warm_failed = service.wait_finished(devices, 300, f"{devices} phones warm-up")
                farm.record_calls(True)
                calls_before = farm.rpc_calls()
                processes = process_tree(service.process.pid)
                if len(processes) < 1 + agents:
                    raise SystemExit(f"expected serve and {agents} agents, found processes {processes}")
                cpu_before, farm_cpu_before = tree_cpu(processes), cpu_seconds(farm.process.pid)
                started = time.perf_counter()
                follows = per_phone // 2
                batch: set[int] = set()
                for n, serial in enumerate(serials):  # targets of its own per phone: comments on a video
                    batch.update(service.create([serial], "follow", follow_config(follows, 1 + n * per_phone)))
                    batch.update(
                        service.create([serial], "comment", comment_config(per_phone - follows, 1 + n * per_phone))
                    )
                created = len(batch)
                completed, failed = service.wait_finished(devices + created, 600, f"{devices} phones")
                elapsed = time.perf_counter() - started
                cpu_after = tree_cpu(process_tree(service.process.pid))
                farm_cpu = cpu_seconds(farm.process.pid) - farm_cpu_before
                if set(cpu_after) != set(cpu_before):
                    print(
                        f"    warning: the service's processes changed during the batch: {sorted(cpu_before)} -> "
                        f"{sorted(cpu_after)} (an agent restarted?)",
                        file=sys.stderr,
                    )
                cpu = sum(cpu_after.values()) - sum(cpu_before.get(pid, 0.0) for pid in cpu_after)
                serve_cpu = cpu_after[service.process.pid] - cpu_before[service.process.pid]
                rss = sum(peak_rss_mb(pid) for pid in cpu_after)
                windows = busy_windows([t for t in service.tasks() if t["id"] in batch])
                calls_after = farm.rpc_calls()
                reasons = service.failures()
                calls = farm.take_calls()
                farm.record_calls(False)
            finally:
                service.stop()
            print(f"  {devices} phones: the bare libraries replay the service's device calls ...", file=sys.stderr)
            bare = bare_baseline(farm, calls)
        finally:
            farm.stop()
    rpc = sum(calls_after[s] - calls_before.get(s, 0) for s in calls_after)
    per_min = sum(per_phone / (window / 60) for window in windows.values()) / devices
    busy = sum(windows.values())
    done = completed - warm_completed
    return {
        "devices": devices,
        "tasks": created,
        "completed": done,
        "failed": failed - warm_failed,
        "seconds": elapsed,
        "tasks_per_min_per_device": per_min,
        "total_per_min": per_min * devices,
        "rpc_per_task": rpc / created,
        "wait_share": rpc * LATENCY_MS / 1000 / busy,
        "cpu_per_device": cpu / elapsed / devices,
        "farm_cpu": farm_cpu / elapsed,
        "service_cpu": cpu / elapsed,
        "service_cpu_s": cpu,
        "cpu_ms_per_task": cpu * 1000 / max(done, 1),
        "serve_share": serve_cpu / cpu,
        "bare_cpu_s": bare["cpu_s"],
        "bare_cpu_ms_per_task": bare["cpu_s"] * 1000 / created,
        "bare_calls": bare["calls"],
        "bare_errors": bare["errors"],
        "rss_mb": rss,
        "processes": len(cpu_after),
        "reasons": reasons,
    }


def bare_baseline(farm: Farm, calls: dict[str, list]) -> dict:
    """The recorded calls driven again by the bare libraries, in a process of their own (its CPU is theirs)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.harness.bare_calls", "--adb-port", str(farm.port)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        process.stdin.write(json.dumps(calls) + "\n")
        process.stdin.flush()
        if process.stdout.readline().strip() != "ready":
            raise SystemExit("the bare baseline did not connect to the phones")
        process.stdin.write("go\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if process.wait(timeout=600) != 0 or not line:
            raise SystemExit("the bare baseline failed")
        return json.loads(line)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def busy_windows(tasks: list[dict]) -> dict[str, float]:
    """Per phone, seconds from its first task's start to its last task's end (recorded times)."""
    spans: dict[str, list[float]] = {}
    for task in tasks:
        start, end = (datetime.fromisoformat(task[k]).timestamp() for k in ("started_at", "finished_at"))
        span = spans.setdefault(task["serial"], [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
    return {serial: end - start for serial, (start, end) in spans.items()}


def pooled_ratio(results: list[dict]) -> float:
    """The service's CPU per completed task over the bare libraries' per task, over every run together."""
    service = sum(r["service_cpu_s"] for r in results) / max(1, sum(r["completed"] for r in results))
    bare = sum(r["bare_cpu_s"] for r in results) / max(1, sum(r["tasks"] for r in results))
    return service / bare


def phones_per_core(results: list[dict]) -> float:
    """One core's worth of phones: 1 / (one phone's task rate x the service CPU per task at load)."""
    single = results[0]["tasks_per_min_per_device"] / 60
    loaded = [r for r in results if r["devices"] <= 100][-1]
    return 1 / (single * loaded["cpu_ms_per_task"] / 1000)


def mode(agents: int) -> str:
    return f"--agents {agents}" if agents else "one process"


def plot(runs: list[dict], path: Path) -> None:
    """Efficiency and CPU per phone against phones, one line per run (mode), with the bare libraries' CPU."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    for n, run in enumerate(runs):
        rows, colour = run["results"], f"C{n}"
        ns = [r["devices"] for r in rows]
        left.plot(ns, [r["efficiency"] for r in rows], "o-", color=colour, label=f"serve, {mode(run['agents'])}")
        right.plot(
            ns,
            [r["cpu_per_device"] for r in rows],
            "o-",
            color=colour,
            label=f"serve, {mode(run['agents'])} (ratio {run['cpu_overhead_ratio']:.2f})",
        )
        right.plot(
            ns,
            [r["bare_cpu_per_device"] for r in rows],
            "x:",
            color=colour,
            label=f"bare adbutils + uiautomator2, same calls ({mode(run['agents'])} run)",
        )
    left.axhline(0.9, color="red", linewidth=0.8, linestyle=":", label="target 0.9 up to 100")
    left.axhline(0.65, color="orange", linewidth=0.8, linestyle=":", label="target 0.65 at 200 (--agents 2)")
    left.set_ylim(0, 1.1)
    left.set_xlabel("phones")
    left.set_ylabel("efficiency (tasks/min per phone / one phone alone)")
    left.set_title(f"scaling ({LATENCY_MS:g} ms per device call, farm on the same 2 cores)")
    left.legend(loc="lower left", fontsize=8)
    right.set_xlabel("phones")
    right.set_ylabel("CPU per phone, cores (all service processes)")
    right.set_title("CPU per phone")
    right.set_yscale("log")
    right.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def last_json(path: Path) -> dict:
    """The JSON line a run of this script ended with (its saved output)."""
    lines = [line for line in path.read_text().splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"{path}: no JSON line (save a run's output: bench/devices.py ... > {path})")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1, 10, 50, 100 and 200 phones, 4 tasks each")
    parser.add_argument("--devices", help="comma-separated phone counts (default 1,10,50,100,200)")
    parser.add_argument("--tasks", type=int, help="measured tasks per phone (default 8; quick 4)")
    parser.add_argument(
        "--agents",
        type=int,
        default=0,
        metavar="K",
        help="run `serve --agents K` (the phones' actors in K processes); default: one process",
    )
    parser.add_argument("--png", type=Path, help="where to draw the scaling (default bench/devices.png, none in quick)")
    parser.add_argument(
        "--plot-with",
        type=Path,
        action="append",
        default=[],
        metavar="OUTPUT",
        help="the saved output of another run (another mode) to draw beside this one",
    )
    args = parser.parse_args()
    counts = [int(n) for n in (args.devices or "1,10,50,100,200").split(",")]
    per_phone = args.tasks or (4 if args.quick else 8)
    png = args.png or (None if args.quick else ROOT / "bench" / "devices.png")
    others = [last_json(path) for path in args.plot_with]
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f} at the start")
    print(
        f"mode: {'quick' if args.quick else 'full'}, {mode(args.agents)}; phones {counts}; {per_phone} tasks per "
        f"phone (follow and comment, half each), {LATENCY_MS:g} ms per device call"
    )
    results = []
    for devices in counts:
        result = measure(devices, per_phone, args.agents)
        results.append(result)
        print(
            f"  {devices} phones: {result['tasks_per_min_per_device']:.2f} tasks/min per phone, "
            f"service {result['cpu_ms_per_task']:.1f} ms CPU per task, bare libraries "
            f"{result['bare_cpu_ms_per_task']:.1f} ms",
            file=sys.stderr,
        )
    single = (
        results[0]["tasks_per_min_per_device"]
        if counts[0] == 1
        else measure(1, per_phone, args.agents)["tasks_per_min_per_device"]
    )
    for r in results:
        r["ideal_per_min"] = single * r["devices"]
        r["efficiency"] = r["tasks_per_min_per_device"] / single
        r["ratio"] = r["cpu_ms_per_task"] / r["bare_cpu_ms_per_task"]
        # the cores the bare libraries would spend per phone at the rate the service reached
        r["bare_cpu_per_device"] = r["bare_cpu_ms_per_task"] / 1000 * r["tasks_per_min_per_device"] / 60
    table(
        f"tasks on virtual phones, serve {mode(args.agents)} (the ideal = N x one phone alone, this run)",
        [
            "phones",
            "tasks/min/phone",
            "total/min",
            "ideal/min",
            "efficiency",
            "waiting on phone",
            "RPC/task",
            "failed",
            "CPU/phone",
            "service CPU",
            "serve's share",
            "farm CPU",
            "ms CPU/task",
            "bare ms/task",
            "ratio",
            "processes",
            "peak RSS MB",
        ],
        [
            [
                r["devices"],
                r["tasks_per_min_per_device"],
                r["total_per_min"],
                r["ideal_per_min"],
                r["efficiency"],
                f"{r['wait_share']:.0%}",
                r["rpc_per_task"],
                r["failed"],
                f"{r['cpu_per_device']:.4f}",
                f"{r['service_cpu']:.2f}",
                f"{r['serve_share']:.0%}",
                f"{r['farm_cpu']:.2f}",
                r["cpu_ms_per_task"],
                r["bare_cpu_ms_per_task"],
                r["ratio"],
                r["processes"],
                r["rss_mb"],
            ]
            for r in results
        ],
    )
    for r in results:
        for reason, count in sorted(r["reasons"].items(), key=lambda item: -item[1]):
            print(f"  {r['devices']} phones: {count} failed at {reason}")
        if r["bare_errors"]:
            print(f"  {r['devices']} phones: {r['bare_errors']} of the bare replay's {r['bare_calls']} calls raised")
    to_100 = [r["efficiency"] for r in results if r["devices"] <= 100]
    at_200 = [r["efficiency"] for r in results if r["devices"] == 200]
    ratio, per_core = pooled_ratio(results), phones_per_core(results)
    print(
        f"\nCPU in cores (1.0 = one core busy), every service process counted (serve and its agents); the machine "
        f"has {os.cpu_count()}: farm and service share them. ms CPU/task: per completed task; bare: the same calls "
        f"from one thread per phone with adbutils + uiautomator2. cpu_overhead_ratio (every N pooled) {ratio:.2f}; "
        f"phones per core {per_core:.0f}; load average {os.getloadavg()[0]:.2f} at the end."
    )
    print(
        "Targets (2 cores, --agents 2): efficiency >= 0.9 up to 100 phones, >= 0.65 at 200; cpu_overhead_ratio "
        "<= 1.5; all service processes <= 400 MB at 200; one process: min_efficiency_to_100 >= 0.9."
    )
    summary = {
        "agents": args.agents,
        "tasks_per_phone": per_phone,
        "results": [
            {
                "devices": r["devices"],
                "tasks_per_min_per_device": round(r["tasks_per_min_per_device"], 2),
                "efficiency": round(r["efficiency"], 3),
                "cpu_per_device": round(r["cpu_per_device"], 5),
                "rss_mb": round(r["rss_mb"], 1),
                "cpu_ms_per_task": round(r["cpu_ms_per_task"], 2),
                "bare_cpu_ms_per_task": round(r["bare_cpu_ms_per_task"], 2),
                "bare_cpu_per_device": round(r["bare_cpu_per_device"], 5),
                "cpu_overhead_ratio": round(r["ratio"], 3),
            }
            for r in results
        ],
        "min_efficiency_to_100": round(min(to_100), 3) if to_100 else None,
        "efficiency_at_200": round(at_200[0], 3) if at_200 else None,
        "cpu_overhead_ratio": round(ratio, 3),
        "phones_per_core": round(per_core, 1),
    }
    if png:
        plot(others + [summary], png)
        print(f"plot: {png}")
    emit(summary)


if __name__ == "__main__":
    main()
