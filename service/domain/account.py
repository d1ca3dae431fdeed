"""The account aggregate: an account registered on a phone, moved, or forgotten; its own limits;
the rests the platform's warnings earn it (each repeat within 7 days rests it longer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from service.domain.admission import Restriction
from service.domain.apps import PACKAGES, TIKTOK
from service.domain.errors import DomainError
from service.domain.limits import Limits, limits_fields, limits_from
from service.events import (
    AccountEvent,
    AccountLimitsSet,
    AccountRegistered,
    AccountRemoved,
    AccountRestricted,
    RestrictionCleared,
)

STRIKE_WINDOW = timedelta(days=7)

TIKTOK_PACKAGE = PACKAGES[TIKTOK]


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
    limits: Limits | None = None  # its own; None: the defaults'
    restriction: Restriction | None = None  # the last one, unless cleared (it may have ended)
    warned_at: tuple[datetime, ...] = ()  # every warning met, cleared ones included


def evolve(state: AccountState, event: AccountEvent) -> AccountState:
    """The state after one event."""
    version = state.version + 1
    match event:
        case AccountRegistered():
            return replace(
                state,
                version=version,
                registered=True,
                username=event.username,
                serial=event.serial,
                package=event.package,
            )
        case AccountRemoved():
            return replace(state, version=version, registered=False)
        case AccountLimitsSet():
            limits = limits_from(event.daily, event.working_hours, event.timezone, event.cooldown_hours)
            return replace(state, version=version, limits=limits)
        case AccountRestricted():
            return replace(
                state,
                version=version,
                restriction=Restriction(event.reason, datetime.fromisoformat(event.until)),
                warned_at=(*state.warned_at, datetime.fromisoformat(event.at)),
            )
        case RestrictionCleared():
            return replace(state, version=version, restriction=None)
    return replace(state, version=version)


def fold(key: str, events: Sequence[AccountEvent]) -> AccountState:
    """The state after a whole stream."""
    state = AccountState(key)
    for event in events:
        state = evolve(state, event)
    return state


def decide_register(state: AccountState, username: str, serial: str, package: str) -> list[AccountEvent]:
    """Register (or move) the account; nothing when it is already exactly so."""
    if state.registered and state.serial == serial and state.package == package and state.username == username:
        return []
    return [AccountRegistered(username=username, serial=serial, package=package)]


def decide_remove(state: AccountState) -> list[AccountEvent]:
    """Forget the account."""
    if not state.registered:
        raise AccountNotFound(f"account {state.key} not found")
    return [AccountRemoved()]


def decide_set_limits(state: AccountState, limits: Limits) -> list[AccountEvent]:
    """Replace the account's own limits; nothing when they are already exactly so."""
    if not state.registered:
        raise AccountNotFound(f"account {state.key} not found")
    if (state.limits or Limits()) == limits:
        return []
    return [AccountLimitsSet(**limits_fields(limits))]


def decide_restrict(
    state: AccountState, reason: str, now: datetime, cooldown_hours: Sequence[float], task_id: int | None = None
) -> list[AccountEvent]:
    """The platform warned the account: it rests for the cooldown of its strike (the n-th warning
    within 7 days takes the n-th cooldown, the last one beyond), and never less than it already does."""
    strike = 1 + sum(1 for at in state.warned_at if now - at < STRIKE_WINDOW)
    until = now + timedelta(hours=cooldown_hours[min(strike, len(cooldown_hours)) - 1])
    if state.restriction is not None and state.restriction.until > until:
        until = state.restriction.until
    return [
        AccountRestricted(
            reason=reason,
            at=now.isoformat(timespec="seconds"),
            until=until.isoformat(timespec="seconds"),
            strike=strike,
            task_id=task_id,
        )
    ]


def decide_clear(state: AccountState, now: datetime) -> list[AccountEvent]:
    """Lift the account's restriction; nothing when it rests no more."""
    if not state.registered:
        raise AccountNotFound(f"account {state.key} not found")
    if state.restriction is None or state.restriction.until <= now:
        return []
    return [RestrictionCleared()]
