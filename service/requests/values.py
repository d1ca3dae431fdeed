"""Checks of single JSON values.

A check takes the field's path (`script_config.like_probable`) and the raw decoded value,
and returns the normalised value or raises a 40001 whose message names the path and why.
Factories (`integer(0, 100)`, `choice("a", "b")`) build checks; plain functions are checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from service.errors import ApiError, invalid

Check = Callable[[str, Any], Any]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")  # NUL, and lone surrogates (not UTF-8)


class NonFinite:
    """A JSON number too large for a float (`1e400`): kept so the field it sits in is named."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def show(value: Any) -> str:
    """A short, printable rendering of a client's value for an error message."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        bits = value.bit_length()
        return str(value) if bits <= 128 else f"an integer of {bits} bits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, NonFinite):
        return value.text
    if isinstance(value, str):
        cut = value if len(value) <= 120 else value[:120] + "..."
        shown = json.dumps(cut, ensure_ascii=False)
        return shown.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def clean(path: str, value: str) -> str:
    """The string itself, unless it holds a NUL character or an unpaired surrogate."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return value
    what = "NUL characters" if found.group() == "\x00" else "unpaired surrogates"
    raise invalid(f"{path} must not contain {what}")


def text(path: str, value: Any) -> str:
    """Any string, kept as given."""
    if not isinstance(value, str):
        raise invalid(f"{path} must be a string, got {show(value)}")
    return clean(path, value)


def boolean(path: str, value: Any) -> bool:
    """true or false; 0 and 1 are not booleans."""
    if value is True or value is False:
        return value
    raise invalid(f"{path} must be true or false, got {show(value)}")


def _range_text(lo: float, hi: float, *, above: bool = False) -> str:
    low = f"greater than {lo}" if above else f"at least {lo}"
    if hi == INT64_MAX:
        return low
    if above:
        return f"{low} and at most {hi}"
    return f"between {lo} and {hi}"


def integer(lo: int = INT64_MIN, hi: int = INT64_MAX) -> Check:
    """An integer in [lo, hi]; an integral float (5.0) counts, a bool or "5" does not."""

    def check(path: str, given: Any) -> int:
        value = int(given) if isinstance(given, float) and given.is_integer() else given
        if isinstance(value, NonFinite):
            raise invalid(f"{path} must be a finite number, got {show(given)}")
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid(f"{path} must be an integer, got {show(given)}")
        if not INT64_MIN <= value <= INT64_MAX:
            raise invalid(f"{path} must be a 64-bit integer, got {show(given)}")
        if not lo <= value <= hi:
            raise invalid(f"{path} must be {_range_text(lo, hi)}, got {show(given)}")
        return value

    return check


def number(lo: float, hi: float, *, above: bool = False) -> Check:
    """A finite number in [lo, hi] (or (lo, hi] when `above`), kept as the int or float given."""

    def check(path: str, value: Any) -> int | float:
        if isinstance(value, NonFinite):
            raise invalid(f"{path} must be a finite number, got {show(value)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise invalid(f"{path} must be a number, got {show(value)}")
        if value < lo or value > hi or (above and value == lo):
            raise invalid(f"{path} must be {_range_text(lo, hi, above=above)}, got {show(value)}")
        return value

    return check


def choice(*options: str) -> Check:
    """One of the given strings, exactly (case-sensitive, not trimmed)."""
    listed = ", ".join(f'"{option}"' for option in options)

    def check(path: str, value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise invalid(f"{path} must be one of {listed}, got {show(value)}")
        return value

    return check


def int_choice(*options: int) -> Check:
    """One of the given integers (an integral float counts)."""
    listed = " or ".join(str(option) for option in options)
    as_int = integer()

    def check(path: str, value: Any) -> int:
        try:
            given = as_int(path, value)
        except ApiError:
            given = None
        if given not in options:
            raise invalid(f"{path} must be {listed}, got {show(value)}")
        return given

    return check


def name(max_length: int, *, at_sign: bool = False) -> Check:
    """A non-empty string, trimmed; with `at_sign`, a lone "@" names nothing."""

    def check(path: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise invalid(f"{path} must be a non-empty string, got {show(value)}")
        trimmed = clean(path, value.strip())
        if len(trimmed) > max_length:
            raise invalid(f"{path} must be at most {max_length} characters long")
        if at_sign and trimmed == "@":
            raise invalid(f'{path} must name someone after its optional "@", got "@"')
        return trimmed

    return check


def array(item: Check, max_items: int) -> Check:
    """A JSON array of at most `max_items`, each element checked by `item` at `path[i]`."""

    def check(path: str, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise invalid(f"{path} must be an array, got {show(value)}")
        if len(value) > max_items:
            raise invalid(f"{path} has {len(value):,} entries; at most {max_items:,} are allowed")
        return [item(f"{path}[{index}]", element) for index, element in enumerate(value)]

    return check
