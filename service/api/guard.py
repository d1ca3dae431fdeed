"""What every request passes before routing: the API key, one access-log line, and the
count of responses by envelope code (for /metrics).

The plan and body-size checks need the route, so they are a Litestar guard (`plan_guard`).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections import Counter
from typing import Any

from litestar import Request
from litestar.handlers import BaseRouteHandler

from service.api.envelope import CODE_KEY, JSON, error_body, error_status
from service.api.routes.board import is_board_path
from service.errors import ApiError, Code
from service.settings import Settings

access_log = logging.getLogger("droidledger.access")

MAX_BODY = 1024 * 1024


def _header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def _presented_key(scope: dict) -> bytes | None:
    authorization = _header(scope, b"authorization")
    if authorization is not None and authorization[:7].lower() == b"bearer ":
        return authorization[7:].strip()
    return _header(scope, b"x-api-key")


def front_door(settings: Settings, codes: Counter):
    """ASGI middleware factory: with an API key set, every request but the board's pages and files (which
    carry no data) must present it (40101); every response is counted in `codes` by its envelope code
    (0 for success) and logged."""
    expected = settings.api_key.encode() if settings.api_key else None
    status = error_status(Code.UNAUTHORIZED, settings.rest_status)
    body = error_body(
        Code.UNAUTHORIZED, "missing or wrong API key: send Authorization: Bearer <key> or X-API-Key: <key>"
    )

    def middleware(app: Any) -> Any:
        async def asgi(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            if expected is not None and not is_board_path(scope["path"]):
                presented = _presented_key(scope)
                if presented is None or not hmac.compare_digest(presented, expected):
                    await send(
                        {
                            "type": "http.response.start",
                            "status": status,
                            "headers": [
                                (b"content-type", JSON.encode()),
                                (b"content-length", str(len(body)).encode()),
                                (b"www-authenticate", b"Bearer"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    codes[int(Code.UNAUTHORIZED)] += 1
                    _log(scope, status, started)
                    return
            seen = [0]

            async def send_and_note(message: dict) -> None:
                if message["type"] == "http.response.start":
                    seen[0] = message["status"]
                await send(message)

            try:
                await app(scope, receive, send_and_note)
            finally:
                codes[scope.get(CODE_KEY, 0)] += 1
                if settings.access_log:
                    _log(scope, seen[0], started)

        return asgi

    return middleware


def _log(scope: dict, status: int, started: float) -> None:
    client = scope.get("client") or ("-", 0)
    access_log.info(
        "%s %s %s %d %.1fms", client[0], scope["method"], scope["path"], status, (time.perf_counter() - started) * 1000
    )


def plan_guard(settings: Settings):
    """Litestar guard on /api/v1 routes: the Starter plan has no API (40301), then bodies ≤ 1 MiB (41301)."""
    api_enabled = settings.plan.api_enabled

    async def guard(connection: Request, _: BaseRouteHandler) -> None:  # async: Litestar runs a sync guard in a thread
        if not api_enabled:
            raise ApiError(
                Code.PLAN_HAS_NO_API,
                f"the Local API needs the Pro plan or higher; this server runs the {settings.plan.name} plan",
            )
        length = connection.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            raise ApiError(
                Code.BODY_TOO_LARGE, f"request body is {int(length)} bytes; the limit is 1 MiB ({MAX_BODY} bytes)"
            )

    return guard
