"""GET /license/check on every plan, and the Starter plan, which has no API."""

from __future__ import annotations

import pytest

from service.settings import plan_named


@pytest.mark.parametrize(
    ("plan", "name", "limit"), [("pro", "Pro", 20), ("team", "Team", 50), ("business", "Business", 100)]
)
def test_license_check_names_the_plan_and_its_device_limit(make_api, plan, name, limit):
    api = make_api(plan=plan_named(plan))
    response = api.client.get("/api/v1/license/check")
    assert response.status_code == 200
    assert response.json() == {
        "code": 0,
        "message": "success",
        "data": {"plan_name": name, "api_enabled": True, "device_limit": limit, "message": "API access enabled"},
    }


def test_the_default_plan_is_pro(api):
    assert api.ok(api.client.get("/api/v1/license/check"))["plan_name"] == "Pro"


def test_device_limit_setting_overrides_the_plan(make_api):
    api = make_api(plan=plan_named("team"), device_limit_override=3)
    assert api.ok(api.client.get("/api/v1/license/check"))["device_limit"] == 3


def test_starter_license_check_answers_40301_with_the_same_data(make_api):
    api = make_api(plan=plan_named("starter"))
    response = api.client.get("/api/v1/license/check")
    assert response.status_code == 403
    assert response.json() == {
        "code": 40301,
        "message": "API access requires the Pro plan or higher",
        "data": {
            "plan_name": "Starter",
            "api_enabled": False,
            "device_limit": 5,
            "message": "API access requires the Pro plan or higher",
        },
    }


def test_starter_refuses_every_other_endpoint_with_40301(make_api, endpoints):
    api = make_api(plan=plan_named("starter"))
    answers = {(method, path): api.client.request(method, path, json={}) for method, path in endpoints}
    refused = {
        "code": 40301,
        "message": "the Local API needs the Pro plan or higher; this server runs the Starter plan",
        "data": None,
    }
    assert {key: (r.status_code, r.json()) for key, r in answers.items()} == {key: (403, refused) for key in answers}


def test_starter_refuses_before_reading_the_body(make_api):
    api = make_api(plan=plan_named("starter"))
    oversized = api.client.post("/api/v1/task", content=b"{" + b" " * (2 << 20) + b"}")
    api.error(oversized, 40301, 403, "Pro plan")
    missing_script = api.client.post("/api/v1/task", json={"serials": ["A"], "script_config": {}})
    api.error(missing_script, 40301, 403, "Pro plan")


def test_starter_writes_nothing(make_api, tmp_path):
    api = make_api(plan=plan_named("starter"))
    api.client.post("/api/v1/task", json={"serials": ["A"], "script_name": "post", "script_config": {}})
    api.client.post("/api/v1/account", json={"username": "bob", "serial": "A"})
    assert api.runtime.store.position == 0


@pytest.mark.parametrize("path", ["/api/v1/nope", "/nope", "/api/v1/task/1/nope"])
def test_starter_still_answers_40401_on_unknown_routes(make_api, path):
    api = make_api(plan=plan_named("starter"))
    api.error(api.client.get(path), 40401, 404, path)
