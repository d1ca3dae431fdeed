"""Account commands: register or move an account, forget it, replace a phone's accounts."""

from __future__ import annotations

from collections.abc import Sequence

from service.domain.account import TIKTOK_PACKAGE, AccountState, account_key, decide_register, decide_remove, fold
from service.events import account_stream
from service.handlers.runner import Decision, run_command
from service.store.interface import EventStore
from service.store.records import Fence, StreamAppend


class AccountHandlers:
    """The registry's commands, from the API and from the match_account script."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def load(self, key: str) -> AccountState:
        """Fold the account's stream."""
        recorded = await self.store.read_stream(account_stream(key))
        return fold(key, [r.event for r in recorded])

    async def register(self, username: str, serial: str, package: str = TIKTOK_PACKAGE) -> AccountState:
        """Register the account on a phone (moving it if it lived elsewhere)."""
        key = account_key(username)

        async def decide_now(_: int) -> Decision:
            state = await self.load(key)
            events = decide_register(state, username, serial, package)
            return Decision([StreamAppend(account_stream(key), state.version, events)] if events else [])

        await run_command(self.store, decide_now, f"account {key}")
        return await self.load(key)

    async def remove(self, username: str) -> None:
        """Forget the account (AccountNotFound if unknown)."""
        key = account_key(username)

        async def decide_now(_: int) -> Decision:
            state = await self.load(key)
            return Decision([StreamAppend(account_stream(key), state.version, decide_remove(state))])

        await run_command(self.store, decide_now, f"account {key}")

    async def replace_on_device(
        self, serial: str, usernames: Sequence[str], package: str = TIKTOK_PACKAGE, fence: Fence | None = None
    ) -> None:
        """The accounts of one app (`package`) signed in on a phone become exactly `usernames`, in one transaction;
        the phone's accounts of other apps stay."""
        wanted = {account_key(name): name for name in usernames}

        async def decide_now(_: int) -> Decision:
            keys = sorted(set(wanted) | {row.key for row in await self.store.views.accounts(serial)})
            appends = []
            for key in keys:
                state = await self.load(key)
                if key in wanted:
                    events = decide_register(state, wanted[key], serial, package)
                elif state.registered and state.serial == serial and state.package == package:
                    events = decide_remove(state)
                else:
                    events = []
                if events:
                    appends.append(StreamAppend(account_stream(key), state.version, events))
            return Decision(appends, (), fence)

        await run_command(self.store, decide_now, f"the accounts of {serial}")
