"""Answers for polling clients: a response cache keyed by the log position, and ETags.

A GET's body depends only on the views, and the views change only when the writer commits.
So a body computed at position P stays valid while the store is still at P: repeated polls
are served from memory, and a client that sends If-None-Match with the current ETag gets 304.
A repeated poll is answered before routing (`poll_cache_middleware`): only a URL that its
route handler already answered at the current position is, with the same status, headers and
body; anything else goes through the app.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response

from service.api.envelope import JSON, raw_ok

_JSON = JSON.encode()


class _Entry:
    """A body computed at a log position, with the headers of its 200 answer."""

    __slots__ = ("position", "body", "etag", "headers")

    def __init__(self, position: int, body: bytes, etag: str) -> None:
        self.position = position
        self.body = body
        self.etag = etag.encode()
        # As Litestar sends raw_ok(body, headers={"etag": ...}).
        self.headers = [(b"etag", self.etag), (b"content-type", _JSON), (b"content-length", str(len(body)).encode())]


class PollCache:
    """Encoded success bodies by request URL, valid while the log has not moved."""

    def __init__(self, position: Callable[[], int], max_entries: int = 512) -> None:
        self._position = position
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._max = max_entries
        self.hits = 0

    def answer(self, scope: dict) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """(status, headers, body) for a GET its handler answered at the current position, else None."""
        key = scope["raw_path"] + b"?" + scope["query_string"]
        entry = self._entries.get(key)
        if entry is None or entry.position != self._position():
            return None
        self.hits += 1
        self._entries.move_to_end(key)  # least recently used first out
        for name, value in scope["headers"]:
            if name == b"if-none-match" and value == entry.etag:
                return 304, [(b"etag", entry.etag)], b""
        return 200, entry.headers, entry.body

    async def respond(self, request: Request, compute: Callable[[], Awaitable[bytes]]) -> Response:
        """The cached body when still valid (304 when the client already has it), else compute it."""
        position = self._position()  # read before computing: a commit meanwhile only makes it stale
        key = request.scope["raw_path"] + b"?" + request.scope["query_string"]
        etag = f'"{position}-{zlib.crc32(key):08x}"'
        entry = self._entries.get(key)
        cached = entry is not None and entry.position == position
        if request.headers.get("if-none-match") == etag:
            self.hits += 1
            if not cached:  # evicted: keep the body, so the next polls are answered before routing
                try:
                    self._keep(key, position, await compute(), etag)
                except Exception:  # noqa: BLE001 - the client has the body: it still gets its 304
                    pass
            return Response(content=b"", status_code=304, headers={"etag": etag})
        if cached:
            self.hits += 1
            self._entries.move_to_end(key)
            return raw_ok(entry.body, headers={"etag": etag})
        body = await compute()
        self._keep(key, position, body, etag)
        return raw_ok(body, headers={"etag": etag})

    def _keep(self, key: bytes, position: int, body: bytes, etag: str) -> None:
        self._entries[key] = _Entry(position, body, etag)
        self._entries.move_to_end(key)
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)


def poll_cache_middleware(cache: PollCache):
    """ASGI middleware: a repeated GET answered from the cache before routing (else the app runs)."""

    def middleware(app: Any) -> Any:
        async def asgi(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == "GET":
                answer = cache.answer(scope)
                if answer is not None:
                    status, headers, body = answer
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
                    return
            await app(scope, receive, send)

        return asgi

    return middleware
