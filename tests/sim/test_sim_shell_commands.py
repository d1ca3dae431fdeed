"""Shell commands scripts and libraries call: logcat and log, the network, processes and kill, which, ls."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import adbutils
import pytest
from running_farm import RunningFarm

ADB = Path(adbutils.__file__).parent / "binaries" / "adb"


def test_logcat_follows_dumps_and_clears_what_log_writes(farm: RunningFarm, tmp_path: Path) -> None:
    d = farm.client.device(farm.serials[3])
    follower = d.logcat(tmp_path / "logcat.txt", clear=True, command="logcat -v time", re_filter="I/TAG")
    d.shell(["log", "-p", "i", "-t", "TAG", "hello"])
    d.shell(["log", "-p", "w", "-t", "Other", "not this one"])
    deadline = time.monotonic() + 5
    while "hello" not in (tmp_path / "logcat.txt").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    follower.stop(timeout=5)  # noticed at the next line: the system writes one every half second
    assert re.fullmatch(
        r"\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} I/TAG     \(\s*\d+\): hello\n", (tmp_path / "logcat.txt").read_text()
    )
    dump = d.shell("logcat -d -v brief -s TAG Other").splitlines()
    assert dump[0] == "--------- beginning of main" and [line.split(": ", 1)[1] for line in dump[1:]] == [
        "hello",
        "not this one",
    ]
    assert d.shell("logcat -d -v tag -s Other:W") == "--------- beginning of main\nW/Other   : not this one"
    assert d.shell("logcat -d '*:E'") == ""
    assert d.shell("logcat -d --pid 612 -t 1 -v raw")  # the system's own lines
    d.shell("logcat -c")
    assert d.shell("logcat -d -s TAG Other") == ""


def test_adb_logcat_runs_through_the_shell_builtins_it_sends(farm: RunningFarm) -> None:
    serial = farm.serials[3]
    farm.client.device(serial).shell(["log", "-t", "ViaAdb", "from the binary"])
    env = {**os.environ, "ANDROID_ADB_SERVER_PORT": str(farm.port)}
    dump = subprocess.run(
        [ADB, "-P", str(farm.port), "-s", serial, "logcat", "-d", "-v", "tag", "-s", "ViaAdb"],
        capture_output=True,
        text=True,
        timeout=10,
        env=env,
    )  # export ANDROID_LOG_TAGS=""; exec logcat
    assert (dump.returncode, dump.stdout) == (0, "--------- beginning of main\nI/ViaAdb  : from the binary\n")
    script = farm.client.device(serial).shell2(
        "export GREETING=hi; echo $GREETING; exec sh -c 'exit 3'; echo never", v2=True
    )
    assert (script.output, script.returncode) == ("hi\n", 3)


def test_each_phone_has_a_stable_private_wifi_address(farm: RunningFarm) -> None:
    first, second = farm.client.device(farm.serials[3]), farm.client.device(farm.serials[4])
    assert first.wlan_ip() == "192.168.1.13" and second.wlan_ip() == "192.168.1.14"  # transport ids 4 and 5
    assert farm.device(farm.serials[3]).wlan_ip == "192.168.1.13"  # uiautomator2 asks adbutils
    assert "inet 192.168.1.13/24 brd 192.168.1.255 scope global wlan0" in first.shell("ip addr show dev wlan0")
    first.shell("svc wifi disable")
    try:
        with pytest.raises(adbutils.AdbError, match="fail to parse wlan ip"):
            first.wlan_ip()
    finally:
        first.shell("svc wifi enable")
    assert first.wlan_ip() == "192.168.1.13"


def test_kill_ends_the_uiautomator2_server_and_the_library_relaunches_it(farm: RunningFarm) -> None:
    serial = farm.serials[3]
    d = farm.device(serial)
    d.info  # noqa: B018 - the server is up
    launches = farm.phone_state(serial)["u2_launches"]
    rows = [line.split() for line in d.shell("ps -u shell").output.splitlines()[1:]]
    assert {row[0] for row in rows} == {"shell"} and {row[-1] for row in rows} == {"app_process", "sh", "ps"}
    server = next(row[1] for row in rows if row[-1] == "app_process")
    assert d.shell("pidof app_process").output.strip() == server
    app = d.shell("pidof com.google.android.apps.nexuslauncher").output.strip()
    denied = d.shell(f"kill -9 {app}")
    assert (denied.exit_code, denied.output) == (1, f"/system/bin/sh: kill: {app}: Operation not permitted\n")
    assert d.shell("kill 99999").output == "/system/bin/sh: kill: 99999: No such process\n"
    assert d.shell(f"kill -9 {server}").exit_code == 0
    assert farm.phone_state(serial)["u2_server"] is False
    assert d.info["displayWidth"]  # uiautomator2 finds it gone, relaunches it and retries
    assert farm.phone_state(serial)["u2_launches"] == launches + 1
    assert "system_server" in d.shell("ps -A").output and "system_server" not in d.shell("ps").output


def test_which_finds_the_commands_the_phone_has(farm: RunningFarm) -> None:
    d = farm.client.device(farm.serials[3])
    assert d.shell2("which logcat ls").output == "/system/bin/logcat\n/system/bin/ls\n"
    missing = d.shell2("which screenrecord")
    assert (missing.output, missing.returncode) == ("", 1)


def test_ls_of_several_folders_heads_each_and_totals_with_l(farm: RunningFarm) -> None:
    d = farm.client.device(farm.serials[3])
    d.shell(
        "rm -r /sdcard/lsa /sdcard/lsb; mkdir -p /sdcard/lsa/sub /sdcard/lsb/.hidden; echo hi > /sdcard/lsa/one.txt"
    )
    assert d.shell2("ls /sdcard/lsb /sdcard/lsa/one.txt /sdcard/lsa").output == (
        "/sdcard/lsa/one.txt\n\n/sdcard/lsa:\none.txt\nsub\n\n/sdcard/lsb:\n"
    )
    long = d.shell2("ls -l /sdcard/lsa").output.splitlines()
    assert long[0] == "total 8" and long[1].startswith("-rw-r--r--") and long[1].endswith(" one.txt") and len(long) == 3
    assert d.shell2("ls -a /sdcard/lsb").output == ".hidden\n"
    missing = d.shell2("ls /sdcard/lsa /nope")
    assert (missing.output, missing.returncode) == (
        "ls: /nope: No such file or directory\n/sdcard/lsa:\none.txt\nsub\n",
        1,
    )
