"""`POST /task`: the body, checked and normalised (docs/api.md, "Create tasks").

Precedence for a readable body: 40002 (script_name missing, null or blank), then 40003
(a coming-soon or unknown script), then 40001 for the first problem in body order (see
`fields`). An unreadable body is a 40001.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from service.errors import ApiError, Code, invalid
from service.requests.body import decode_object
from service.requests.fields import read_object
from service.requests.files import FileCheck, FilePolicy
from service.requests.scripts import COMING_SOON, SUPPORTED
from service.requests.values import array, boolean, integer, name, show, text

MAX_LINES = 1_000  # serials or usernames in one request
MAX_INTERVAL = 10_080  # minutes: a week
_HH_MM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


class CreateTaskRequest(msgspec.Struct, kw_only=True, frozen=True):
    """A valid create request: exactly one of `serials` and `usernames` is set.

    `config` is the normalised script_config without targets, secrets shown as "***";
    `targets` are the follow/unfollow users or comment URLs (empty for other scripts);
    `secrets` maps a secret's name (`chatgpt_api_key`) to its value; `app` is the app the
    script_config names (`app`, or an Instagram `placement`), None when it names none (fan-out
    then asks the post URL, the account, the server's default).
    """

    serials: tuple[str, ...] | None
    usernames: tuple[str, ...] | None
    script_name: str
    config: dict[str, Any]
    targets: tuple[str, ...] = ()
    secrets: dict[str, str] = {}
    enable_multi_account: bool = False
    min_interval: int = 0
    max_interval: int = 0
    start_time: tuple[int, int] | None = None
    app: str | None = None

    def __repr__(self) -> str:
        shown = {f: getattr(self, f) for f in self.__struct_fields__}
        shown["secrets"] = {key: "***" for key in self.secrets}
        return f"CreateTaskRequest({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def start_time(path: str, value: Any) -> tuple[int, int] | None:
    """ "HH:MM" on the 24-hour clock as (hour, minute); "" means no start time."""
    given = text(path, value).strip()
    if not given:
        return None
    found = _HH_MM.fullmatch(given)
    if found is None:
        raise invalid(f'{path} must be a time "HH:MM" on the 24-hour clock, got {show(value)}')
    return int(found.group(1)), int(found.group(2))


FIELDS = {
    "serials": array(name(256), MAX_LINES),
    "usernames": array(name(256, at_sign=True), MAX_LINES),
    "script_name": text,
    "script_config": None,  # set per request: it depends on the script
    "enable_multi_account": boolean,
    "min_interval": integer(0, MAX_INTERVAL),
    "max_interval": integer(0, MAX_INTERVAL),
    "start_time": start_time,
}


def script_of(raw: dict[str, Any]) -> str | None:
    """The supported script a body names; None when script_name is not a string (a 40001)."""
    given = raw.get("script_name")
    if given is None or (isinstance(given, str) and not given.strip()):
        raise ApiError(Code.MISSING_SCRIPT_NAME, "script_name is required")
    if not isinstance(given, str):
        return None
    script = given.strip()
    if script in COMING_SOON:
        raise ApiError(
            Code.SCRIPT_NOT_SUPPORTED,
            f'script_name "{script}" is coming soon: not yet available through the API',
        )
    if script not in SUPPORTED:
        raise ApiError(
            Code.SCRIPT_NOT_SUPPORTED,
            f"script_name {show(given)} is not supported; use one of {', '.join(SUPPORTED)}",
        )
    return script


def parse_create_task(body: bytes, files: FilePolicy) -> CreateTaskRequest:
    """The create request in `body`, checked and normalised, or an ApiError."""
    raw = decode_object(body)
    script = script_of(raw)
    check_files = FileCheck(files)
    normalise = SUPPORTED.get(script or "")
    configure = (lambda path, value: normalise(path, value, check_files)) if normalise else _any
    reading = read_object("", raw, {**FIELDS, "script_config": configure})
    values = reading.values
    serials, usernames = values.get("serials"), values.get("usernames")
    if serials and usernames:
        reading.fail(
            reading.at("serials", "usernames"),
            "give serials (device mode) or usernames (account mode), not both",
        )
    elif not serials and not usernames:
        reading.fail(
            reading.at("serials", "usernames"),
            "serials (device mode) or usernames (account mode) is required, with one entry or more",
        )
    if "script_config" not in reading.positions:
        reading.fail(reading.size, "script_config is required: an object, {} when nothing is needed")
    low, high = values.get("min_interval"), values.get("max_interval")
    if low is None:  # one interval given: the other takes its value
        low = 0 if high is None else high
    if high is None:
        high = low
    if high < low:
        reading.fail(
            reading.at("min_interval", "max_interval"),
            f"max_interval ({high}) must not be less than min_interval ({low})",
        )
    reading.raise_first()
    normalised = values["script_config"]
    return CreateTaskRequest(
        serials=tuple(serials) if serials else None,
        usernames=tuple(usernames) if usernames else None,
        script_name=script,
        config=normalised.config,
        targets=normalised.targets,
        secrets=normalised.secrets,
        enable_multi_account=bool(serials) and values.get("enable_multi_account", False),
        min_interval=low,
        max_interval=high,
        start_time=values.get("start_time"),
        app=normalised.app,
    )


def _any(path: str, value: Any) -> Any:
    return value  # script_name is not a string: that is the problem reported
