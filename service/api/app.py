"""create_app(): the Litestar application of a droidledger server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router

from service.api.cache import poll_cache_middleware
from service.api.envelope import exception_handlers
from service.api.guard import MAX_BODY, front_door, plan_guard
from service.api.methods import OptionsRefused
from service.api.openapi import openapi_config
from service.api.routes.audit import audit_routes
from service.api.routes.board import board_routes
from service.api.routes.operations import health_route, license_route, metrics_route
from service.api.routes.registry import registry_routes
from service.api.routes.safety import safety_routes
from service.api.routes.sim import sim_routes
from service.api.routes.tasks import task_routes
from service.clock import Clock, SystemClock
from service.composition import background
from service.domain.default_limits import FROM_FILE
from service.runtime import Runtime
from service.settings import Settings
from service.store import open_store


def create_app(settings: Settings, *, clock: Clock | None = None) -> Litestar:
    """The API over the store `settings.store` locates; the store opens with the app's lifespan."""
    clock = clock or SystemClock(settings.time_scale)
    store = open_store(settings.store, sync=settings.sync, now=clock.now)
    rt = Runtime(settings=settings, store=store, clock=clock)

    routes = [*task_routes(rt), *audit_routes(rt), *registry_routes(rt), *safety_routes(rt), health_route(rt)]
    if settings.sim and settings.run_tasks:
        routes += sim_routes(rt)
    guarded = Router("/api/v1", guards=[plan_guard(settings)], route_handlers=routes)
    open_routes = Router("/api/v1", route_handlers=[license_route(rt)])

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        async with store.running():
            try:
                if settings.default_limits is not None:
                    await rt.safety.set_default_limits(settings.default_limits, FROM_FILE)
                if not settings.run_tasks:
                    yield
                    return
                async with background(rt):
                    yield
            finally:
                rt.feed.close()  # uvicorn has done it already (serve's run_asgi), another server may not

    options_refused = OptionsRefused()
    app = Litestar(
        route_handlers=[guarded, open_routes, metrics_route(rt), *board_routes()],
        before_request=options_refused,
        exception_handlers=exception_handlers(settings.rest_status),
        lifespan=[lifespan],
        openapi_config=openapi_config(),
        request_max_body_size=MAX_BODY,
        logging_config=None,
    )
    options_refused.learn(app)
    app.state.runtime = rt
    # Outside routing: an API key is required on every path, unknown ones included; then
    # repeated polls are answered from the cache (only URLs a handler answered, so only with the API on).
    handler = poll_cache_middleware(rt.cache)(app.asgi_handler) if settings.plan.api_enabled else app.asgi_handler
    app.asgi_handler = front_door(settings, rt.response_codes)(handler)
    return app
