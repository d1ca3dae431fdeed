"""GET /device/{serial}/screenshot: taken through the agent of this process, shared by every viewer
and kept 2 s; a phone this process does not drive is refused naming its agent."""

from __future__ import annotations

import anyio
import pytest

from devices.errors import DeviceGone
from service.errors import ApiError
from service.events import DeviceClaimed, DeviceConnected, device_stream
from service.screens import CACHE_S, Screens
from service.store.records import StreamAppend
from tests.support.fake_store import FakeEventStore

PNG = b"\x89PNG\r\n\x1a\nfake"


def test_an_unknown_phone_is_40401(shared_api):
    shared_api.error(shared_api.client.get("/api/v1/device/NOPE/screenshot"), 40401, 404, "NOPE")


def test_a_phone_no_agent_of_this_process_drives_is_40901_saying_so(make_api):
    api = make_api()
    api.connect("A")
    api.error(api.client.get("/api/v1/device/A/screenshot"), 40901, 409, "phone A", "no agent")


class FakeDriver:
    def __init__(self, shots: list[bytes | Exception], gate: anyio.Event | None = None) -> None:
        self.shots = shots
        self.calls = 0
        self.gate = gate

    async def screenshot_png(self) -> bytes | None:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        shot = self.shots.pop(0)
        if isinstance(shot, Exception):
            raise shot
        return shot


class FakeAgent:
    """What Screens reads of an Agent: its name, the phones it owns, their connections."""

    def __init__(self, name: str, owned: set[str], driver: FakeDriver) -> None:
        self.name = name
        self.claims = type("Claims", (), {"owned": {serial: "device" for serial in owned}})()
        session = type("Session", (), {"driver": driver})()

        async def connect():
            return session

        self.connector = type("Connector", (), {"for_phone": staticmethod(lambda serial: connect)})()


async def _store_with_phone(serial: str, agent: str) -> FakeEventStore:
    store = FakeEventStore()
    await store.append(
        StreamAppend(
            device_stream(serial), 0, [DeviceConnected(model="Pixel 7"), DeviceClaimed(agent=agent, incarnation="i1")]
        )
    )
    return store


async def test_viewers_share_one_screenshot_for_two_seconds():
    store = await _store_with_phone("A", "pc1")
    gate = anyio.Event()
    driver = FakeDriver([PNG, PNG + b"2"], gate)
    clock = [100.0]
    screens = Screens(store, lambda: FakeAgent("pc1", {"A"}, driver), now=lambda: clock[0])
    got: list[bytes] = []

    async def view() -> None:
        got.append(await screens.png("A"))

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(view)
        await anyio.sleep(0.01)
        gate.set()
    assert (got, driver.calls) == ([PNG] * 5, 1)
    clock[0] += CACHE_S - 0.01
    assert (await screens.png("A"), driver.calls) == (PNG, 1)
    clock[0] += 0.02
    assert (await screens.png("A"), driver.calls) == (PNG + b"2", 2)


async def test_a_phone_owned_by_another_agent_names_it():
    store = await _store_with_phone("A", "pc2")
    driver = FakeDriver([PNG])
    for agent, words in [
        (FakeAgent("pc1", set(), driver), "agent 'pc2', not by this server's agent 'pc1'"),
        (None, "agent 'pc2', not by this server (it runs no agent in its process)"),
    ]:
        screens = Screens(store, lambda: agent)
        with pytest.raises(ApiError) as raised:
            await screens.png("A")
        assert raised.value.code == 40901 and words in raised.value.message
    assert driver.calls == 0


async def test_a_phone_that_gives_no_screenshot_is_40901_and_is_not_kept():
    store = await _store_with_phone("A", "pc1")
    driver = FakeDriver([DeviceGone("device disconnected"), PNG])
    screens = Screens(store, lambda: FakeAgent("pc1", {"A"}, driver))
    with pytest.raises(ApiError) as raised:
        await screens.png("A")
    assert raised.value.code == 40901 and "device disconnected" in raised.value.message
    assert await screens.png("A") == PNG
