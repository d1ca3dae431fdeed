"""Phones, agents and accounts: GET /device, GET /device/{serial}/screenshot, GET /agent, GET/POST /account,
DELETE /account/{username}."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath

from service.api.envelope import ok, ok_body
from service.api.openapi import documented
from service.api.routes.safety import account_details
from service.api.schemas import (
    AccountBody,
    AccountList,
    AccountOut,
    AgentList,
    DeviceList,
    Envelope,
    agents_out,
    device_out,
)
from service.domain.account import AccountNotFound, account_key
from service.requests.accounts import parse_account
from service.requests.values import clean
from service.runtime import Runtime


class AccountQuery(msgspec.Struct, kw_only=True):
    """Filters of GET /account."""

    serial: str | None = None


def registry_routes(rt: Runtime) -> list:
    """/device and /account."""

    @get("/device", operation_class=documented())
    async def list_devices(request: Request) -> Envelope[DeviceList]:
        """Every phone the service has seen, with its state and what it runs."""

        async def compute() -> bytes:
            return ok_body(DeviceList(devices=[device_out(d) for d in await rt.store.views.devices()]))

        return await rt.cache.respond(request, compute)

    @get("/agent", operation_class=documented())
    async def list_agents() -> Envelope[AgentList]:
        """Every agent that ever started (its last incarnation), its state and the phones it owns."""
        return ok(agents_out(await rt.store.views.agents(), await rt.store.views.devices()))

    @get("/device/{serial:str}/screenshot", operation_class=documented(files=("application/octet-stream", "image/png")))
    async def device_screenshot(serial: FromPath[str]) -> Response[bytes]:
        """The phone's screen now (at most 2 s old), as a PNG; only for a phone this server's agent drives."""
        png = await rt.screens.png(clean("serial", serial))
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    @get("/account", operation_class=documented(query=AccountQuery))
    async def list_accounts(request: Request) -> Envelope[AccountList]:
        """The account registry, optionally for one phone, with each account's limits, today's counts and rest."""
        serial = request.query_params.get("serial", "").strip() or None  # empty means any, as for /task
        if serial is not None:
            serial = clean("serial", serial)  # NUL, unpaired surrogates: 40001, as for /task
        return ok(AccountList(accounts=await account_details(rt, await rt.store.views.accounts(serial))))

    @post("/account", status_code=200, operation_class=documented(body=AccountBody))
    async def register_account(request: Request) -> Envelope[AccountOut]:
        """Register an account on a phone; posting a known username again moves it."""
        body = parse_account(await request.body())
        state = await rt.accounts.register(body.username, body.serial, body.package)
        return ok(AccountOut(username=state.username, serial=state.serial, package=state.package))

    @delete("/account/{username:str}", status_code=200, operation_class=documented())
    async def forget_account(username: FromPath[str]) -> Envelope[AccountOut]:
        """Forget an account."""
        row = await rt.store.views.account(account_key(clean("username", username)))
        if row is None:
            raise AccountNotFound(f"account {username!r} not found")
        await rt.accounts.remove(username)
        return ok(AccountOut(username=row.username, serial=row.serial, package=row.package))

    return [list_devices, list_agents, device_screenshot, list_accounts, register_account, forget_account]
