"""The ADB host protocol through the real adbutils and the adb binary it ships: devices, shells, sync, errors."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

import adbutils
import pytest
from running_farm import RunningFarm

from devices.sim.farm import FarmConfig, VirtualFarm

ADB = Path(adbutils.__file__).parent / "binaries" / "adb"


def test_lists_every_phone_with_its_model_and_transport_id(farm: RunningFarm) -> None:
    infos = farm.client.list(extended=True)
    assert [i.serial for i in infos] == farm.serials
    assert all(i.state == "device" for i in infos)
    assert [i.tags["transport_id"] for i in infos] == [str(n) for n in range(1, len(farm.serials) + 1)]
    first = farm.farm.phone(farm.serials[0]).model
    assert infos[0].tags["model"] == first.model.replace(" ", "_").replace("-", "_")
    assert [d.serial for d in farm.client.device_list()] == farm.serials


def test_serials_and_accounts_are_the_same_for_a_seed_and_differ_across_seeds() -> None:
    a, b, c = (VirtualFarm(FarmConfig(devices=5, seed=s, accounts_per_device=3)) for s in (7, 7, 8))
    assert a.serials == b.serials != c.serials
    names = [x.username for p in a.phones.values() for x in p.app.accounts]
    assert names == [x.username for p in b.phones.values() for x in p.app.accounts]
    assert len(set(names)) == 15


def test_shell_exit_codes_and_operators(farm: RunningFarm) -> None:
    d = farm.client.device(farm.serials[0])
    assert d.shell2("true").returncode == 0
    assert d.shell2("false").returncode == 1
    assert d.shell2("sh -c 'exit 3'").returncode == 3
    assert d.shell2("false || echo rescued").output == "rescued\n"
    assert d.shell2("false && echo never; echo $?").output == "1\n"
    missing = d.shell2("frobnicate --now")
    assert (missing.returncode, missing.output) == (127, "/system/bin/sh: frobnicate: inaccessible or not found\n")
    assert d.shell(["echo", "it's", "a b", "&", "$HOME"]) == "it's a b & $HOME"


def test_shell_v2_separates_stdout_stderr_and_reports_the_exit_code(farm: RunningFarm) -> None:
    d = farm.client.device(farm.serials[0])
    result = d.shell2("echo out; cat /nope; sh -c 'exit 4'", v2=True)
    assert (result.stdout, result.stderr, result.returncode) == ("out\n", "cat: /nope: No such file or directory\n", 4)


def test_push_and_pull_one_mebibyte_byte_exact(farm: RunningFarm, tmp_path: Path) -> None:
    d = farm.client.device(farm.serials[1])
    data = os.urandom(1024 * 1024)
    source, target = tmp_path / "blob.bin", tmp_path / "back.bin"
    source.write_bytes(data)
    d.sync.push(source, "/sdcard/Download/blob.bin")
    assert d.sync.stat("/sdcard/Download/blob.bin").size == len(data)
    assert d.shell("md5sum /sdcard/Download/blob.bin").split()[0] == hashlib.md5(data).hexdigest()
    d.sync.pull("/sdcard/Download/blob.bin", target)
    assert target.read_bytes() == data


def test_push_to_a_folder_keeps_the_name_and_contents_are_stored_once(farm: RunningFarm, tmp_path: Path) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"same bytes " + os.urandom(4096))
    before = farm.call(lambda: farm.farm.blobs.stored_bytes)
    for serial in farm.serials[:3]:
        farm.client.device(serial).sync.push(source, "/sdcard/DCIM/")
        assert "clip.mp4" in [f.path for f in farm.client.device(serial).sync.list("/sdcard/DCIM")]
    assert farm.call(lambda: farm.farm.blobs.stored_bytes) - before == source.stat().st_size
    assert not farm.client.device(farm.serials[0]).sync.exists("/sdcard/DCIM/nothing.mp4")
    with pytest.raises(adbutils.AdbError, match="does not exist"):
        farm.client.device(farm.serials[0]).sync.read_bytes("/sdcard/DCIM/nothing.mp4")


def test_an_unknown_serial_is_refused(farm: RunningFarm) -> None:
    with pytest.raises(adbutils.AdbError, match="device 'NOPE123' not found"):
        farm.client.device("NOPE123").shell("echo hi")


def test_the_bundled_adb_binary_lists_phones_and_runs_a_shell(farm: RunningFarm) -> None:
    env = {**os.environ, "ANDROID_ADB_SERVER_PORT": str(farm.port)}
    listing = subprocess.run(
        [ADB, "-P", str(farm.port), "devices", "-l"], capture_output=True, text=True, timeout=10, env=env
    )
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()[1:] if line.strip()] == farm.serials
    shell = subprocess.run(
        [ADB, "-P", str(farm.port), "-s", farm.serials[2], "shell", "echo", "hi", "from", "adb"],
        capture_output=True,
        text=True,
        timeout=10,
        env=env,
    )
    assert (shell.returncode, shell.stdout) == (0, "hi from adb\n")
    failing = subprocess.run(
        [ADB, "-P", str(farm.port), "-s", farm.serials[2], "shell", "false"], capture_output=True, timeout=10, env=env
    )
    assert failing.returncode == 1
    session = subprocess.run(
        [ADB, "-P", str(farm.port), "-s", farm.serials[2], "shell"],
        input="cd /sdcard\npwd\nexit\n",
        capture_output=True,
        text=True,
        timeout=10,
        env=env,
    )
    prompt = farm.farm.phone(farm.serials[2]).model.device + ":/sdcard $ "
    assert f"{prompt}pwd\n/sdcard\n{prompt}exit" in session.stdout and session.returncode == 0


def test_the_adb_binary_returns_when_the_shell_exits_not_when_it_hangs_up(farm: RunningFarm, tmp_path: Path) -> None:
    # adbd closes the stream after the exit packet; the farm used to wait up to 2 s for the client to close first.
    env = {**os.environ, "ANDROID_ADB_SERVER_PORT": str(farm.port)}
    adb = [ADB, "-P", str(farm.port), "-s", farm.serials[4]]
    began = time.monotonic()
    shell = subprocess.run([*adb, "shell", "echo", "ok"], capture_output=True, text=True, timeout=10, env=env)
    assert (shell.returncode, shell.stdout) == (0, "ok\n") and time.monotonic() - began < 1.0
    (tmp_path / "tree" / "a" / "b").mkdir(parents=True)
    (tmp_path / "tree" / "top.txt").write_text("top\n")
    (tmp_path / "tree" / "a" / "b" / "deep.txt").write_text("deep\n")
    began = time.monotonic()  # push DIR runs `mkdir -p` in a shell first
    push = subprocess.run(
        [*adb, "push", str(tmp_path / "tree"), "/sdcard/tree"], capture_output=True, timeout=10, env=env
    )
    assert push.returncode == 0 and time.monotonic() - began < 1.0
    d = farm.client.device(farm.serials[4])
    assert (d.shell("cat /sdcard/tree/top.txt"), d.shell("cat /sdcard/tree/a/b/deep.txt")) == ("top", "deep")


def test_forward_serves_the_uiautomator2_server_on_a_local_port(farm: RunningFarm) -> None:
    import requests

    serial = farm.serials[3]
    farm.device(serial)  # the server runs once uiautomator2 connected
    d = farm.client.device(serial)
    local = d.forward_port(9008)
    assert any(f.local == f"tcp:{local}" and f.serial == serial for f in farm.client.forward_list())
    assert requests.get(f"http://127.0.0.1:{local}/ping", timeout=5).text == "pong"
    d.forward_remove(f"tcp:{local}")
    assert all(f.local != f"tcp:{local}" for f in farm.client.forward_list())
    by_cli = subprocess.run(
        [ADB, "-P", str(farm.port), "-s", serial, "forward", "tcp:0", "tcp:9008"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert requests.get(f"http://127.0.0.1:{int(by_cli.stdout)}/ping", timeout=5).text == "pong"
    subprocess.run([ADB, "-P", str(farm.port), "-s", serial, "forward", "--remove-all"], check=True, timeout=10)
    assert farm.client.forward_list() == []


def test_shell_pipes_redirections_and_variables(farm: RunningFarm) -> None:
    d = farm.client.device(farm.serials[1])
    script = (
        "echo one > /sdcard/n.txt; echo two >> /sdcard/n.txt; cat /sdcard/n.txt | grep -c o; "
        "X=5; echo ${X}x \"$X\" '$X'; cat /nope 2>/dev/null; echo $?; cat /nope 2>&1 | wc -l"
    )
    assert d.shell2(script).output == "2\n5x 5 $X\n1\n1\n"
    assert d.shell("ls /sdcard/n.txt") == "/sdcard/n.txt"  # a file operand prints as given


def test_every_listed_package_has_its_dumpsys_and_pm_clear_fails_on_a_missing_one(farm: RunningFarm) -> None:
    d = farm.client.device(farm.serials[5])
    listed = d.list_packages()
    assert {
        "com.zhiliaoapp.musically",
        "com.google.android.apps.nexuslauncher",
        "com.android.chrome",
        "android",
    } <= set(listed)
    for package in listed:
        info = d.app_info(package)
        assert info is not None and info.package_name == package and info.version_name and info.version_code
        assert info.first_install_time is not None and info.last_update_time is not None and info.path.endswith(".apk")
    assert (
        "SYSTEM" in d.app_info("com.android.chrome").flags
        and "SYSTEM" not in d.app_info("com.zhiliaoapp.musically").flags
    )
    assert set(d.list_packages(["-3"])) == {"com.zhiliaoapp.musically", "com.instagram.android"}
    assert (
        d.shell2("pm list packages -f -U chrome").output
        == "package:/product/app/Chrome/Chrome.apk=com.android.chrome uid:10109\n"
    )
    missing = d.shell2("pm clear com.example.notinstalled")
    assert (missing.output, missing.returncode) == ("Failed\n", 1)
    assert d.app_info("com.example.notinstalled") is None
