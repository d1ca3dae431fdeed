"""The account aggregate: an account registered on a phone, moved, or forgotten."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from service.domain.errors import DomainError
from service.events import AccountEvent, AccountRegistered, AccountRemoved

TIKTOK_PACKAGE = "com.zhiliaoapp.musically"


class AccountNotFound(DomainError):
    """No such account in the registry."""


def account_key(username: str) -> str:
    """The compared form of a username: no leading `@`, case-insensitive."""
    name = username.strip()
    if name.startswith("@"):
        name = name[1:]
    return name.casefold()


@dataclass(frozen=True, slots=True)
class AccountState:
    """An account as the registry knows it."""

    key: str
    version: int = 0
    registered: bool = False
    username: str = ""
    serial: str = ""
    package: str = TIKTOK_PACKAGE


def evolve(state: AccountState, event: AccountEvent) -> AccountState:
    """The state after one event."""
    if isinstance(event, AccountRegistered):
        return replace(state, version=state.version + 1, registered=True, username=event.username,
                       serial=event.serial, package=event.package)
    if isinstance(event, AccountRemoved):
        return replace(state, version=state.version + 1, registered=False)
    return replace(state, version=state.version + 1)


def fold(key: str, events: Sequence[AccountEvent]) -> AccountState:
    """The state after a whole stream."""
    state = AccountState(key)
    for event in events:
        state = evolve(state, event)
    return state


def decide_register(state: AccountState, username: str, serial: str, package: str) -> list[AccountEvent]:
    """Register (or move) the account; nothing when it is already exactly so."""
    if (state.registered and state.serial == serial and state.package == package
            and state.username == username):
        return []
    return [AccountRegistered(username=username, serial=serial, package=package)]


def decide_remove(state: AccountState) -> list[AccountEvent]:
    """Forget the account."""
    if not state.registered:
        raise AccountNotFound(f"account {state.key} not found")
    return [AccountRemoved()]
