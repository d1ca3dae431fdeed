"""OPTIONS, like every method the Local API does not list, is 40501 in the envelope; `Allow`
names exactly the route's methods (Litestar's own answer was a bodiless 204 whose Allow could
miss methods, and its 405s listed OPTIONS)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/v1/task", "GET, POST"),
        ("/api/v1/task/1", "DELETE, GET"),
        ("/api/v1/task/1/stop", "POST"),
        ("/api/v1/task/batch", "DELETE"),
        ("/api/v1/account", "GET, POST"),
        ("/api/v1/account/bob", "DELETE, GET"),
        ("/api/v1/license/check", "GET"),
        ("/metrics", "GET"),
        ("/schema/openapi.json", "GET"),
    ],
)
def test_options_is_40501_with_the_routes_methods(shared_api, path, allow):
    response = shared_api.client.options(path)
    shared_api.error(response, 40501, 405, "OPTIONS", path)
    assert response.headers["allow"] == allow


@pytest.mark.parametrize("method", ["PUT", "PATCH", "TRACE"])
def test_a_405_allow_header_lists_the_routes_methods_only(shared_api, method):
    response = shared_api.client.request(method, "/api/v1/task")
    shared_api.error(response, 40501, 405, method)
    assert response.headers["allow"] == "GET, POST"


def test_options_on_an_unknown_route_is_40401(shared_api):
    shared_api.error(shared_api.client.options("/api/v1/nope"), 40401, 404, "/api/v1/nope")
