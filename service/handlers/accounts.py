"""Account commands: register or move an account, forget it, replace a phone's accounts."""

from __future__ import annotations

from typing import Sequence

from service.domain.account import (
    AccountState, TIKTOK_PACKAGE, account_key, decide_register, decide_remove, fold,
)
from service.events import account_stream
from service.store.records import ConcurrencyError, StreamAppend
from service.store.sqlite_store import SQLiteEventStore

MAX_CONFLICT_RETRIES = 50


class AccountHandlers:
    """The registry's commands, from the API and from the match_account script."""

    def __init__(self, store: SQLiteEventStore) -> None:
        self.store = store

    async def load(self, key: str) -> AccountState:
        """Fold the account's stream."""
        recorded = await self.store.read_stream(account_stream(key))
        return fold(key, [r.event for r in recorded])

    async def register(self, username: str, serial: str, package: str = TIKTOK_PACKAGE) -> AccountState:
        """Register the account on a phone (moving it if it lived elsewhere)."""
        key = account_key(username)
        for _ in range(MAX_CONFLICT_RETRIES):
            state = await self.load(key)
            events = decide_register(state, username, serial, package)
            if not events:
                return state
            try:
                await self.store.append(StreamAppend(account_stream(key), state.version, events))
            except ConcurrencyError:
                continue
            return await self.load(key)
        raise ConcurrencyError([(account_stream(key), -1, -1)])

    async def remove(self, username: str) -> None:
        """Forget the account (AccountNotFound if unknown)."""
        key = account_key(username)
        for _ in range(MAX_CONFLICT_RETRIES):
            state = await self.load(key)
            try:
                await self.store.append(StreamAppend(account_stream(key), state.version, decide_remove(state)))
                return
            except ConcurrencyError:
                continue
        raise ConcurrencyError([(account_stream(key), -1, -1)])

    async def replace_on_device(self, serial: str, usernames: Sequence[str],
                                package: str = TIKTOK_PACKAGE) -> None:
        """The accounts signed in on a phone become exactly `usernames`, in one transaction."""
        wanted = {account_key(name): name for name in usernames}
        for _ in range(MAX_CONFLICT_RETRIES):
            rows = await self.store.fetchall("SELECT key FROM accounts WHERE serial = ?", (serial,))
            keys = sorted(set(wanted) | {row[0] for row in rows})
            appends = []
            for key in keys:
                state = await self.load(key)
                if key in wanted:
                    events = decide_register(state, wanted[key], serial, package)
                elif state.registered and state.serial == serial:
                    events = decide_remove(state)
                else:
                    events = []
                if events:
                    appends.append(StreamAppend(account_stream(key), state.version, events))
            if not appends:
                return
            try:
                await self.store.append(*appends)
                return
            except ConcurrencyError:
                continue
        raise ConcurrencyError([(f"device-{serial}", -1, -1)])
