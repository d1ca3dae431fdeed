"""The `{code, message, data}` envelope, and the one place exceptions become responses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException

from service.api.methods import allowed_methods
from service.api.schemas import Envelope
from service.domain.account import AccountNotFound
from service.domain.device import DeviceNotFound
from service.domain.errors import TaskNotFound, TransitionRefused
from service.errors import ApiError, Code
from service.store.records import StoreError

JSON = "application/json"
log = logging.getLogger("droidledger.api")
_encode = msgspec.json.Encoder().encode


def ok_body(data: Any) -> bytes:
    """The encoded success envelope."""
    return _encode(Envelope(code=0, message="success", data=data))


def ok(data: Any, headers: dict[str, str] | None = None) -> Response:
    """A 200 success response."""
    return Response(content=ok_body(data), media_type=JSON, status_code=200, headers=headers)


def raw_ok(body: bytes, headers: dict[str, str] | None = None) -> Response:
    """A 200 response of an already encoded envelope."""
    return Response(content=body, media_type=JSON, status_code=200, headers=headers)


def error_body(code: Code, message: str, data: Any = None) -> bytes:
    """The encoded error envelope."""
    return _encode(Envelope(code=int(code), message=message, data=data))


def error_status(code: Code, rest_status: bool) -> int:
    """The HTTP status of an error: 200, as the vendor's clients expect, or with `--rest-status`
    the code's first three digits."""
    return code.http_status if rest_status else 200


CODE_KEY = "droidledger.code"


def note_code(scope: dict, code: Code) -> None:
    """Tell the front door (`service/api/guard.py`) which envelope code the response carries."""
    scope[CODE_KEY] = int(code)


def exception_handlers(rest_status: bool) -> dict[type[Exception], Callable[[Request, Exception], Response]]:
    """Map every exception to the envelope, answered with HTTP 200 unless `rest_status`."""

    def respond(request: Request, code: Code, message: str, headers: dict[str, str] | None = None) -> Response:
        note_code(request.scope, code)
        return Response(
            content=error_body(code, message),
            media_type=JSON,
            status_code=error_status(code, rest_status),
            headers=headers,
        )

    def api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.code, exc.message)

    def not_found(request: Request, exc: Exception) -> Response:
        return respond(request, Code.NOT_FOUND, str(exc))

    def refused(request: Request, exc: TransitionRefused) -> Response:
        return respond(request, Code.STATE_CONFLICT, str(exc))

    def http_error(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc, NotFoundException):
            return respond(request, Code.NOT_FOUND, f"no route {request.url.path}")
        if isinstance(exc, MethodNotAllowedException):
            headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "allow"}
            allow = next((v for k, v in (exc.headers or {}).items() if k.lower() == "allow"), "")
            return respond(
                request,
                Code.METHOD_NOT_ALLOWED,
                f"method {request.method} is not allowed on {request.url.path}",
                headers={**headers, "Allow": allowed_methods(allow)},
            )
        if exc.status_code == 413:
            return respond(request, Code.BODY_TOO_LARGE, "request body is larger than 1 MiB")
        if 400 <= exc.status_code < 500:
            return respond(request, Code.INVALID_PARAMETERS, f"invalid request: {exc.detail}")
        return unexpected(request, exc)

    def store_error(request: Request, exc: StoreError) -> Response:
        # One line: the cause is in the message (a database away for a minute would otherwise
        # fill the log with the same traceback).
        log.error("store error on %s %s: %s", request.method, request.url.path, exc)
        return respond(request, Code.INTERNAL_ERROR, "internal error: the database could not complete the request")

    def unexpected(request: Request, exc: Exception) -> Response:
        # The traceback goes to the log, never into the response.
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return respond(request, Code.INTERNAL_ERROR, "internal error")

    return {
        ApiError: api_error,
        TaskNotFound: not_found,
        AccountNotFound: not_found,
        DeviceNotFound: not_found,
        TransitionRefused: refused,
        HTTPException: http_error,
        StoreError: store_error,
        Exception: unexpected,
    }
