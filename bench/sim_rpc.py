"""JSON-RPC calls per second through the real adbutils + uiautomator2 against the virtual phone farm, and its memory.

The farm runs in its own process (`python -m devices.sim`); this process is the one client. Each thread loops
`d(description="Home").click(timeout=1)` on its phone: waitForExists + objInfo + click = 3 JSON-RPC calls, and the
click re-renders the screen. Baseline: the bar of issue 3 (700 RPC/s with 10 phones x 1 thread, 1,200 with
10 x 2), printed with the ratio. Memory: RSS of a 200-phone farm whose phones all ran the uiautomator2 connect
(the 3.7 MB u2.jar pushed to each, stored once) and opened the app, minus a 1-phone farm, per phone.

    .venv/bin/python bench/sim_rpc.py [--quick]

The last line of the output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ["ADBUTILS_ADB_PATH"] = "/bin/false"  # never let adbutils spawn a real adb server

import adbutils  # noqa: E402
import uiautomator2 as u2  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {(10, 1): 700, (10, 2): 1200}
RPC_PER_CLICK = 3


def start_farm(devices: int) -> tuple[subprocess.Popen, int]:
    """A farm process on a free port; returns it and its adb port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "devices.sim", "--devices", str(devices), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r":(\d+) \(seed", line)
    if not match:
        process.kill()
        raise SystemExit(f"the farm did not start: {line!r}")
    return process, int(match.group(1))


def stop_farm(process: subprocess.Popen) -> None:
    """Stop a farm process we started."""
    process.terminate()
    process.wait(timeout=10)


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        return int(re.search(r"VmRSS:\s+(\d+)", status.read_text()).group(1))
    return int(subprocess.check_output(["ps", "-o", "rss=", "-p", str(pid)]).strip())


def connect_all(port: int, open_app: bool) -> list[u2.Device]:
    """uiautomator2 connected to every phone (in parallel), the app started on the home feed."""
    client = adbutils.AdbClient("127.0.0.1", port)

    def connect(serial: str) -> u2.Device:
        device = u2.connect(client.device(serial))
        if open_app:
            device.app_stop("com.zhiliaoapp.musically")
            device.app_start("com.zhiliaoapp.musically")
            device.dump_hierarchy()
        return device

    serials = [info.serial for info in client.list()]
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(connect, serials))


def measure(devices: list[u2.Device], threads_per_phone: int, seconds: float) -> float:
    """RPC/s of `threads_per_phone` threads per phone clicking for `seconds`."""
    clicks = [0] * (len(devices) * threads_per_phone)
    start, stop = threading.Barrier(len(clicks) + 1), threading.Event()

    def work(slot: int, device: u2.Device) -> None:
        target = device(description="Home")
        start.wait()
        while not stop.is_set():
            target.click(timeout=1)
            clicks[slot] += 1

    workers = [
        threading.Thread(target=work, args=(i, devices[i % len(devices)]), daemon=True) for i in range(len(clicks))
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    elapsed = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return sum(clicks) * RPC_PER_CLICK / elapsed


def memory_per_phone() -> dict[str, float]:
    """RSS of a 1-phone and a 200-phone farm after connecting to every phone; KiB per extra phone."""
    sizes = {}
    for count in (1, 200):
        process, port = start_farm(count)
        try:
            connect_all(port, open_app=True)
            time.sleep(0.5)
            sizes[count] = rss_kib(process.pid)
        finally:
            stop_farm(process)
    return {
        "rss_1_phone_mib": round(sizes[1] / 1024, 1),
        "rss_200_phones_mib": round(sizes[200] / 1024, 1),
        "kib_per_phone": round((sizes[200] - sizes[1]) / 200, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (1 s per point)")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 3.0
    results: list[dict] = []
    process, port = start_farm(50)
    try:
        devices = connect_all(port, open_app=True)
        measure(devices[:10], 1, 0.5)  # warm-up
        print(f"{'phones':>6} {'threads/phone':>13} {'RPC/s':>8} {'target':>7} {'ratio':>6}")
        for phones in (1, 10, 50):
            for threads in (1, 2):
                rate = measure(devices[:phones], threads, seconds)
                target = TARGETS.get((phones, threads))
                ratio = rate / target if target else None
                results.append(
                    {
                        "phones": phones,
                        "threads_per_phone": threads,
                        "rpc_per_s": round(rate),
                        "target": target,
                        "ratio": round(ratio, 2) if ratio else None,
                    }
                )
                print(
                    f"{phones:>6} {threads:>13} {rate:>8.0f} {target or '-':>7} {f'{ratio:.2f}' if ratio else '-':>6}",
                    flush=True,
                )
    finally:
        stop_farm(process)
    memory = memory_per_phone()
    print(
        f"memory: 1-phone farm {memory['rss_1_phone_mib']} MiB, 200-phone farm {memory['rss_200_phones_mib']} MiB, "
        f"{memory['kib_per_phone']} KiB per phone"
    )
    print(json.dumps({"bench": "sim_rpc", "seconds_per_point": seconds, "rpc": results, "memory": memory}))


if __name__ == "__main__":
    main()
