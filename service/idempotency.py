"""Idempotency-Key for POST /task: the same key and body within 24 hours answer the first
response again and create nothing, also after a restart and when two requests race.

Only a SHA-256 of the body (canonical JSON) is kept, never the body.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Awaitable, Callable
from weakref import WeakValueDictionary

import anyio
import msgspec

from service.clock import Clock
from service.errors import ApiError, Code
from service.store.interface import EventStore
from service.store.records import RememberResponse, SideWrite, StoreError

WINDOW_S = 24 * 3600
MAX_KEY_LENGTH = 200

Remember = Callable[[bytes], list[SideWrite]]


def _float(text: str) -> float | msgspec.Raw:
    value = float(text)
    return value if math.isfinite(value) else msgspec.Raw(text.encode())  # 1e400: kept as written


_decoder = msgspec.json.Decoder(float_hook=_float)


def body_hash(body: bytes) -> str:
    """SHA-256 of the body as canonical JSON (bodies equal as JSON hash alike).

    Reads what the request parser reads: a leading UTF-8 BOM is skipped, and a number too
    large for a float (in a key the parser ignores) is kept as written instead of failing.
    """
    body = bytes(body).removeprefix(b"\xef\xbb\xbf")
    canonical = msgspec.json.encode(_decoder.decode(body), order="sorted")
    return hashlib.sha256(canonical).hexdigest()


def check_key(key: str) -> str:
    """A key is any non-empty string of at most 200 characters."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            Code.INVALID_PARAMETERS, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters, got {len(key)}"
        )
    return key


class IdempotencyKeys:
    """Remembers the first successful response per key, in the transaction that created the tasks."""

    def __init__(self, store: EventStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._locks: WeakValueDictionary[str, anyio.Lock] = WeakValueDictionary()

    async def once(self, key: str, body: bytes, create: Callable[[Remember], Awaitable[bytes]]) -> bytes:
        """The remembered response for (key, body), or the response of `create` (which stores it)."""
        digest = body_hash(body)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = anyio.Lock()
        async with lock:  # one request per key at a time in this process; the store's unique key across processes
            now = self._clock.now().timestamp()
            answer = await self._remembered(key, digest, now)
            if answer is not None:
                return answer

            def remember(response: bytes) -> list[SideWrite]:
                return [RememberResponse(key, digest, response, now, replaces_before=now - WINDOW_S)]

            try:
                return await create(remember)
            except StoreError:
                # Another server sharing the store answered this key meanwhile: its answer is ours.
                answer = await self._remembered(key, digest, now)
                if answer is None:
                    raise
                return answer

    async def _remembered(self, key: str, digest: str, now: float) -> bytes | None:
        """The answer remembered for the key within the window (40901 if it was for another body)."""
        remembered = await self._store.side.idempotent_response(key)
        if remembered is None or now - remembered.created_at >= WINDOW_S:
            return None
        if remembered.body_hash != digest:
            raise ApiError(
                Code.STATE_CONFLICT, "Idempotency-Key was already used with a different body within 24 hours"
            )
        return remembered.response
