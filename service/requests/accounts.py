"""Accounts: `POST /account`'s body, and the form in which usernames are compared."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from service.domain.account import TIKTOK_PACKAGE as TIKTOK
from service.errors import invalid
from service.requests.body import decode_object
from service.requests.fields import read_object
from service.requests.values import name, show

_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")


class AccountBody(msgspec.Struct, kw_only=True, frozen=True):
    """An account to register: the username as given (trimmed), its device and app."""

    username: str
    serial: str
    package: str = TIKTOK


def package(path: str, value: Any) -> str:
    """An Android package name such as com.zhiliaoapp.musically."""
    given = name(256)(path, value)
    if _PACKAGE.fullmatch(given) is None:
        raise invalid(f"{path} must be an Android package name, got {show(value)}")
    return given


FIELDS = {"username": name(256, at_sign=True), "serial": name(256), "package": package}


def parse_account(body: bytes) -> AccountBody:
    """The account in `body`, or a 40001 naming the first problem in body order."""
    reading = read_object("", decode_object(body), FIELDS)
    for key in ("username", "serial"):
        if key not in reading.positions:
            reading.fail(reading.size, f"{key} is required")
    reading.raise_first()
    return AccountBody(**reading.values)
