"""OPTIONS is no method of the Local API: like any other unlisted method it is 40501 in the
envelope, with `Allow` naming the route's real methods.

Litestar answers OPTIONS itself (204, no body) and, for a path served by several handlers,
with an `Allow` built before the handlers were merged (`OPTIONS, POST` on /task, which also
takes GET). Its 405s list OPTIONS among the allowed methods; `allowed_methods` drops it.
"""

from __future__ import annotations

from litestar import Litestar, Request
from litestar.exceptions import MethodNotAllowedException
from litestar.routes import HTTPRoute


def allowed_methods(allow: str) -> str:
    """An Allow header without OPTIONS, sorted."""
    return ", ".join(sorted(m for m in (part.strip() for part in allow.split(",")) if m and m != "OPTIONS"))


class OptionsRefused:
    """The app's `before_request` hook; `learn(app)` once the app is built and its routes merged."""

    def __init__(self) -> None:
        self._allow: dict[int, str] = {}  # id of a generated OPTIONS handler -> its route's methods

    def learn(self, app: Litestar) -> None:
        """Note each route's real methods, keyed by its generated OPTIONS handler."""
        for route in app.routes:
            if isinstance(route, HTTPRoute):
                methods = ", ".join(sorted(m for m in route.methods if m != "OPTIONS"))
                for handler in route.route_handlers:
                    if set(handler.http_methods) == {"OPTIONS"}:
                        self._allow[id(handler)] = methods

    async def __call__(self, request: Request) -> None:
        if request.method == "OPTIONS":
            methods = self._allow.get(id(request.scope["route_handler"]), "")
            raise MethodNotAllowedException(headers={"Allow": methods})
