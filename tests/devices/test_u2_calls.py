"""devices.u2_calls: uiautomator2's hot JSON-RPC calls made directly, against the virtual farm, give
what the library's own calls give and raise the library's exceptions."""

from __future__ import annotations

import socket

import adbutils
import pytest
import uiautomator2 as u2
from uiautomator2 import exceptions as u2e

from devices import u2_calls


@pytest.fixture(scope="module")
def device(farm) -> u2.Device:
    return u2.connect(adbutils.AdbClient(host="127.0.0.1", port=farm.port).device(farm.serials[0]))


def test_a_dump_and_the_state_match_the_library(device: u2.Device) -> None:
    direct = u2_calls.dump_hierarchy(device)
    assert direct.startswith("<?xml") and "<hierarchy" in direct and direct == device.dump_hierarchy()
    assert u2_calls.device_info(device) == device.info


def test_taps_keys_and_typing_reach_the_phone(farm, device: u2.Device) -> None:
    serial = farm.serials[0]
    device.app_start("com.zhiliaoapp.musically")
    before = farm.state(serial)["faults"]["rpc_calls"]
    u2_calls.press(device, "home")
    assert farm.state(serial)["screen"] == "launcher"
    u2_calls.click(device, 10, 10)
    assert u2_calls.set_focused_text(device, "hello") is False  # no field has focus on the launcher
    assert farm.state(serial)["faults"]["rpc_calls"] == before + 3


def test_rpc_errors_are_the_librarys_exceptions(device: u2.Device) -> None:
    with pytest.raises(u2e.RPCUnknownError) as caught:
        u2_calls.jsonrpc(device, "noSuchMethod", [])
    with pytest.raises(type(caught.value)):
        device.jsonrpc_call("noSuchMethod", [])


def test_a_crashed_server_is_started_again_and_the_call_made_once_more(farm, device: u2.Device) -> None:
    serial = farm.serials[0]
    launches = farm.state(serial)["u2_launches"]
    farm.faults(f"crash={serial}")
    assert "<hierarchy" in u2_calls.dump_hierarchy(device)
    assert farm.state(serial)["u2_launches"] == launches + 1


def _answer(payload: bytes) -> tuple[int, bytes]:
    """What _read_response makes of raw response bytes sent over a socket pair."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(payload)
        theirs.shutdown(socket.SHUT_WR)
        return u2_calls._read_response(ours)


def test_responses_by_length_chunked_or_up_to_the_close() -> None:
    assert _answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA") == (200, b"hello")
    assert _answer(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n"
    ) == (200, b"hello world")
    assert _answer(b"HTTP/1.0 500 Oops\r\n\r\nbroken") == (500, b"broken")
    with pytest.raises(u2e.HTTPError, match="closed before the response"):
        _answer(b"HTTP/1.1 200 OK\r\nContent-")
    with pytest.raises(u2e.HTTPError, match="cut short"):
        _answer(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort")
