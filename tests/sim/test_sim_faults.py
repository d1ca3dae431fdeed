"""Each fault and phone setting, switched at run time, seen through the real libraries as a driver would see it."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator

import adbutils
import pytest
import uiautomator2 as u2
from running_farm import APP, RunningFarm, open_url, running_farm, tap

from devices.sim.farm import FarmConfig, VirtualFarm

DROPPED = (ConnectionError, u2.HTTPError, adbutils.AdbError)


@pytest.fixture(scope="module")
def faulty() -> Iterator[RunningFarm]:
    """A farm in real time (time_scale 1), on uvloop as under uvicorn; each test switches faults on, then resets."""
    with running_farm(uvloop=importlib.util.find_spec("uvloop") is not None, devices=4, seed=3) as running:
        yield running


@pytest.fixture(autouse=True)
def reset_faults(faulty: RunningFarm) -> Iterator[None]:
    yield
    faulty.set_faults("reset")
    for serial in faulty.serials:
        faulty.call(faulty.farm.reconnect, serial)


def wait_listed(farm: RunningFarm, serial: str, listed: bool, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while (serial in [i.serial for i in farm.client.list()]) != listed:
        assert time.monotonic() < deadline, f"{serial} still {'absent' if listed else 'listed'}"
        time.sleep(0.05)


def test_an_unplugged_phone_disappears_closes_its_streams_and_comes_back(faulty: RunningFarm) -> None:
    serial = faulty.serials[0]
    d = faulty.device(serial)
    launches = faulty.phone_state(serial)["u2_launches"]
    faulty.set_faults(f"offline={serial}:0.4")
    assert serial not in [i.serial for i in faulty.client.list()]
    assert faulty.phone_state(serial)["online"] is False and faulty.phone_state(serial)["u2_server"] is False
    with pytest.raises(adbutils.AdbError, match="not found"):
        faulty.client.device(serial).shell("echo hi")
    wait_listed(faulty, serial, True)
    assert d.info["currentPackageName"]  # uiautomator2 relaunches its server by itself
    assert faulty.phone_state(serial)["u2_launches"] == launches + 1


def test_track_devices_reports_the_phone_absent_then_back(faulty: RunningFarm) -> None:
    serial = faulty.serials[1]
    events: list[tuple[str, str]] = []
    client = adbutils.AdbClient(host="127.0.0.1", port=faulty.port, socket_timeout=5)

    def track() -> None:
        for event in client.track_devices():
            events.append((event.serial, event.status))
            if (serial, "device") in events[len(faulty.serials) :]:
                return

    watcher = threading.Thread(target=track, daemon=True)
    watcher.start()
    _until(lambda: len(events) >= len(faulty.serials))  # the tracker has the first listing
    faulty.set_faults(f"offline={serial}")
    _until(lambda: (serial, "absent") in events[len(faulty.serials) :])
    faulty.set_faults(f"online={serial}")
    watcher.join(timeout=3)
    assert events[len(faulty.serials) :] == [(serial, "absent"), (serial, "device")]


def test_a_random_disconnect_drops_the_call_in_flight(faulty: RunningFarm) -> None:
    serial = faulty.serials[1]
    d = faulty.device(serial)
    faulty.set_faults({"disconnect": 1.0, "offline_s": 0.3})
    with pytest.raises(DROPPED):
        d.info
    faulty.set_faults("disconnect=0")
    assert faulty.phone_state(serial)["online"] is False
    wait_listed(faulty, serial, True)
    assert d(packageName="com.google.android.apps.nexuslauncher").exists


def test_a_crashed_uiautomator2_server_is_relaunched_by_the_client(faulty: RunningFarm) -> None:
    serial = faulty.serials[2]
    d = faulty.device(serial)
    before = faulty.phone_state(serial)
    faulty.set_faults("u2crash=1")
    assert d.info["screenOn"]  # answered, then the server died
    faulty.set_faults("u2crash=0")
    after = faulty.phone_state(serial)
    assert (after["u2_server"], after["faults"]["u2_crashes"]) == (False, before["faults"]["u2_crashes"] + 1)
    assert d.info["screenOn"]
    faulty.set_faults(f"crash={serial}")
    assert d.dump_hierarchy().startswith("<?xml")
    assert faulty.phone_state(serial)["u2_launches"] == before["u2_launches"] + 2


def test_a_slow_phone_answers_late_and_the_others_do_not(faulty: RunningFarm) -> None:
    slow, fast = faulty.serials[2], faulty.serials[3]
    faulty.set_faults(f"slow={slow}:300")
    timings = {}
    for serial in (slow, fast):
        started = time.monotonic()
        faulty.client.device(serial).shell("echo hi")
        faulty.device(serial).info
        timings[serial] = time.monotonic() - started
    assert timings[slow] > 2 * 0.3 * 0.8 and timings[fast] < 0.3
    assert faulty.set_faults("reset")["slow"] == {}


def test_latency_is_scaled_by_the_time_scale() -> None:
    with running_farm(devices=1, latency_ms=400, time_scale=0.25) as farm:
        device = farm.client.device(farm.serials[0])
        started = time.monotonic()
        device.shell("true")
        elapsed = time.monotonic() - started
    assert 0.08 < elapsed < 0.3  # 100 ms +-20 % plus the client's own overhead; unscaled would be 400 ms


def test_an_interrupting_dialog_blocks_the_app_until_not_now(faulty: RunningFarm) -> None:
    serial = faulty.serials[3]
    d = faulty.fresh(serial)
    open_url(d, "https://www.tiktok.com/@leo.costa.dialog")
    faulty.set_faults(f"popup={serial}:rating")
    assert d(text="Enjoying TikTok?").exists and faulty.phone_state(serial)["dialog"] == "rating"
    tap(d, className="android.widget.Button", text="Follow")  # lands on the dialog's scrim
    assert "leo.costa.dialog" not in faulty.account(serial)["follows"]
    tap(d, text="Not now")
    assert faulty.phone_state(serial)["dialog"] is None
    tap(d, className="android.widget.Button", text="Follow")
    assert "leo.costa.dialog" in faulty.account(serial)["follows"]


def test_random_dialogs_and_the_permission_prompt(faulty: RunningFarm) -> None:
    serial = faulty.serials[3]
    d = faulty.fresh(serial)
    faulty.set_faults("dialog=1")
    d.info  # the call on which it appears
    faulty.set_faults("dialog=0")
    assert faulty.phone_state(serial)["dialog"] in ("rating", "friends", "collections", "permission")
    d.press("back")
    assert faulty.phone_state(serial)["dialog"] is None
    faulty.set_faults(f"popup={serial}:permission")
    assert d.info["currentPackageName"] == "com.google.android.permissioncontroller"
    tap(d, resourceId="com.android.permissioncontroller:id/permission_deny_button")
    assert d.info["currentPackageName"] == APP


def test_too_many_follows_in_a_minute_are_refused(faulty: RunningFarm) -> None:
    serial = faulty.serials[0]
    d = faulty.fresh(serial)
    faulty.set_faults("ratelimit=2")
    for handle in ("rate.one", "rate.two", "rate.three"):
        open_url(d, f"https://www.tiktok.com/@{handle}")
        tap(d, className="android.widget.Button", text="Follow")
    assert d(textContains="Try again later").exists
    assert d(className="android.widget.Button", text="Follow").exists
    assert faulty.account(serial)["follows"][-2:] == ["rate.one", "rate.two"]
    assert d.toast.get_message(wait_timeout=0.5) == "Too many attempts. Try again later."


def test_follows_past_the_action_block_threshold_show_the_action_blocked_dialog(faulty: RunningFarm) -> None:
    serial = faulty.serials[1]
    d = faulty.fresh(serial)
    faulty.set_faults("actionblock=1")
    for handle in ("block.one", "block.two"):
        open_url(d, f"https://www.tiktok.com/@{handle}")
        tap(d, className="android.widget.Button", text="Follow")
    assert d(text="Action blocked").exists
    assert d(textStartsWith="You're temporarily blocked from following accounts").exists
    assert faulty.account(serial)["follows"][-1] == "block.one"
    assert faulty.state()["phones"][serial]["dialog"] == "blocked"
    tap(d, className="android.widget.Button", text="OK")
    assert not d(text="Action blocked").exists
    assert d(className="android.widget.Button", text="Follow").exists  # block.two: still not followed
    faulty.set_faults("reset")
    assert faulty.state()["faults"]["actionblock"] == 0


def test_random_faults_are_reproducible_for_a_seed() -> None:
    def draws(seed: int) -> list[tuple[bool, bool]]:
        farm = VirtualFarm(FarmConfig(devices=2, seed=seed))
        farm.faults.disconnect = farm.faults.u2crash = 0.5
        phone = farm.phone(farm.serials[1])
        return [phone.roll_faults() for _ in range(40)]

    assert draws(5) == draws(5) != draws(6)


def test_another_language_a_missing_app_a_version_and_a_locked_screen_are_detectable(faulty: RunningFarm) -> None:
    serial = faulty.serials[2]
    d = faulty.device(serial)
    faulty.set_faults(f"lang={serial}:fr,version={serial}:33.9.4")
    try:
        d = faulty.fresh(serial)
        assert d(description="Accueil").exists and d(text="Pour toi").exists and not d(description="Home").exists
        assert d.shell("getprop persist.sys.locale").output.strip() == "fr-FR"
        assert d.app_info(APP)["versionName"] == "33.9.4"
        assert not d(resourceId="com.zhiliaoapp.musically:id/xw2").exists  # ids change with the version
        faulty.set_faults(f"app={serial}:missing")
        assert "package:" + APP not in d.shell("pm list packages").output
        assert "No activities found" in d.shell(["monkey", "-p", APP, "1"]).output
        assert d.app_current()["package"] == "com.google.android.apps.nexuslauncher"
        faulty.set_faults(f"app={serial}:installed,screen={serial}:off")
        assert "mWakefulness=Asleep" in d.shell("dumpsys power").output and not d.adb_device.is_screen_on()
        faulty.set_faults(f"screen={serial}:locked")
        assert "mDreamingLockscreen=true" in d.shell("dumpsys window").output
        assert d.info["currentPackageName"] == "com.android.systemui"
        d.shell("wm dismiss-keyguard")
        assert "isStatusBarKeyguard=false" in d.shell("dumpsys window").output
    finally:
        faulty.set_faults(f"lang={serial}:en,version={serial}:34.1.2,app={serial}:installed,screen={serial}:on")


def _until(condition, timeout_s: float = 10.0) -> None:
    """Wait for a condition (polling), however slow the machine."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)
