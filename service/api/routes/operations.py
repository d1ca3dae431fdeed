"""License check, health and Prometheus metrics."""

from __future__ import annotations

import anyio
from litestar import Request, Response, get

from service.api.envelope import JSON, error_body, error_status, note_code, ok
from service.api.metrics import render_metrics
from service.api.openapi import documented
from service.api.schemas import Envelope, HealthOut, LicenseOut
from service.errors import Code
from service.runtime import Runtime
from service.store.records import StoreError


def license_route(rt: Runtime):
    """GET /license/check: answered on every plan (with 40301 on Starter)."""
    plan = rt.settings.plan

    @get("/license/check", operation_class=documented())
    async def check_license(request: Request) -> Envelope[LicenseOut]:
        """The plan, whether the API is enabled, and how many devices may run at once."""
        data = LicenseOut(
            plan_name=plan.name,
            api_enabled=plan.api_enabled,
            device_limit=rt.settings.device_limit,
            message="API access enabled" if plan.api_enabled else "API access requires the Pro plan or higher",
        )
        if plan.api_enabled:
            return ok(data)
        note_code(request.scope, Code.PLAN_HAS_NO_API)
        return Response(
            content=error_body(Code.PLAN_HAS_NO_API, data.message, data),
            media_type=JSON,
            status_code=error_status(Code.PLAN_HAS_NO_API, rt.settings.rest_status),
        )

    return check_license


def health_route(rt: Runtime):
    """GET /health."""

    @get("/health", operation_class=documented())
    async def get_health(request: Request) -> Envelope[HealthOut]:
        """200 while the service can work: the database takes writes and the scheduler runs."""
        problems = []
        try:
            with anyio.fail_after(5):
                await rt.store.check_writable()
            database = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not writable"
            database = f"not writable: {exc.__class__.__name__}"
            problems.append("the database does not take writes")
        scheduler = (
            "none"
            if rt.scheduler is None
            else "stopped"
            if not rt.scheduler.alive
            else "running"
            if rt.scheduler.leading
            else "standby"
        )
        if scheduler == "stopped":
            problems.append("the scheduler is not running")
        try:
            online = len(await rt.store.views.online_serials())
        except StoreError:
            online = 0
            problems.append("the database cannot be read")
        data = HealthOut(database=database, backend=rt.store.backend, scheduler=scheduler, phones_online=online)
        if not problems:
            return ok(data)
        note_code(request.scope, Code.INTERNAL_ERROR)
        return Response(
            content=error_body(Code.INTERNAL_ERROR, "; ".join(problems), data),
            media_type=JSON,
            status_code=error_status(Code.INTERNAL_ERROR, rt.settings.rest_status),
        )

    return get_health


def metrics_route(rt: Runtime):
    """GET /metrics, outside /api/v1."""

    @get("/metrics", media_type="text/plain; version=0.0.4")
    async def get_metrics() -> Response:
        """Prometheus text format."""
        text = await render_metrics(rt)
        # Litestar appends "; charset=utf-8" to text/* media types itself.
        return Response(content=text.encode(), media_type="text/plain; version=0.0.4")

    return get_metrics
