"""A farm running in a background event loop (an anyio blocking portal), driven from the test thread through the
real adbutils and uiautomator2 exactly as a separate client process would; plus the two gestures tests repeat."""

from __future__ import annotations

import os

os.environ["ADBUTILS_ADB_PATH"] = "/bin/false"  # adbutils must never spawn a real adb server over our port

from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any

import adbutils  # noqa: E402
import uiautomator2 as u2  # noqa: E402
from anyio.from_thread import BlockingPortal, start_blocking_portal  # noqa: E402

from devices.sim.farm import FarmConfig, VirtualFarm  # noqa: E402

APP = "com.zhiliaoapp.musically"
WAIT_S = 3.0


class RunningFarm:
    """A serving farm and the helpers tests use: its state, its faults, connected uiautomator2 devices."""

    def __init__(self, farm: VirtualFarm, portal: BlockingPortal) -> None:
        self.farm, self.portal = farm, portal
        self.client = adbutils.AdbClient(host="127.0.0.1", port=farm.port)
        self._devices: dict[str, u2.Device] = {}

    @property
    def port(self) -> int:
        return self.farm.port

    @property
    def serials(self) -> list[str]:
        return self.farm.serials

    def call(self, fn: Any, *args: Any) -> Any:
        """Run `fn(*args)` on the farm's event loop (the farm is only touched from there)."""
        return self.portal.call(fn, *args)

    def state(self) -> dict[str, Any]:
        return self.call(self.farm.state)

    def phone_state(self, serial: str) -> dict[str, Any]:
        return self.state()["phones"][serial]

    def account(self, serial: str, username: str | None = None) -> dict[str, Any]:
        """An account's state (the current one by default)."""
        phone = self.phone_state(serial)
        return phone["accounts"][username or phone["current_account"]]

    def set_faults(self, spec: Any) -> dict[str, Any]:
        return self.call(self.farm.set_faults, spec)

    def device(self, serial: str) -> u2.Device:
        """uiautomator2 connected to a phone (once per phone), with short default waits."""
        if serial not in self._devices:
            device = u2.connect(self.client.device(serial))
            device.settings["wait_timeout"] = WAIT_S
            self._devices[serial] = device
        return self._devices[serial]

    def fresh(self, serial: str) -> u2.Device:
        """The app restarted from scratch on its home feed."""
        d = self.device(serial)
        d.app_stop(APP)
        d.app_start(APP)
        assert self.phone_state(serial)["screen"] == "home"
        return d


@contextmanager
def running_farm(uvloop: bool = False, **config: Any) -> Iterator[RunningFarm]:
    """A farm serving on a free port for the duration of the block (on uvloop, as under uvicorn, if asked)."""
    farm = VirtualFarm(FarmConfig(**config))
    with start_blocking_portal("asyncio", backend_options={"use_uvloop": uvloop}) as portal:
        future, _ = portal.start_task(farm.serve)
        try:
            yield RunningFarm(farm, portal)
        finally:
            future.cancel()


def tap(d: u2.Device, **selector: Any) -> None:
    """Click an element, failing fast if it is not there."""
    d(**selector).click(timeout=WAIT_S)


def open_url(d: u2.Device, url: str) -> None:
    """What the scripts do to open a profile or a video: a VIEW intent."""
    d.shell(["am", "start", "-a", "android.intent.action.VIEW", "-d", url])
