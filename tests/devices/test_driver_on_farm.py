"""U2Driver through the real adbutils + uiautomator2 against the virtual farm: calls, timeouts, errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import pytest
from adbutils import AdbError, AdbTimeout
from uiautomator2.exceptions import ConnectError, HTTPError, LaunchUiAutomationError

from devices.driver import NO_ADB, U2Driver, device_error
from devices.errors import DeviceGone, DeviceNotReady, DeviceTimeout, ScriptFailed


def driver(farm, index: int, **options) -> U2Driver:
    return U2Driver(farm.serials[index], adb_port=farm.port, **{"call_timeout_s": 5.0, **options})


async def test_shell_gives_output_and_exit_code(farm):
    phone = driver(farm, 0)
    assert await phone.shell("echo hi; false") == ("hi", 1)
    assert await phone.shell("echo ok") == ("ok", 0)
    await phone.close()


async def test_push_puts_the_file_on_the_phone(farm, tmp_path: Path):
    local = tmp_path / "clip.mp4"
    local.write_bytes(os.urandom(200_000))
    phone = driver(farm, 0)
    await phone.push(local, "/sdcard/DCIM/clip.mp4")
    output, code = await phone.shell("ls /sdcard/DCIM")
    assert code == 0 and "clip.mp4" in output


async def test_a_screenshot_is_a_png_and_a_dump_is_xml(farm):
    phone = driver(farm, 0)
    assert (await phone.screenshot_png() or b"").startswith(b"\x89PNG")
    assert "<hierarchy" in await phone.dump_hierarchy()


async def test_a_crashed_uiautomator2_server_is_relaunched(farm):
    phone = driver(farm, 1)
    await phone.connect()
    launches = farm.state(farm.serials[1])["u2_launches"]
    farm.faults(f"crash={farm.serials[1]}")
    assert "<hierarchy" in await phone.dump_hierarchy()
    assert farm.state(farm.serials[1])["u2_launches"] == launches + 1


async def test_a_call_over_its_timeout_breaks_the_driver_and_the_next_call_reconnects(farm):
    serial = farm.serials[2]
    phone = driver(farm, 2, call_timeout_s=0.5)
    await phone.connect()
    farm.faults(f"slow={serial}:200000")  # 2 s per call at the farm's time scale
    started = time.perf_counter()
    with pytest.raises(DeviceTimeout, match=r"dumping the screen took longer than 0.5 s; the phone's connections"):
        await phone.dump_hierarchy()
    assert time.perf_counter() - started < 1.5 and phone.broken
    farm.faults("reset")
    assert "<hierarchy" in await phone.dump_hierarchy()
    assert not phone.broken


async def test_an_unplugged_phone_is_gone_until_it_is_back(farm):
    serial = farm.serials[3]
    phone = driver(farm, 3)
    await phone.connect()
    farm.faults(f"offline={serial}")
    with pytest.raises(DeviceGone, match="^device disconnected$"):
        await phone.dump_hierarchy()
    with pytest.raises(DeviceGone, match="^device disconnected$"):
        await phone.shell("echo")
    farm.faults(f"online={serial}")
    assert "<hierarchy" in await phone.dump_hierarchy()


def test_importing_the_driver_changes_no_variable_and_one_call_sets_the_policy():
    policy = (
        "import os; before = dict(os.environ); import devices.driver as d, devices.phones;"
        " assert dict(os.environ) == before, 'changed on import';"
        " d.allow_adb_server_start(False); assert os.environ['ADBUTILS_ADB_PATH'] == d.NO_ADB;"
        " d.allow_adb_server_start(True); print(os.environ.get('ADBUTILS_ADB_PATH'))"
    )
    for given, restored in ((None, "None"), ("/opt/platform-tools/adb", "/opt/platform-tools/adb")):
        env = {k: v for k, v in os.environ.items() if k != "ADBUTILS_ADB_PATH"}
        if given is not None:
            env["ADBUTILS_ADB_PATH"] = given
        run = subprocess.run([sys.executable, "-c", policy], env=env, capture_output=True, text=True, timeout=60)
        assert (run.returncode, run.stdout.strip()) == (0, restored), run.stderr


async def test_no_adb_server_is_ever_spawned_and_a_missing_one_fails_fast(farm):
    assert os.environ["ADBUTILS_ADB_PATH"] == NO_ADB  # set once for these tests by conftest.py
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    started = time.perf_counter()
    with pytest.raises(DeviceGone, match="^device disconnected$"):
        await U2Driver(farm.serials[0], adb_port=free_port).shell("echo")
    with pytest.raises(DeviceGone):
        await U2Driver("NO-SUCH-SERIAL", adb_port=farm.port).shell("echo")
    assert time.perf_counter() - started < 2


async def test_calls_on_one_phone_run_one_at_a_time(farm):
    phone = driver(farm, 4)
    await phone.connect()
    running, overlaps = [0], [0]
    lock = threading.Lock()

    def work(_device) -> None:
        with lock:
            running[0] += 1
            overlaps[0] = max(overlaps[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(phone.call, work)
    assert overlaps[0] == 1


@pytest.mark.parametrize(
    "error, expected",
    [
        (AdbError("device 'R58M' not found"), DeviceGone),
        (AdbError("connect to adb server failed: [Errno 111] Connection refused"), DeviceGone),
        (ConnectionResetError(104, "Connection reset by peer"), DeviceGone),
        (ConnectError("device R58M not online"), DeviceGone),
        (AdbTimeout("adb read timeout"), DeviceTimeout),
        (LaunchUiAutomationError("server quit unexpectly", ""), DeviceNotReady),
        (HTTPError("HTTP request failed: 500"), DeviceNotReady),
    ],
)
def test_library_errors_become_ours(error, expected):
    mapped = device_error(error)
    assert type(mapped) is expected and mapped.reason


def test_a_failed_copy_is_a_script_failure():
    from adbutils.errors import AdbSyncError

    assert isinstance(device_error(AdbSyncError("remote: no space left")), ScriptFailed)


def test_anything_else_is_a_bug_and_is_not_hidden():
    with pytest.raises(ZeroDivisionError):
        device_error(ZeroDivisionError("x"))


async def test_a_stop_lets_the_call_in_flight_finish(farm):
    phone = driver(farm, 5)
    await phone.connect()
    finished = []

    def slow_call(_device) -> None:
        time.sleep(0.2)
        finished.append(True)

    with anyio.move_on_after(0.05) as scope:
        await phone.call(slow_call)
    assert scope.cancelled_caught and finished == [True] and not phone.broken
