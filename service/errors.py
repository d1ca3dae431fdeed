"""The API's error codes and the one exception that carries them to the envelope.

ApiError(code, message)          -> {"code": code, "message": message, "data": null}
  40001 invalid parameters       HTTP 400
  40002 missing script_name      HTTP 400
  40003 script not supported     HTTP 400
  40101 missing/wrong API key    HTTP 401
  40301 plan has no API          HTTP 403
  40401 resource not found       HTTP 404
  40501 method not allowed       HTTP 405
  40901 state forbids operation  HTTP 409
  41301 body too large           HTTP 413
  50001 internal error           HTTP 500
"""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    """Envelope codes: the vendor's, plus ours (docs/api.md, "Base, envelope, codes")."""

    SUCCESS = 0
    INVALID_PARAMETERS = 40001
    MISSING_SCRIPT_NAME = 40002
    SCRIPT_NOT_SUPPORTED = 40003
    UNAUTHORIZED = 40101
    PLAN_HAS_NO_API = 40301
    NOT_FOUND = 40401
    METHOD_NOT_ALLOWED = 40501
    STATE_CONFLICT = 40901
    BODY_TOO_LARGE = 41301
    INTERNAL_ERROR = 50001

    @property
    def http_status(self) -> int:
        """The HTTP status of an error code is its first three digits; success is 200."""
        return 200 if self == Code.SUCCESS else int(str(int(self))[:3])


class ApiError(Exception):
    """A request that cannot be served, with the envelope code and a message naming the cause."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = Code(code)
        self.message = message

    def __repr__(self) -> str:
        return f"ApiError({int(self.code)}, {self.message!r})"


def invalid(message: str) -> ApiError:
    """A 40001: the message names the offending field and why."""
    return ApiError(Code.INVALID_PARAMETERS, message)
