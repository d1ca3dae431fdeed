"""Fixtures of the API tests: a started app on a temp data dir, and the calls every module needs.

`api` wraps Litestar's TestClient: `api.client` sends requests, `api.create(...)` makes tasks
and returns the envelope's data, `api.error(response, code, status, *words)` asserts a whole
error envelope, `api.start(task_id)` makes a task running (there is no scheduler yet), and
`api.connect(serial)` makes a phone online.

The apps run with `rest_status` (`--rest-status`), so that every test checks the HTTP status
each error code maps to as well; test_routing_and_envelope.py checks that the default answers
every kind of error with HTTP 200 and the same body.

Every test runs on SQLite and on PostgreSQL (the PostgreSQL runs in the slow tier): `backend`
gives the app started on a data directory its store (a schema of its own on PostgreSQL, the
same one again for an app started again on the same data directory).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from service.api.app import create_app
from service.domain.task import StartTask
from service.events import DeviceConnected, device_stream
from service.settings import Settings
from service.store.records import StreamAppend
from tests.support.stores import BACKENDS_PG_SLOW, DatabasesByFolder

# Every endpoint of docs/api.md under /api/v1 except /license/check (and /sim/*, only with --sim).
ENDPOINTS = (
    ("POST", "/api/v1/task"),
    ("GET", "/api/v1/task"),
    ("GET", "/api/v1/task/1"),
    ("DELETE", "/api/v1/task/1"),
    ("DELETE", "/api/v1/task/batch"),
    ("POST", "/api/v1/task/batch/stop"),
    ("POST", "/api/v1/task/batch/retry"),
    ("GET", "/api/v1/task/ids"),
    ("POST", "/api/v1/task/1/stop"),
    ("POST", "/api/v1/task/1/retry"),
    ("POST", "/api/v1/task/retry-all"),
    ("GET", "/api/v1/task/stats"),
    ("GET", "/api/v1/task/1/events"),
    ("GET", "/api/v1/task/1/artifacts/screen.png"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/events/stream"),
    ("GET", "/api/v1/device"),
    ("GET", "/api/v1/agent"),
    ("GET", "/api/v1/device/R58M/screenshot"),
    ("GET", "/api/v1/account"),
    ("POST", "/api/v1/account"),
    ("DELETE", "/api/v1/account/bob"),
    ("GET", "/api/v1/account/bob"),
    ("PUT", "/api/v1/account/bob/limits"),
    ("POST", "/api/v1/account/bob/clear-restriction"),
    ("GET", "/api/v1/limits"),
    ("PUT", "/api/v1/limits"),
    ("POST", "/api/v1/device/R58M/pause"),
    ("POST", "/api/v1/device/R58M/resume"),
    ("GET", "/api/v1/health"),
)


class Api:
    """One running app and the calls the tests make on it."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.runtime = client.app.state.runtime

    def create(self, body: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """POST /task; asserts success and returns `data`."""
        response = self.client.post("/api/v1/task", json={**(body or {}), **fields})
        assert response.status_code == 200, response.text
        envelope = response.json()
        assert (envelope["code"], envelope["message"]) == (0, "success"), envelope
        return envelope["data"]

    def create_one(self, serial: str = "A", script_name: str = "post", script_config: dict | None = None) -> int:
        """One task in device mode; its id."""
        data = self.create(serials=[serial], script_name=script_name, script_config=script_config or {})
        return data["task_ids"][0]

    def ok(self, response: httpx.Response) -> Any:
        """Assert a success envelope and return its data."""
        assert response.status_code == 200, response.text
        envelope = response.json()
        assert set(envelope) == {"code", "message", "data"}
        assert (envelope["code"], envelope["message"]) == (0, "success"), envelope
        return envelope["data"]

    def task(self, task_id: int) -> dict[str, Any]:
        """GET /task/{id}'s data."""
        return self.ok(self.client.get(f"/api/v1/task/{task_id}"))

    def log(self) -> list[dict[str, Any]]:
        """Every event of the global log."""
        return self.ok(self.client.get("/api/v1/events", params={"limit": 1000}))["events"]

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of a read-only query on the app's store (either backend)."""
        return self.client.blocking_portal.call(self.runtime.store.fetchall, sql, params)

    def start(self, task_id: int, seed: int = 1) -> None:
        """Append `started` for the task on its own serial, as a device would."""
        serial = self.task(task_id)["serial"]
        self.client.blocking_portal.call(self.runtime.tasks.execute, task_id, StartTask(serial=serial, seed=seed))

    def connect(self, serial: str, model: str = "Pixel 7") -> None:
        """A phone adb reports as ready."""
        store = self.runtime.store

        async def append() -> None:
            version = len(await store.read_stream(device_stream(serial)))
            await store.append(StreamAppend(device_stream(serial), version, [DeviceConnected(model=model)]))

        self.client.blocking_portal.call(append)

    @staticmethod
    def error(response: httpx.Response, code: int, status: int, *words: str) -> str:
        """Assert a whole error envelope (data null) and that its message holds `words`."""
        assert response.status_code == status, response.text
        envelope = response.json()
        assert envelope == {"code": code, "message": envelope["message"], "data": None}
        message = envelope["message"]
        assert isinstance(message, str) and message
        for word in words:
            assert word in message, f"{word!r} not in {message!r}"
        assert "Traceback" not in response.text
        return message


@pytest.fixture(params=BACKENDS_PG_SLOW)
def backend(request) -> DatabasesByFolder:
    """The store the test's apps run on."""
    return DatabasesByFolder(request.param, request)


def api_settings(backend: DatabasesByFolder, **settings: Any) -> Settings:
    """The settings of an API test's app: no phones, --sync normal, --rest-status, its backend."""
    settings.setdefault("sync", "normal")
    settings.setdefault("run_tasks", False)
    settings.setdefault("rest_status", True)
    settings.setdefault("db", backend.db_for(settings["data_dir"]))
    return Settings(**settings)


@pytest.fixture
def settings_for(backend) -> Callable[..., Settings]:
    """`settings_for(data_dir=..., **settings)`: an API test app's settings on the test's backend."""
    return lambda **settings: api_settings(backend, **settings)


@pytest.fixture
def make_api(tmp_path, backend) -> Callable[..., Api]:
    """`make_api(plan=..., clock=..., **settings)` starts an app on the test's data dir."""
    clients: list[TestClient] = []

    def make(*, clock=None, **settings: Any) -> Api:
        settings.setdefault("data_dir", tmp_path)
        client = TestClient(create_app(api_settings(backend, **settings), clock=clock))
        client.__enter__()
        clients.append(client)
        return Api(client)

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def serve_async(tmp_path, backend):
    """`async with serve_async(**settings) as (app, client):` the app in the test's event loop,
    driven through httpx's ASGITransport, so that requests sent together really interleave.

    (Litestar's AsyncTestClient runs each request to completion through a blocking portal:
    requests started together in a task group never overlap there.)
    """

    @asynccontextmanager
    async def serve(**settings: Any):
        settings.setdefault("data_dir", tmp_path)
        app = create_app(api_settings(backend, **settings))
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield app, client

    return serve


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory) -> Api:
    """One app for a whole module (on SQLite), for tests that only read or only fail."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("shared"), sync="normal", run_tasks=False, rest_status=True)
    with TestClient(create_app(settings)) as client:
        yield Api(client)


@pytest.fixture
def endpoints() -> tuple[tuple[str, str], ...]:
    """(method, path) of every /api/v1 endpoint but the license check."""
    return ENDPOINTS


@pytest.fixture
def api(make_api) -> Api:
    """An app with the default settings (Pro plan, loopback, no API key)."""
    return make_api()


@pytest.fixture
def client(api) -> TestClient:
    """The default app's test client."""
    return api.client
