"""GET /device, GET /health, GET /metrics and the OpenAPI schema and docs."""

from __future__ import annotations

import re

from service.domain.task import CompleteTask, FailTask
from service.handlers.agents import AgentHandlers


def test_no_device_seen_is_an_empty_list(api):
    assert api.ok(api.client.get("/api/v1/device")) == {"devices": []}


def test_devices_show_state_and_what_they_run(api):
    api.connect("B", model="Pixel 8")
    api.connect("A", model="Galaxy S23")
    done, failed, running = api.create(serials=["A", "A", "A"], script_name="post", script_config={})["task_ids"]
    api.start(done)
    api.client.blocking_portal.call(api.runtime.tasks.execute, done, CompleteTask(steps=2, duration_ms=10))
    api.start(failed)
    api.client.blocking_portal.call(api.runtime.tasks.execute, failed, FailTask(reason="x"))
    api.start(running)
    devices = api.ok(api.client.get("/api/v1/device"))["devices"]
    assert [
        {k: d[k] for k in ("serial", "model", "online", "busy", "current_task_id", "tasks_completed", "tasks_failed")}
        for d in devices
    ] == [
        {
            "serial": "A",
            "model": "Galaxy S23",
            "online": True,
            "busy": True,
            "current_task_id": running,
            "tasks_completed": 1,
            "tasks_failed": 1,
        },
        {
            "serial": "B",
            "model": "Pixel 8",
            "online": True,
            "busy": False,
            "current_task_id": None,
            "tasks_completed": 0,
            "tasks_failed": 0,
        },
    ]


def test_health_reports_the_database_and_online_phones(api):
    assert api.ok(api.client.get("/api/v1/health")) == {
        "database": "ok",
        "backend": api.runtime.store.backend,
        "scheduler": "none",
        "phones_online": 0,
    }
    api.connect("A")
    api.connect("B")
    assert api.ok(api.client.get("/api/v1/health"))["phones_online"] == 2


def _samples(text):
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def test_metrics_are_prometheus_text_outside_the_api(api):
    ids = api.create(serials=["A", "B", "C"], script_name="post", script_config={})["task_ids"]
    api.ok(api.client.post(f"/api/v1/task/{ids[0]}/stop"))
    api.start(ids[1])
    response = api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.text
    assert "# TYPE droidledger_tasks gauge" in text
    assert "# TYPE droidledger_events_appended_total counter" in text
    for line in text.splitlines():
        assert re.fullmatch(r"# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[0-9.e+]+", line), line
    samples = _samples(text)
    assert {k: samples[k] for k in samples if k.startswith("droidledger_tasks{")} == {
        'droidledger_tasks{status="pending"}': 1,
        'droidledger_tasks{status="running"}': 1,
        'droidledger_tasks{status="completed"}': 0,
        'droidledger_tasks{status="failed"}': 1,
    }
    assert samples["droidledger_log_position"] == api.runtime.store.position
    assert samples["droidledger_events_appended_total"] == 6  # 3 created, stop-requested, failed, started


def test_the_openapi_schema_lists_every_endpoint(api, endpoints):
    response = api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    listed = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    wanted = {
        (
            method,
            re.sub(
                r"/(1|bob|screen\.png|R58M)(?=/|$)",
                lambda m: {"/1": "/{task_id}", "/bob": "/{username}", "/screen.png": "/{name}", "/R58M": "/{serial}"}[
                    m.group(0)
                ],
                path,
            ),
        )
        for method, path in endpoints
    }
    wanted |= {("GET", "/api/v1/license/check"), ("GET", "/metrics")}
    assert listed == wanted


def test_the_schema_documents_the_create_body_and_the_error_envelope(api):
    schema = api.client.get("/schema/openapi.json").json()
    create = schema["paths"]["/api/v1/task"]["post"]
    assert "requestBody" in create
    assert "default" in create["responses"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    error = create["responses"]["default"]["content"]["application/json"]["schema"]
    assert (body, error) == (
        {"$ref": "#/components/schemas/CreateTaskBody"},
        {"$ref": "#/components/schemas/ErrorEnvelope"},
    )
    components = schema["components"]["schemas"]
    assert {"serials", "usernames", "script_name", "script_config"} <= set(components["CreateTaskBody"]["properties"])
    assert set(components["ErrorEnvelope"]["properties"]) == {"code", "message", "data"}
    ok = create["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/CreatedTasksEnvelope"}


def test_the_docs_page_is_html(api):
    response = api.client.get("/schema")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()


def _refs(node):
    if isinstance(node, dict):
        yield from ([node["$ref"]] if isinstance(node.get("$ref"), str) else [])
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_in_the_schema_resolves(api):
    schema = api.client.get("/schema/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})
    dangling = {ref for ref in _refs(schema) if ref.removeprefix("#/components/schemas/") not in components}
    assert dangling == set()


def test_the_schema_documents_the_query_parameters(api):
    schema = api.client.get("/schema/openapi.json").json()
    listed = {p["name"] for p in schema["paths"]["/api/v1/task"]["get"]["parameters"]}
    assert listed >= {"status", "serial", "script_name", "source", "page", "page_size"}
    assert {p["name"] for p in schema["paths"]["/api/v1/events"]["get"]["parameters"]} == {
        "after",
        "limit",
        "task_id",
        "serial",
        "types",
        "wait",
    }
    assert {p["name"] for p in schema["paths"]["/api/v1/events/stream"]["get"]["parameters"]} == {
        "after",
        "task_id",
        "serial",
        "types",
    }


def test_agents_show_their_state_and_the_phones_they_own(api):
    assert api.ok(api.client.get("/api/v1/agent")) == {"agents": []}
    call = api.client.blocking_portal.call
    agents, devices = AgentHandlers(api.runtime.store), api.runtime.devices
    call(agents.start, "pc-1", "i1", "host-1", 41, 20.0, "0/2")
    call(agents.start, "pc-2", "i2", "host-2", 42, 20.0)
    call(devices.claim, "A", "pc-1", "i1", "device", "Pixel 7")
    call(devices.claim, "B", "pc-1", "i1", "device", "Pixel 8")
    call(devices.claim, "C", "pc-2", "i2", "device", "Pixel 8")
    call(agents.stop, "pc-2", "i2")
    shown = api.ok(api.client.get("/api/v1/agent"))["agents"]
    assert [{k: a[k] for k in ("name", "incarnation", "host", "pid", "shard", "state", "phones")} for a in shown] == [
        {
            "name": "pc-1",
            "incarnation": "i1",
            "host": "host-1",
            "pid": 41,
            "shard": "0/2",
            "state": "alive",
            "phones": 2,
        },
        {
            "name": "pc-2",
            "incarnation": "i2",
            "host": "host-2",
            "pid": 42,
            "shard": "",
            "state": "stopped",
            "phones": 0,
        },
    ]
    assert {d["serial"]: d["agent"] for d in api.ok(api.client.get("/api/v1/device"))["devices"]} == {
        "A": "pc-1",
        "B": "pc-1",
        "C": None,
    }
