"""The control port (GET /state, POST /faults) and `python -m devices.sim` as a process."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import adbutils
from running_farm import RunningFarm

from devices.sim.control import serve_control

ROOT = Path(__file__).resolve().parents[2]


def http(url: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, method="POST" if data else "GET"), timeout=5
        ) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_state_and_faults_over_the_control_port(farm: RunningFarm) -> None:
    future, port = farm.portal.start_task(serve_control, farm.farm, "127.0.0.1", 0)
    try:
        base = f"http://127.0.0.1:{port}"
        status, state = http(f"{base}/state")
        assert status == 200 and list(state["phones"]) == farm.serials
        phone = state["phones"][farm.serials[0]]
        assert set(phone) >= {"screen", "online", "u2_server", "current_account", "accounts", "display", "app"}
        account = next(iter(phone["accounts"].values()))
        assert set(account) == {"username", "follows", "posts", "comments", "likes", "favourites", "views", "searches"}
        status, switches = http(f"{base}/faults", {"slow": {farm.serials[1]: 25}, "spec": "ratelimit=7"})
        assert status == 200 and switches["slow"] == {farm.serials[1]: 25.0} and switches["ratelimit"] == 7
        assert http(f"{base}/faults")[1] == switches
        status, error = http(f"{base}/faults", {"slow": {"NOPE": 5}})
        assert status == 400 and "NOPE" in error["error"]
        assert http(f"{base}/faults")[1] == switches  # a bad body applies nothing
        assert http(f"{base}/nothing")[0] == 404
    finally:
        farm.set_faults("reset")
        future.cancel()


def test_the_command_line_prints_port_and_serials_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devices.sim",
            "--devices",
            "2",
            "--port",
            "0",
            "--seed",
            "4",
            "--control-port",
            "0",
            "--faults",
            "ratelimit=5",
            "--accounts-per-device",
            "3",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(4)]
        port = int(re.search(r"127\.0\.0\.1:(\d+) \(seed 4\)", lines[0]).group(1))
        serials = [line.split()[0] for line in lines[1:3]]
        tiktok = [line.split("  (Instagram: ")[0] for line in lines[1:3]]
        instagram = [line.split("  (Instagram: ")[1].rstrip(")\n") for line in lines[1:3]]
        assert [len(names.split(", ")) for names in tiktok + instagram] == [3, 3, 3, 3]
        control = int(re.search(r":(\d+)/state", lines[3]).group(1))
        assert [i.serial for i in adbutils.AdbClient(host="127.0.0.1", port=port).list()] == serials
        assert http(f"http://127.0.0.1:{control}/state")[1]["faults"]["ratelimit"] == 5
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_the_command_line_refuses_a_bad_fault_spec() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devices.sim", "--port", "0", "--faults", "dialog=3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2 and "dialog must be between 0 and 1" in result.stderr


def test_calls_are_recorded_per_phone_while_asked(farm: RunningFarm) -> None:
    future, port = farm.portal.start_task(serve_control, farm.farm, "127.0.0.1", 0)
    serial, other = farm.serials[:2]
    try:
        base = f"http://127.0.0.1:{port}"
        farm.device(serial).dump_hierarchy()
        assert http(f"{base}/calls") == (200, {})  # not recording: nothing kept
        assert http(f"{base}/calls", {"record": True}) == (200, {"record": True})
        device = farm.device(serial)
        device.click(10, 20)
        device.adb_device.shell2("echo hi", rstrip=True)
        status, calls = http(f"{base}/calls")
        assert status == 200 and calls[other] == []
        # adbutils' shell2 sends the command over shell v1 with its exit-code echo appended
        assert calls[serial] == [["rpc", "click", [10, 20]], ["shell", "v1", "echo hi; echo X4EXIT:$?"]]
        assert http(f"{base}/calls")[1][serial] == []  # taken: the next GET starts afresh
        assert http(f"{base}/calls", {"record": "yes"})[0] == 400
        assert http(f"{base}/calls", {"record": False}) == (200, {"record": False})
        device.click(1, 2)
        assert http(f"{base}/calls") == (200, {})
    finally:
        farm.call(farm.farm.record_calls, False)
        future.cancel()
