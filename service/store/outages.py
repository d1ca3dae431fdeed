"""Riding out a store that is away (the database restarting, the network to it gone).

Background work (following the log, recording what phones do) must not die with one failed
query: it waits and tries again, with a growing delay, saying once that the store is away and
once that it is back. Requests are not retried here: they answer 50001 at once.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

from service.store.records import ConcurrencyError, FencedOff, StoreError

T = TypeVar("T")
DELAYS_S = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


class StoreOutage:
    """`await outage.retry(operation)`: the operation's result once the store answers."""

    def __init__(self, what: str, logger: logging.Logger) -> None:
        self.what = what
        self.log = logger
        self.away = False

    async def retry(self, operation: Callable[[], Awaitable[T]], *, give_up_after_s: float = math.inf) -> T:
        """Run `operation` until it does not fail with a StoreError (a conflict, or a fenced-off
        append, is no outage: it propagates); after `give_up_after_s` the last StoreError propagates."""
        waited = 0.0
        attempt = 0
        while True:
            try:
                result = await operation()
            except (ConcurrencyError, FencedOff):
                raise
            except StoreError as exc:
                if waited >= give_up_after_s:
                    raise
                if not self.away:
                    self.away = True
                    self.log.warning("%s waits for the database: %s", self.what, exc)
                delay = DELAYS_S[min(attempt, len(DELAYS_S) - 1)]
                attempt += 1
                waited += delay
                await anyio.sleep(delay)
                continue
            if self.away:
                self.away = False
                self.log.info("%s goes on: the database answers again", self.what)
            return result
