"""With an API key (a server listening beyond loopback), every path needs it: 40101 otherwise."""

from __future__ import annotations

import pytest

from service.settings import plan_named

KEY = "s3cret-key"
REFUSED = {
    "code": 40101,
    "message": "missing or wrong API key: send Authorization: Bearer <key> or X-API-Key: <key>",
    "data": None,
}


@pytest.fixture
def keyed(make_api):
    return make_api(api_key=KEY, hosts=("0.0.0.0",))


EVERY_PATH = [
    ("GET", "/api/v1/license/check"),
    ("GET", "/metrics"),
    ("GET", "/schema"),
    ("GET", "/schema/openapi.json"),
    ("GET", "/nope"),
    ("PATCH", "/api/v1/task"),
    ("GET", "/assets"),
]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"X-API-Key": "wrong"},
        {"Authorization": KEY},
        {"Authorization": f"Basic {KEY}"},
        {"X-API-Key": KEY + " "},
        {"X-API-Key": KEY.upper()},
        {"Authorization": "Bearer "},
        {"X-API-Key": ""},
    ],
)
def test_a_missing_or_wrong_key_is_40101_on_every_path(keyed, endpoints, headers):
    for method, path in [*endpoints, *EVERY_PATH]:
        response = keyed.client.request(method, path, headers=headers, json={})
        assert (response.status_code, response.json()) == (401, REFUSED), (method, path)
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {KEY}"}, {"authorization": f"bearer {KEY}"}, {"X-API-Key": KEY}, {"x-api-key": KEY}],
)
def test_bearer_and_x_api_key_are_both_accepted(keyed, headers):
    assert keyed.ok(keyed.client.get("/api/v1/license/check", headers=headers))["api_enabled"] is True
    created = keyed.client.post(
        "/api/v1/task", headers=headers, json={"serials": ["A"], "script_name": "post", "script_config": {}}
    )
    assert keyed.ok(created)["created_count"] == 1
    assert keyed.client.get("/schema", headers=headers).status_code == 200
    assert keyed.client.get("/metrics", headers=headers).status_code == 200
    keyed.error(keyed.client.get("/nope", headers=headers), 40401, 404, "/nope")


def test_a_refused_request_writes_nothing(keyed):
    keyed.client.post("/api/v1/task", json={"serials": ["A"], "script_name": "post", "script_config": {}})
    assert keyed.runtime.store.position == 0


def test_the_key_comes_before_the_plan_the_size_and_the_body(make_api):
    api = make_api(api_key=KEY, hosts=("0.0.0.0",), plan=plan_named("starter"))
    for response in (
        api.client.get("/api/v1/license/check"),
        api.client.post("/api/v1/task", content=b"{" + b" " * (2 << 20) + b"}"),
        api.client.post("/api/v1/task", content=b"not json"),
    ):
        assert (response.status_code, response.json()) == (401, REFUSED)
    starter = api.client.get("/api/v1/task", headers={"X-API-Key": KEY})
    api.error(starter, 40301, 403, "Pro plan")


def test_by_default_40101_answers_http_200_too(make_api):
    api = make_api(api_key=KEY, hosts=("0.0.0.0",), rest_status=False)
    response = api.client.get("/api/v1/task")
    assert (response.status_code, response.json()) == (200, REFUSED)


def test_without_a_key_setting_no_key_is_needed(api):
    assert api.ok(api.client.get("/api/v1/task/stats", headers={"X-API-Key": "anything"}))["total"] == 0
