"""The fault and settings spec language of the farm, e.g. `disconnect=0.01,u2crash=0.005,slow=R58M1ABC:500,ratelimit=10`.

A spec is a comma-separated list of items; each item is one of:

- a random fault, drawn per JSON-RPC call from each phone's seeded generator:
  `disconnect=P`, `u2crash=P`, `dialog=P` (probabilities 0..1);
- a farm-wide setting: `offline_s=S` (how long a random disconnect lasts, in app seconds, default 3),
  `ratelimit=N` (follows per app minute before "Too many attempts", 0 = off),
  `actionblock=N` (follows per app minute before the "Action blocked" dialog, 0 = off); on Instagram either
  threshold brings its action block, the "Try Again Later" dialog;
- a per-phone setting, SERIAL or `*` for every phone: `slow=SERIAL:MS` (extra latency),
  `lang=SERIAL:en|fr`, `version=SERIAL:34.1.2`, `app=SERIAL:installed|missing` (TikTok),
  `instagram=SERIAL:installed|missing`, `screen=SERIAL:on|off|locked`;
- an action on one phone (or `*`): `offline=SERIAL[:S]` (disconnect now, for S app seconds or until
  `online`), `online=SERIAL`, `crash=SERIAL` (the uiautomator2 server dies), `popup=SERIAL[:KIND]`
  (an interrupting dialog over the app in front now; KIND is TikTok's rating, friends, collections or permission,
  or Instagram's save_login or notifications: "Save your login info?", "Turn on notifications");
- `reset`: random faults, ratelimit, actionblock and slow phones back to off (per-phone settings are kept).

The same changes as a JSON object: `{"disconnect": 0.01, "slow": {"SERIAL": 500}, "lang": {"*": "fr"},
"offline": {"SERIAL": 2}, "online": ["SERIAL"], "crash": ["SERIAL"], "popup": {"SERIAL": "rating"},
"reset": true}`, or `{"spec": "disconnect=0.01,..."}`. Keys not given keep their value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PROBABILITIES = ("disconnect", "u2crash", "dialog")
PHONE_SETTINGS = ("slow", "lang", "version", "app", "instagram", "screen")
ACTIONS = ("offline", "online", "crash", "popup")
LANGUAGES = ("en", "fr")
DIALOG_KINDS = ("rating", "friends", "collections", "permission")  # TikTok's
INSTAGRAM_DIALOG_KINDS = ("save_login", "notifications")
_CHOICES = {
    "lang": LANGUAGES,
    "app": ("installed", "missing"),
    "instagram": ("installed", "missing"),
    "screen": ("on", "off", "locked"),
}


class FaultSpecError(ValueError):
    """A spec item is malformed; the message names it."""


@dataclass(slots=True)
class FarmFaults:
    """The farm-wide fault switches."""

    disconnect: float = 0.0
    u2crash: float = 0.0
    dialog: float = 0.0
    offline_s: float = 3.0
    ratelimit: int = 0
    actionblock: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The switches as a JSON-able dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Change:
    """One parsed item: a key, the phone it targets (None: farm-wide, "*": every phone), its value."""

    key: str
    target: str | None
    value: Any


def _number(key: str, text: Any, low: float, high: float | None = None) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise FaultSpecError(f"{key} needs a number, got {text!r}") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise FaultSpecError(f"{key} must be {bound}, got {text!r}")
    return value


def _phone_value(key: str, value: Any) -> Any:
    if key == "slow":
        return _number(key, value, 0)
    if key == "version":
        text = str(value)
        if not text or not all(part.isdigit() for part in text.split(".")):
            raise FaultSpecError(f"version must look like 34.1.2, got {value!r}")
        return text
    if str(value) not in _CHOICES[key]:
        raise FaultSpecError(f"{key} must be one of {', '.join(_CHOICES[key])}, got {value!r}")
    return str(value)


def _action_value(key: str, value: Any) -> Any:
    if key == "offline":
        return None if value in (None, "", True) else _number(key, value, 0)
    if key == "popup":
        kind = "rating" if value in (None, "", True) else str(value)
        if kind not in DIALOG_KINDS + INSTAGRAM_DIALOG_KINDS:
            raise FaultSpecError(
                f"popup kind must be one of {', '.join(DIALOG_KINDS + INSTAGRAM_DIALOG_KINDS)}, got {value!r}"
            )
        return kind
    return None


def _item(key: str, target: str | None, value: Any) -> Change:
    if key in PROBABILITIES:
        return Change(key, None, _number(key, value, 0, 1))
    if key == "offline_s":
        return Change(key, None, _number(key, value, 0))
    if key in ("ratelimit", "actionblock"):
        return Change(key, None, int(_number(key, value, 0)))
    if key in PHONE_SETTINGS or key in ACTIONS:
        if not target:
            raise FaultSpecError(
                f"{key} needs a phone: {key}=SERIAL" + ("" if key in ("online", "crash") else ":VALUE")
            )
        if key in PHONE_SETTINGS:
            return Change(key, target, _phone_value(key, value))
        return Change(key, target, _action_value(key, value))
    if key == "reset":
        return Change(key, None, None)
    raise FaultSpecError(f"unknown fault or setting {key!r}")


def parse_spec(spec: str) -> list[Change]:
    """Parse the text form (see the module docstring)."""
    changes: list[Change] = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item or item == "none":
            continue
        key, _, rest = item.partition("=")
        key = key.strip()
        if key in PHONE_SETTINGS or key in ACTIONS:
            target, colon, value = rest.partition(":")
            if key in PHONE_SETTINGS and not colon:
                raise FaultSpecError(f"{key} needs a phone and a value: {key}=SERIAL:VALUE, got {item!r}")
            changes.append(_item(key, target.strip(), value.strip() or None))
        else:
            changes.append(_item(key, None, rest.strip() if rest else None))
    return changes


def parse_body(body: dict[str, Any]) -> list[Change]:
    """Parse the JSON form (see the module docstring)."""
    if not isinstance(body, dict):
        raise FaultSpecError("the faults body must be a JSON object")
    changes: list[Change] = []
    for key, value in body.items():
        if key == "spec":
            changes.extend(parse_spec(str(value)))
        elif key == "reset":
            if value:
                changes.append(Change("reset", None, None))
        elif key in PHONE_SETTINGS or key in ACTIONS:
            pairs = (
                value.items()
                if isinstance(value, dict)
                else ((s, None) for s in (value if isinstance(value, list) else [value]))
            )
            changes.extend(_item(key, str(serial), arg) for serial, arg in pairs)
        else:
            changes.append(_item(key, None, value))
    return changes
