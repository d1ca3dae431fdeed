"""Request bodies: raw bytes to a JSON object, or a 40001 saying why the body is unreadable."""

from __future__ import annotations

import math
from typing import Any

import msgspec

from service.errors import invalid
from service.requests.values import NonFinite, show

_BOM = b"\xef\xbb\xbf"


def _float(text: str) -> float | NonFinite:
    value = float(text)
    return value if math.isfinite(value) else NonFinite(text)


_decoder = msgspec.json.Decoder(float_hook=_float)


def decode_json(body: bytes) -> Any:
    """The JSON value of a body: UTF-8 (a leading BOM is skipped), one value, finite floats.

    A number too large for a float (1e400) decodes to `NonFinite`, so that the field holding
    it, not the whole body, is blamed. Everything unreadable is a 40001.
    """
    if not isinstance(body, bytes):
        body = bytes(body)  # bytearray, memoryview
    if body[:3] == _BOM:
        body = body[3:]
    if not body.strip():
        raise invalid("the body is empty; send a JSON object")
    try:
        body.decode("utf-8")  # checked here, so the message is ours whatever the decoder's wording
    except UnicodeDecodeError as error:
        raise invalid(f"the body is not valid UTF-8 (byte {error.start})") from None
    try:
        return _decoder.decode(body)
    except RecursionError:
        raise invalid("the body is not readable: JSON nested too deeply") from None
    except (msgspec.DecodeError, ValueError) as error:  # ValidationError is a DecodeError
        reason = str(error).split(" - at ")[0].removeprefix("JSON is malformed: ")
        raise invalid(f"the body is not valid JSON: {reason}") from None


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON object a body holds; any other JSON value is a 40001."""
    value = decode_json(body)
    if not isinstance(value, dict):
        raise invalid(f"the body must be a JSON object, got {show(value)}")
    return value
