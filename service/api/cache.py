"""Answers for polling clients: a response cache keyed by the log position, and ETags.

A GET's body depends only on the views, and the views change only when the writer commits.
So a body computed at position P stays valid while the store is still at P: repeated polls
are served from memory, and a client that sends If-None-Match with the current ETag gets 304.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from typing import Awaitable, Callable

from litestar import Request, Response

from service.api.envelope import raw_ok


class PollCache:
    """Encoded success bodies by request URL, valid while the log has not moved."""

    def __init__(self, position: Callable[[], int], max_entries: int = 512) -> None:
        self._position = position
        self._entries: OrderedDict[bytes, tuple[int, bytes]] = OrderedDict()
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    async def respond(self, request: Request, compute: Callable[[], Awaitable[bytes]]) -> Response:
        """The cached body when still valid (304 when the client already has it), else compute it."""
        position = self._position()  # read before computing: a commit meanwhile only makes it stale
        key = request.scope["raw_path"] + b"?" + request.scope["query_string"]
        etag = f'"{position}-{zlib.crc32(key):08x}"'
        if request.headers.get("if-none-match") == etag:
            self.hits += 1
            return Response(content=b"", status_code=304, headers={"etag": etag})
        entry = self._entries.get(key)
        if entry is not None and entry[0] == position:
            self.hits += 1
            return raw_ok(entry[1], headers={"etag": etag})
        self.misses += 1
        body = await compute()
        self._entries[key] = (position, body)
        self._entries.move_to_end(key)
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return raw_ok(body, headers={"etag": etag})
