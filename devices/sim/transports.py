"""Which phone a host request names, as the adb server reads it: serials (which may contain `:`), the qualifiers
`usb:` `product:` `model:` `device:`, transport ids, and the kinds any / usb / local. Every farm phone is on USB."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from devices.sim.phone import Phone

_QUALIFIERS = ("usb:", "product:", "model:", "device:")
_NONE = {"any": "no devices/emulators found", "usb": "no devices found", "local": "no emulators found"}
_MANY = {"any": "more than one device/emulator", "usb": "more than one device", "local": "more than one emulator"}


def split_serial(rest: str) -> tuple[str, str]:
    """`SERIAL:COMMAND` of a `host-serial:` request, split as adb does: a `usb:`/`product:`/`model:`/`device:`
    qualifier takes the next field; otherwise an optional `tcp:`/`udp:` prefix, an `[ipv6]`, and a `:port` of digits
    followed by another `:` stay in the serial (`127.0.0.1:5555:get-state` names `127.0.0.1:5555`)."""
    for prefix in _QUALIFIERS:
        if rest.startswith(prefix):
            end = rest.find(":", len(prefix))
            return (rest, "") if end < 0 else (rest[:end], rest[end + 1 :])
    start = 4 if rest.startswith(("tcp:", "udp:")) else 0
    if rest.startswith("[", start) and rest.find("]", start) >= 0:
        start = rest.find("]", start)
    colon = rest.find(":", start)
    if colon < 0:
        return rest, ""
    end = colon + 1
    while end < len(rest) and rest[end].isdigit():
        end += 1
    if end > colon + 1 and end < len(rest) and rest[end] == ":":
        colon = end
    return rest[:colon], rest[colon + 1 :]


def devpath(phone: Phone) -> str:
    """The USB path `adb devices -l` and `get-devpath` show."""
    return f"usb:1-{phone.transport_id}"


def model_tag(phone: Phone) -> str:
    """The model as `adb devices -l` shows it (spaces and dashes as underscores)."""
    return phone.model.model.replace(" ", "_").replace("-", "_")


def matches(phone: Phone, target: str) -> bool:
    """Whether a serial argument names this phone: its serial, its devpath, or product:/model:/device:."""
    return target in (
        phone.serial,
        devpath(phone),
        f"product:{phone.model.product}",
        f"model:{model_tag(phone)}",
        f"device:{phone.model.device}",
    )


@dataclass(frozen=True, slots=True)
class Acquired:
    """The phone a request names, or why there is none (`ambiguous`: more than one matched)."""

    phone: Phone | None
    error: str = ""
    ambiguous: bool = False


def acquire(
    online: Iterable[Phone], kind: str = "any", serial: str | None = None, transport_id: str | None = None
) -> Acquired:
    """The one online phone a request names (adb's acquire_one_transport)."""
    if transport_id is not None:
        found = [p for p in online if str(p.transport_id) == transport_id]
        return Acquired(found[0]) if found else Acquired(None, f"no device with transport id '{transport_id}'")
    if serial is not None:
        found = [p for p in online if matches(p, serial)]
        none, many = f"device '{serial}' not found", "more than one device"
    else:
        found = list(online) if kind in ("any", "usb") else []
        none, many = _NONE[kind], _MANY[kind]
    if len(found) > 1:
        return Acquired(None, many, ambiguous=True)
    return Acquired(found[0]) if found else Acquired(None, none)
