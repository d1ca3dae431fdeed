"""Host services answered as the adb server answers them: serials with `:`, wait-for states, connect and
disconnect, the framebuffer, reverse forwards."""

from __future__ import annotations

import socket
import threading

import adbutils
import pytest
from adbutils import Network
from running_farm import RunningFarm

from devices.sim.transports import split_serial
from tests.support.harness.server import free_port


def test_host_serial_keeps_the_port_of_a_network_serial_as_adb_reads_it() -> None:
    assert split_serial("127.0.0.1:5555:wait-for-any-disconnect") == ("127.0.0.1:5555", "wait-for-any-disconnect")
    assert split_serial("R58M123:features") == ("R58M123", "features")
    assert split_serial("emulator-5554:get-state") == ("emulator-5554", "get-state")
    assert split_serial("tcp:10.0.0.2:5555:get-state") == ("tcp:10.0.0.2:5555", "get-state")
    assert split_serial("[::1]:5555:get-state") == ("[::1]:5555", "get-state")
    assert split_serial("foo:123:456") == ("foo:123", "456")
    assert split_serial("model:Pixel_4a:get-serialno") == ("model:Pixel_4a", "get-serialno")


def test_a_network_serial_is_looked_up_whole(farm: RunningFarm) -> None:
    with pytest.raises(adbutils.AdbError, match="device '127.0.0.1:5555' not found"):
        farm.client.device("127.0.0.1:5555").get_state()
    assert farm.client.device("usb:1-3").get_serialno() == farm.serials[2]  # the devpath of `adb devices -l`
    models = [farm.farm.phone(s).model.model.replace(" ", "_").replace("-", "_") for s in farm.serials]
    shared = next(m for m in models if models.count(m) > 1)
    with pytest.raises(adbutils.AdbError, match="more than one device"):
        farm.client.device("model:" + shared).get_serialno()


def test_wait_for_honours_the_state_the_transport_and_ambiguity(farm: RunningFarm) -> None:
    serial = farm.serials[9]
    farm.client.wait_for(serial, state="device", timeout=2)
    with pytest.raises(adbutils.AdbTimeout):
        farm.client.wait_for(serial, state="disconnect", timeout=0.5)  # it is online: waiting
    with pytest.raises(adbutils.AdbTimeout):
        farm.client.wait_for(serial, state="recovery", timeout=0.5)  # a phone in `device` state is not in recovery
    farm.client.wait_for("127.0.0.1:1234", state="disconnect", timeout=1)  # absent: at once
    with pytest.raises(adbutils.AdbTimeout):
        farm.client.wait_for("127.0.0.1:1234", state="device", timeout=0.5)
    with pytest.raises(adbutils.AdbError, match="more than one device/emulator"):
        farm.client.wait_for(state="device", timeout=2)
    with pytest.raises(adbutils.AdbError, match="more than one device$"):
        farm.client.wait_for(transport="usb", state="device", timeout=2)
    with pytest.raises(adbutils.AdbTimeout):
        farm.client.wait_for(transport="local", state="device", timeout=0.5)  # every phone is on USB
    waiting = threading.Thread(
        target=farm.client.wait_for, args=(serial,), kwargs={"state": "disconnect", "timeout": 10}
    )
    waiting.start()
    farm.set_faults(f"offline={serial}")
    try:
        waiting.join(5)
        assert not waiting.is_alive()  # unplugging it ended the wait
    finally:
        farm.set_faults(f"online={serial}")
    farm.client.wait_for(serial, state="device", timeout=2)


def test_connect_and_disconnect_answer_as_adb_for_a_host_that_is_not_there(farm: RunningFarm) -> None:
    port = free_port()
    assert farm.client.connect(f"127.0.0.1:{port}") == f"failed to connect to '127.0.0.1:{port}': Connection refused"
    with pytest.raises(adbutils.AdbError, match=f"no such device '127.0.0.1:{port}'"):
        farm.client.disconnect(f"127.0.0.1:{port}", raise_error=True)
    with pytest.raises(adbutils.AdbError, match="no such device '10.9.8.7:5555'"):
        farm.client.disconnect("10.9.8.7", raise_error=True)
    assert [d.serial for d in farm.client.device_list()] == farm.serials  # nothing was added


def test_framebuffer_holds_the_pixels_of_the_screen(farm: RunningFarm) -> None:
    serial = farm.serials[6]
    farm.fresh(serial)
    d = farm.client.device(serial)
    image = d.framebuffer()
    model = farm.farm.phone(serial).model
    assert image.size == (model.width, model.height) and image.mode == "RGBA"
    assert image.convert("RGB").tobytes() == d.screenshot().tobytes()  # the same screen as screencap's


def test_reverse_forwards_are_listed_removed_and_carry_connections_to_the_host(farm: RunningFarm) -> None:
    d = farm.client.device(farm.serials[7])
    with socket.create_server(("127.0.0.1", 0)) as server:
        host_port = server.getsockname()[1]
        d.reverse("tcp:12345", f"tcp:{host_port}")
        d.reverse("localabstract:devtools", "tcp:9222")
        assert [(r.remote, r.local) for r in d.reverse_list()] == [
            ("tcp:12345", f"tcp:{host_port}"),
            ("localabstract:devtools", "tcp:9222"),
        ]
        with pytest.raises(adbutils.AdbError, match="cannot rebind existing socket"):
            d.reverse("tcp:12345", "tcp:1", norebind=True)
        phone_side = d.create_connection(Network.TCP, 12345)  # a connection to the reversed port on the phone
        accepted, _ = server.accept()
        with phone_side, accepted:
            phone_side.sendall(b"ping")
            assert accepted.recv(4) == b"ping"
            accepted.sendall(b"pong")
            assert phone_side.recv(4) == b"pong"
    d.reverse_remove("tcp:12345")
    with pytest.raises(adbutils.AdbError, match="listener 'tcp:12345' not found"):
        d.reverse_remove("tcp:12345")
    d.reverse_remove_all()
    assert d.reverse_list() == []
