"""Account safety: the default limits, an account's limits, counts and rest, lifting a rest, and
pausing and resuming a phone's queue."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Request, get, post, put
from litestar.params import FromPath

from projections.account_view import AccountRow
from service.api.envelope import ok
from service.api.openapi import documented
from service.api.schemas import (
    AccountDetail,
    DefaultLimitsOut,
    DeviceOut,
    Envelope,
    LimitsBody,
    LimitsOut,
    RestrictionOut,
    device_out,
)
from service.domain.account import AccountNotFound, account_key
from service.domain.default_limits import FROM_API
from service.domain.device import DeviceNotFound
from service.domain.limits import ACTIONS, Limits, limits_fields
from service.requests.limits import parse_limits_body
from service.requests.values import clean
from service.runtime import Runtime
from service.standings import read_standings


async def account_details(rt: Runtime, rows: Sequence[AccountRow]) -> list[AccountDetail]:
    """Accounts of the registry with their limits, today's counts and rest."""
    now = rt.clock.now()
    standings = await read_standings(rt.store, [(row.key, row.username) for row in rows], now, rt.tz)
    details = []
    for row in rows:
        standing = standings[row.key]
        limits = standing.limits
        rest = standing.restriction
        details.append(
            AccountDetail(
                username=row.username,
                serial=row.serial,
                package=row.package,
                limits=LimitsOut(
                    daily={a: limits.daily[a] for a in ACTIONS if a in limits.daily},
                    working_hours=[str(w) for w in limits.working_hours],
                    timezone=limits.zone_name,
                    cooldown_hours=list(limits.cooldown_hours),
                ),
                today={a: standing.today[a] for a in ACTIONS if standing.today.get(a)},
                restricted=RestrictionOut(reason=rest.reason, until=rest.until.isoformat(timespec="seconds"))
                if rest
                else None,
            )
        )
    return details


def safety_routes(rt: Runtime) -> list:
    """/limits, /account/{username}[/limits|/clear-restriction], /device/{serial}/pause|resume."""

    async def account_row(username: str) -> AccountRow:
        row = await rt.store.views.account(account_key(clean("username", username)))
        if row is None:
            raise AccountNotFound(f"account {username!r} not found")
        return row

    async def detail(username: str) -> AccountDetail:
        return (await account_details(rt, [await account_row(username)]))[0]

    async def defaults_out() -> DefaultLimitsOut:
        return DefaultLimitsOut(**limits_fields(await rt.store.views.default_limits() or Limits()))

    @get("/limits", operation_class=documented())
    async def get_default_limits() -> Envelope[DefaultLimitsOut]:
        """The limits of every account that sets none of its own."""
        return ok(await defaults_out())

    @put("/limits", status_code=200, operation_class=documented(body=LimitsBody))
    async def set_default_limits(request: Request) -> Envelope[DefaultLimitsOut]:
        """Replace the default limits."""
        limits = parse_limits_body(await request.body())
        await rt.safety.set_default_limits(limits, FROM_API)
        return ok(await defaults_out())

    @get("/account/{username:str}", operation_class=documented())
    async def get_account(username: FromPath[str]) -> Envelope[AccountDetail]:
        """An account: its limits, what it did today in its time zone, its rest after a warning."""
        return ok(await detail(username))

    @put("/account/{username:str}/limits", status_code=200, operation_class=documented(body=LimitsBody))
    async def set_account_limits(request: Request, username: FromPath[str]) -> Envelope[AccountDetail]:
        """Replace an account's own limits (a key left out falls back on the defaults)."""
        row = await account_row(username)
        limits = parse_limits_body(await request.body())
        await rt.safety.set_account_limits(row.key, limits)
        return ok(await detail(username))

    @post("/account/{username:str}/clear-restriction", status_code=200, operation_class=documented())
    async def clear_restriction(username: FromPath[str]) -> Envelope[AccountDetail]:
        """Lift the account's rest now: its tasks run again."""
        row = await account_row(username)
        await rt.safety.clear_restriction(row.key, rt.clock.now())
        return ok(await detail(username))

    async def on_phone(serial: str, command) -> DeviceOut:
        serial = clean("serial", serial)
        if await rt.store.views.device(serial) is None:
            raise DeviceNotFound(f"phone {serial!r} not found")
        await command(serial)
        return device_out(await rt.store.views.device(serial))

    @post("/device/{serial:str}/pause", status_code=200, operation_class=documented())
    async def pause_device(serial: FromPath[str]) -> Envelope[DeviceOut]:
        """The phone finishes its current task and starts no other until resumed."""
        return ok(await on_phone(serial, rt.devices.pause))

    @post("/device/{serial:str}/resume", status_code=200, operation_class=documented())
    async def resume_device(serial: FromPath[str]) -> Envelope[DeviceOut]:
        """The paused phone takes tasks again."""
        return ok(await on_phone(serial, rt.devices.resume))

    return [
        get_default_limits,
        set_default_limits,
        get_account,
        set_account_limits,
        clear_restriction,
        pause_device,
        resume_device,
    ]
