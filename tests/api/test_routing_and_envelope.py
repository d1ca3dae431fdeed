"""Unknown routes, wrong methods, the error mode (HTTP 200 by default, --rest-status), and internal
errors: always the envelope."""

from __future__ import annotations

import anyio
import pytest

from projections.queries import ViewQueries
from service.settings import plan_named


@pytest.mark.parametrize(
    "path",
    ["/api", "/api/v1", "/api/v1/tasks", "/api/v2/task", "/api/v1/task/1/start", "/api/v1/account/a/b", "/metrics/x"],
)
def test_an_unknown_route_is_40401_naming_the_path(shared_api, path):
    for method in ("GET", "POST", "DELETE"):
        shared_api.error(shared_api.client.request(method, path), 40401, 404, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/api/v1/task"),
        ("DELETE", "/api/v1/task"),
        ("PATCH", "/api/v1/task/1"),
        ("POST", "/api/v1/task/1"),
        ("GET", "/api/v1/task/1/stop"),
        ("GET", "/api/v1/task/retry-all"),
        ("POST", "/api/v1/task/stats"),
        ("PUT", "/api/v1/account"),
        ("PATCH", "/api/v1/account/bob"),
        ("GET", "/api/v1/account/bob/limits"),
        ("POST", "/api/v1/license/check"),
        ("POST", "/api/v1/events"),
        ("POST", "/metrics"),
    ],
)
def test_a_wrong_method_on_a_known_route_is_40501(shared_api, method, path):
    response = shared_api.client.request(method, path)
    shared_api.error(response, 40501, 405, method, path)
    assert "allow" in response.headers


def test_by_default_every_error_answers_http_200_with_the_body_rest_status_gives(make_api, tmp_path):
    normal = make_api(data_dir=tmp_path / "normal", rest_status=True)
    lenient = make_api(data_dir=tmp_path / "lenient", rest_status=False)
    normal.create_one()
    lenient.create_one()
    for api in (normal, lenient):
        api.ok(api.client.post("/api/v1/task/1/stop"))
    calls = [
        ("POST", "/api/v1/task", {"content": b"{"}),
        ("POST", "/api/v1/task", {"json": {"serials": ["A"], "script_config": {}}}),
        ("POST", "/api/v1/task", {"json": {"serials": ["A"], "script_name": "like", "script_config": {}}}),
        ("POST", "/api/v1/task", {"content": b"{" + b" " * (1 << 20) + b"}"}),
        ("GET", "/api/v1/task/99", {}),
        ("GET", "/nope", {}),
        ("PATCH", "/api/v1/task", {}),
        ("POST", "/api/v1/task/1/stop", {}),
        ("GET", "/api/v1/task", {"params": {"page_size": 0}}),
    ]
    for method, path, kwargs in calls:
        strict = normal.client.request(method, path, **kwargs)
        relaxed = lenient.client.request(method, path, **kwargs)
        assert strict.status_code == strict.json()["code"] // 100
        assert (relaxed.status_code, relaxed.json()) == (200, strict.json())
    assert lenient.ok(lenient.client.get("/api/v1/task/1"))["id"] == 1


def test_starter_answers_40301_with_http_200_by_default(make_api):
    api = make_api(plan=plan_named("starter"), rest_status=False)
    for path in ("/api/v1/license/check", "/api/v1/task"):
        response = api.client.get(path)
        assert (response.status_code, response.json()["code"]) == (200, 40301)


@pytest.fixture
def broken_stats(monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom: secret internals at /srv/droidledger/projections/queries.py line 42")

    monkeypatch.setattr(ViewQueries, "task_counts", explode)


def test_an_internal_error_is_50001_without_a_stack_trace(api, broken_stats, caplog):
    response = api.client.get("/api/v1/task/stats")
    assert (response.status_code, response.json()) == (500, {"code": 50001, "message": "internal error", "data": None})
    assert "Traceback" not in response.text and "boom" not in response.text
    assert "boom" in caplog.text  # the cause goes to the log


def test_an_internal_error_answers_http_200_by_default(make_api, broken_stats):
    api = make_api(rest_status=False)
    response = api.client.get("/metrics")
    assert (response.status_code, response.json()) == (200, {"code": 50001, "message": "internal error", "data": None})


def test_a_closed_store_is_50001_on_reads_and_writes(api):
    api.create_one()
    store = api.runtime.store
    api.client.blocking_portal.call(store.reads.close)
    for method, path, body in [
        ("GET", "/api/v1/task", None),
        ("GET", "/api/v1/task/1/events", None),
        ("GET", "/api/v1/events", None),
        ("GET", "/api/v1/account", None),
        ("POST", "/api/v1/task", {"serials": ["A"], "script_name": "post", "script_config": {}}),
    ]:
        response = api.client.request(method, path, json=body)
        api.error(response, 50001, 500, "internal error")


def _refuse_writes(api, refuse: bool) -> None:
    """Turn the writer connection read-only (as a full disk, a read-only mount or a standby would)."""
    store = api.runtime.store
    if store.backend == "postgresql":
        statement = f"SET default_transaction_read_only = {'on' if refuse else 'off'}"
    else:
        statement = f"PRAGMA query_only = {'ON' if refuse else 'OFF'}"

    async def run() -> None:
        await store.writer.run_on_writer(lambda conn: conn.sql.execute(statement))

    api.client.blocking_portal.call(run)


@pytest.fixture
def read_only(api):
    _refuse_writes(api, True)
    yield api
    _refuse_writes(api, False)


def test_a_database_that_refuses_writes_is_50001_and_nothing_changes(read_only):
    api = read_only
    _refuse_writes(api, False)
    task_id = api.create_one()
    before = api.log()
    _refuse_writes(api, True)
    for method, path, body in [
        ("POST", f"/api/v1/task/{task_id}/stop", None),
        ("DELETE", f"/api/v1/task/{task_id}", None),
        ("POST", "/api/v1/account", {"username": "bob", "serial": "A"}),
        ("POST", "/api/v1/task", {"serials": ["A"], "script_name": "post", "script_config": {}}),
    ]:
        api.error(api.client.request(method, path, json=body), 50001, 500, "database")
    _refuse_writes(api, False)
    assert api.log() == before
    api.ok(api.client.post(f"/api/v1/task/{task_id}/stop"))  # the writer is still usable afterwards


def test_health_is_500_while_the_database_takes_no_writes(read_only):
    response = read_only.client.get("/api/v1/health")
    assert response.status_code == 500
    body = response.json()
    assert (body["code"], body["message"]) == (50001, "the database does not take writes")
    assert body["data"]["database"].startswith("not writable")


async def test_a_closed_writer_connection_is_50001_not_a_hang(serve_async):
    async with serve_async() as (app, client):
        await client.post("/api/v1/task", json={"serials": ["A"], "script_name": "post", "script_config": {}})
        store = app.state.runtime.store
        await store.writer.run_on_writer(lambda conn: conn.close())
        with anyio.fail_after(3):
            response = await client.post("/api/v1/task/1/stop")
        assert (response.status_code, response.json()["code"]) == (500, 50001)
