"""API throughput: `droidledger serve` under wrk, against a bare Litestar app served the same way.

The database (bench/dataset.py): 1,040,000 events of 200,000 tasks (--quick: 208,000 of
40,000), events written in bulk, views built by `droidledger replay`. The server is
`droidledger serve` in its own process, as users run it: both loopbacks, the access log ON
(one line per request, to a file here); the list and stats are measured once more with
`--no-access-log`. The load generator is wrk (Debian's; installed if missing), one thread,
32 connections, in its own process. Baseline: bench/bare_app.py, a bare Litestar app
returning a small JSON dict, on the same server function (service.server.run_asgi).

Measured: GET /api/v1/task?status=2&page=1&page_size=20 (the 200 path: a poll without
If-None-Match, and the 304 path: with the ETag of the first answer), GET /api/v1/task/stats,
and POST /api/v1/task creating 100 tasks per request. For reference, the list's page query
itself: the same list with `&poll=N` (ignored by the API), N cycling through 1,600 values, more
URLs than the poll cache holds, so none is cached.

    .venv/bin/python bench/api.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import SERIALS, build  # noqa: E402
from bench.report import emit, machine, table  # noqa: E402
from tests.support.harness.server import free_port, stop_process  # noqa: E402

CONNECTIONS = 32
LIST = "/api/v1/task?status=2&page=1&page_size=20"
STATS = "/api/v1/task/stats"
CREATE = "/api/v1/task"


def ensure_wrk() -> str:
    """wrk from Debian, installed if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get) ...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk")


class Server:
    """A server process on a port; waits until it answers, stops it by its pid."""

    def __init__(self, argv: list[str], port: int, probe: str, log: Path) -> None:
        self.port = port
        self.log = log.open("w")
        self.process = subprocess.Popen(argv, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"the server did not start: see {log}\n{log.read_text()[-2000:]}")
            time.sleep(0.2)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str, seconds: float, *, headers: dict[str, str] | None = None, script: Path | None = None, label: str = ""
) -> dict:
    """One wrk run: requests/s, p50/p99 in ms and the number of non-2xx/3xx answers."""
    argv = [ensure_wrk(), "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    if script is not None:
        argv += ["-s", str(script)]
    print(f"  wrk {label or url} for {seconds:g} s ...", file=sys.stderr)
    out = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": pct.get("50", 0.0),
        "p99": pct.get("99", 0.0),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def serve_argv(db: Path, data_dir: Path, port: int, access_log: bool) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "service.cli",
        "serve",
        "--db",
        str(db),
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--adb-port",
        str(free_port()),
    ]  # no adb there: no phone, no actor
    return argv if access_log else argv + ["--no-access-log"]


def create_script(folder: Path) -> Path:
    """A wrk script POSTing a follow request that fans out to 100 tasks."""
    body = json.dumps(
        {
            "serials": [SERIALS[0]],
            "script_name": "follow",
            "script_config": {"target_users": [f"@bench{n}" for n in range(100)]},
        }
    )
    path = folder / "create.lua"
    path.write_text(
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = {json.dumps(body)}\n'
    )
    return path


def uncached_script(folder: Path) -> Path:
    """A wrk script asking for the same list with an extra parameter the API ignores (`poll=N`,
    N cycling through 1,600 values): more URLs than the poll cache keeps (512), so every request
    runs the page query, as when the log moves between two polls."""
    path = folder / "uncached.lua"
    path.write_text(
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        f"  return wrk.format('GET', '{LIST}&poll=' .. (counter % 1600))\n"
        "end\n"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40,000 tasks, 4 s per load (under 2 minutes)")
    parser.add_argument("--seconds", type=float, help="seconds per wrk run (default 4 quick, 15 full)")
    args = parser.parse_args()
    tasks = 40_000 if args.quick else 200_000
    seconds = args.seconds or (4.0 if args.quick else 15.0)
    ensure_wrk()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="droidledger-bench-api-") as tmp:
        folder = Path(tmp)
        db = folder / "api.db"
        print(f"building the database: {tasks:,} tasks ...", file=sys.stderr)
        events = build(db, tasks)
        print(
            f"mode: {'quick' if args.quick else 'full'}; {events:,} events, {tasks:,} tasks; wrk -t1 -c{CONNECTIONS}, "
            f"{seconds:g} s per run"
        )

        print("baseline: bare Litestar app ...", file=sys.stderr)
        port = free_port()
        bare = Server(
            [sys.executable, "-m", "bench.bare_app", "--port", str(port)], port, "/api/v1/hello", folder / "bare.log"
        )
        try:
            wrk(f"http://127.0.0.1:{port}/api/v1/hello", 1, label="warm-up")
            baseline = wrk(f"http://127.0.0.1:{port}/api/v1/hello", seconds, label="baseline")
        finally:
            bare.stop()

        results = {}
        for access_log in (True, False):
            name = "access log on" if access_log else "--no-access-log"
            print(f"droidledger serve ({name}) ...", file=sys.stderr)
            port = free_port()
            server = Server(
                serve_argv(db, folder / "data", port, access_log),
                port,
                "/api/v1/health",
                folder / f"serve-{int(access_log)}.log",
            )
            try:
                base = f"http://127.0.0.1:{port}"
                _, headers, _ = server.get(LIST)
                etag = headers.get("etag") or headers.get("ETag")
                wrk(base + LIST, 1, label="warm-up")
                run = {
                    "list": wrk(base + LIST, seconds, label=f"list 200 ({name})"),
                    "stats": wrk(base + STATS, seconds, label=f"stats ({name})"),
                }
                if access_log:
                    run["list_304"] = wrk(
                        base + LIST, seconds, headers={"If-None-Match": etag}, label=f"list 304 ({name})"
                    )
                    run["list_uncached"] = wrk(
                        base + LIST, seconds, script=uncached_script(folder), label=f"list, cache missed ({name})"
                    )
                    before = json.loads(server.get(STATS)[2])["data"]["total"]
                    run["create"] = wrk(base + CREATE, seconds, script=create_script(folder), label="create x100")
                    after = json.loads(server.get(STATS)[2])["data"]["total"]
                    run["created"] = after - before
                results[access_log] = run
            finally:
                server.stop()

    on, off = results[True], results[False]
    b = baseline["rps"]
    create_rate = on["create"]["rps"] * 100
    rows = [
        ["baseline: bare Litestar JSON", b, 1.0, baseline["p50"], baseline["p99"]],
        [
            "GET task list, 200 (poll, cached body)",
            on["list"]["rps"],
            on["list"]["rps"] / b,
            on["list"]["p50"],
            on["list"]["p99"],
        ],
        [
            "GET task list, 304 (If-None-Match)",
            on["list_304"]["rps"],
            on["list_304"]["rps"] / b,
            on["list_304"]["p50"],
            on["list_304"]["p99"],
        ],
        [
            "GET task list, 200, cache missed (page query)",
            on["list_uncached"]["rps"],
            on["list_uncached"]["rps"] / b,
            on["list_uncached"]["p50"],
            on["list_uncached"]["p99"],
        ],
        ["GET task stats", on["stats"]["rps"], on["stats"]["rps"] / b, on["stats"]["p50"], on["stats"]["p99"]],
        [
            "GET task list, 200, --no-access-log",
            off["list"]["rps"],
            off["list"]["rps"] / b,
            off["list"]["p50"],
            off["list"]["p99"],
        ],
        [
            "GET task stats, --no-access-log",
            off["stats"]["rps"],
            off["stats"]["rps"] / b,
            off["stats"]["p50"],
            off["stats"]["p99"],
        ],
        [
            "POST task, 100 tasks per request",
            on["create"]["rps"],
            on["create"]["rps"] / b,
            on["create"]["p50"],
            on["create"]["p99"],
        ],
    ]
    table(
        f"droidledger serve vs a bare Litestar app ({CONNECTIONS} connections, access log on unless said)",
        ["what", "req/s", "ratio", "p50 ms", "p99 ms"],
        rows,
    )
    bad = {
        k: v["bad"]
        for k, v in [*on.items(), *(("off " + k, v) for k, v in off.items())]
        if isinstance(v, dict) and v["bad"]
    }
    if bad:
        print(f"\nWARNING: non-2xx/3xx answers: {bad}")
    print(f"\ncreated {create_rate:,.0f} tasks/s (target >= 20,000; {on['created']:,} tasks created in {seconds:g} s)")
    ratio, stats_ratio, p99 = on["list"]["rps"] / b, on["stats"]["rps"] / b, max(on["list"]["p99"], on["stats"]["p99"])
    print(
        f"ratio = list / baseline = {ratio:.3f} (target >= 0.6); stats_ratio = {stats_ratio:.3f} (target >= 0.8); "
        f"p99 (list and stats) {p99:.2f} ms (target <= 10)"
    )
    emit(
        {
            "list_rps": round(on["list"]["rps"]),
            "baseline_rps": round(b),
            "ratio": round(ratio, 3),
            "stats_ratio": round(stats_ratio, 3),
            "p99_ms": round(p99, 2),
            "create_tasks_per_s": round(create_rate),
            "list_304_rps": round(on["list_304"]["rps"]),
            "list_uncached_rps": round(on["list_uncached"]["rps"]),
            "list_rps_no_access_log": round(off["list"]["rps"]),
        }
    )


if __name__ == "__main__":
    main()
