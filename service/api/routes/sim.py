"""With `serve --sim`: the virtual phones' state and their fault switches."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post

from service.api.envelope import ok
from service.api.openapi import documented
from service.api.schemas import Envelope
from service.errors import invalid
from service.runtime import Runtime


def sim_routes(rt: Runtime) -> list:
    """/sim/state and /sim/faults, over the farm running in this process."""

    @get("/sim/state", operation_class=documented())
    async def get_sim_state() -> Envelope[dict[str, Any]]:
        """Per phone and account: screen, follows, posts, comments, likes, favourites, faults."""
        return ok(rt.farm.state())

    @post("/sim/faults", status_code=200, operation_class=documented(body=dict[str, Any]))
    async def set_sim_faults(request: Request) -> Envelope[dict[str, Any]]:
        """Switch faults on or off (the spec language of the farm, as JSON or {"spec": "..."})."""
        from devices.sim.faults import FaultSpecError

        try:
            body = msgspec.json.decode(await request.body() or b"{}")
        except msgspec.DecodeError as exc:
            raise invalid(f"the body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise invalid("the body must be a JSON object of fault switches")
        try:
            return ok(rt.farm.set_faults(body))
        except FaultSpecError as exc:
            raise invalid(f"faults: {exc}") from None

    return [get_sim_state, set_sim_faults]
