"""The baseline of `bench/devices.py`: the device calls the service made, driven again by the bare libraries.

    python -m bench.harness.bare_calls --adb-port PORT < calls.json

Reads `{serial: [[kind, name, args], ...]}` (what the farm recorded of the service's measured batch,
`GET /calls`), connects uiautomator2 to every phone (one thread per phone; not measured), prints
`ready`, waits for a line on stdin, then replays each phone's calls in order from its own thread
with the libraries' public calls, as a plain script would write them:

    rpc dumpWindowHierarchy   d.dump_hierarchy()
    rpc click [x, y]          d.click(x, y)
    rpc deviceInfo            d.info
    rpc pressKey [key]        d.press(key)
    rpc <other>               d.jsonrpc_call(method, params)
    shell "<cmd>; echo X4EXIT:$?"   d.adb_device.shell2(cmd, rstrip=True)   (adbutils' shell2 on the wire)
    shell <cmd>               d.adb_device.shell(cmd)

It ends with one JSON line: the process's CPU seconds over the replay (every thread), the calls made,
the calls that raised (an RPC error the phone answered, e.g. typing with no field focused) and the
seconds it took.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ["ADBUTILS_ADB_PATH"] = "/bin/false"  # never spawn a real adb server over the farm's port

import adbutils  # noqa: E402
import uiautomator2 as u2  # noqa: E402

SHELL2_SUFFIX = "; echo X4EXIT:$?"


def replay_one(device: u2.Device, kind: str, name: str, args: Any) -> None:
    """One recorded call, through the libraries' public API."""
    if kind == "shell":
        if name == "v1" and args.endswith(SHELL2_SUFFIX):
            device.adb_device.shell2(args[: -len(SHELL2_SUFFIX)], rstrip=True)
        else:
            device.adb_device.shell(args)
    elif name == "dumpWindowHierarchy":
        device.dump_hierarchy()
    elif name == "click":
        device.click(args[0], args[1])
    elif name == "deviceInfo":
        device.info  # noqa: B018 - the property is the call
    elif name == "pressKey":
        device.press(args[0])
    else:
        device.jsonrpc_call(name, args)


def replay(device: u2.Device, calls: list[list[Any]], errors: list[int]) -> None:
    failed = 0
    for kind, name, args in calls:
        try:
            replay_one(device, kind, name, args)
        except Exception:  # noqa: BLE001 - an answered error still cost the call; counted
            failed += 1
    errors.append(failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adb-port", type=int, required=True)
    args = parser.parse_args()
    calls: dict[str, list[list[Any]]] = json.loads(sys.stdin.readline())
    client = adbutils.AdbClient(host="127.0.0.1", port=args.adb_port)
    with ThreadPoolExecutor(max_workers=min(32, len(calls) or 1)) as pool:
        devices = dict(zip(calls, pool.map(lambda serial: u2.connect(client.device(serial)), calls), strict=False))
    print("ready", flush=True)
    sys.stdin.readline()
    errors: list[int] = []
    threads = [
        threading.Thread(target=replay, args=(devices[serial], phone_calls, errors))
        for serial, phone_calls in calls.items()
    ]
    cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "cpu_s": time.process_time() - cpu,
                "seconds": time.perf_counter() - started,
                "calls": sum(len(c) for c in calls.values()),
                "errors": sum(errors),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
