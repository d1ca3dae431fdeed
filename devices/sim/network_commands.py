"""The phone's network as `ip`, `ifconfig` and `svc wifi` show and change it: loopback, and Wi-Fi on wlan0 with a
private address of its own (stable per phone: 192.168.N.M/24 from its transport id)."""

from __future__ import annotations

import zlib

from devices.sim.phone import Phone
from devices.sim.shell import Command, Context

_INTERFACES = ("lo", "wlan0")


def wlan_address(phone: Phone) -> str:
    """The phone's Wi-Fi address: 192.168.1.10 for the first phone, the next ones after it, 250 per subnet."""
    index = phone.transport_id - 1
    return f"192.168.{1 + index // 250}.{10 + index % 250}"


def _mac(phone: Phone) -> str:
    digest = zlib.crc32(phone.serial.encode()).to_bytes(4, "big")
    return "02:00:" + ":".join(f"{b:02x}" for b in digest)


def _ip_addr(phone: Phone, name: str) -> list[str]:
    if name == "lo":
        return [
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
            "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
            "    inet 127.0.0.1/8 scope host lo",
            "       valid_lft forever preferred_lft forever",
        ]
    up = phone.wifi_on
    lines = [
        f"30: wlan0: <BROADCAST,MULTICAST{',UP,LOWER_UP' if up else ''}> mtu 1500 qdisc mq state "
        f"{'UP' if up else 'DOWN'} group default qlen 3000",
        f"    link/ether {_mac(phone)} brd ff:ff:ff:ff:ff:ff",
    ]
    if up:
        address = wlan_address(phone)
        lines += [
            f"    inet {address}/24 brd {address.rsplit('.', 1)[0]}.255 scope global wlan0",
            "       valid_lft forever preferred_lft forever",
        ]
    return lines


async def ip(ctx: Context, args: list[str]) -> int:
    """ip [-4] addr|a [show [dev] IFACE] | ip route."""
    args = [a for a in args if a not in ("-4", "-o")]
    obj, rest = (args[0] if args else ""), [a for a in args[1:] if a not in ("show", "list", "dev")]
    if obj in ("addr", "address", "a"):
        names = rest or list(_INTERFACES)
        if any(n not in _INTERFACES for n in names):
            ctx.error(f'Device "{next(n for n in names if n not in _INTERFACES)}" does not exist.')
            return 1
        for name in names:
            for line in _ip_addr(ctx.phone, name):
                ctx.print(line)
    elif obj in ("route", "r"):
        if ctx.phone.wifi_on:
            address = wlan_address(ctx.phone)
            ctx.print(f"{address.rsplit('.', 1)[0]}.0/24 dev wlan0 proto kernel scope link src {address}")
    else:
        ctx.error('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       (the farm knows "addr" and "route")')
        return 1
    return 0


def _ifconfig(phone: Phone, name: str) -> list[str]:
    if name == "lo":
        return [
            "lo        Link encap:Local Loopback",
            "          inet addr:127.0.0.1  Mask:255.0.0.0",
            "          UP LOOPBACK RUNNING  MTU:65536  Metric:1",
        ]
    lines = [f"wlan0     Link encap:Ethernet  HWaddr {_mac(phone)}  Driver icnss"]
    if phone.wifi_on:
        address = wlan_address(phone)
        lines += [
            f"          inet addr:{address}  Bcast:{address.rsplit('.', 1)[0]}.255  Mask:255.255.255.0",
            "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1",
        ]
    else:
        lines.append("          BROADCAST MULTICAST  MTU:1500  Metric:1")
    return lines


async def ifconfig(ctx: Context, args: list[str]) -> int:
    """ifconfig [IFACE]."""
    names = args[:1] or list(_INTERFACES)
    if names[0] not in _INTERFACES:
        ctx.error(f"ifconfig: {names[0]}: No such device")
        return 1
    for index, name in enumerate(names):
        if index:
            ctx.print()
        for line in _ifconfig(ctx.phone, name):
            ctx.print(line)
    return 0


async def svc(ctx: Context, args: list[str]) -> int:
    """svc wifi enable|disable."""
    if args[:1] == ["wifi"] and args[1:2] in (["enable"], ["disable"]):
        ctx.phone.wifi_on = args[1] == "enable"
        return 0
    ctx.error("Available commands (in the farm):\n    wifi enable|disable")
    return 1


NETWORK_COMMANDS: dict[str, Command] = {"ip": ip, "ifconfig": ifconfig, "svc": svc}
