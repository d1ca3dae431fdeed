"""GET/POST /account and DELETE /account/{username}: the account registry."""

from __future__ import annotations

import pytest

TIKTOK = "com.zhiliaoapp.musically"


def _register(api, **body):
    return api.ok(api.client.post("/api/v1/account", json=body))


def _accounts(api, **params):
    """The registry's part of each account (its limits, counts and rest: test_account_safety.py)."""
    return [
        {key: a[key] for key in ("username", "serial", "package")}
        for a in api.ok(api.client.get("/api/v1/account", params=params))["accounts"]
    ]


def test_register_answers_the_account_with_the_tiktok_package_by_default(api):
    assert _register(api, username="@Alice", serial="P1") == {"username": "@Alice", "serial": "P1", "package": TIKTOK}
    assert _register(api, username="bob", serial="P2", package="com.ss.android.ugc.trill") == {
        "username": "bob",
        "serial": "P2",
        "package": "com.ss.android.ugc.trill",
    }
    assert _accounts(api) == [
        {"username": "@Alice", "serial": "P1", "package": TIKTOK},
        {"username": "bob", "serial": "P2", "package": "com.ss.android.ugc.trill"},
    ]


def test_the_serial_filter_lists_one_phone(api):
    _register(api, username="a", serial="P1")
    _register(api, username="b", serial="P2")
    _register(api, username="c", serial="P1")
    assert [a["username"] for a in _accounts(api, serial="P1")] == ["a", "c"]
    assert _accounts(api, serial="P9") == []


def test_posting_a_username_again_moves_it_whatever_its_case_or_at_sign(api):
    _register(api, username="@Alice", serial="P1")
    assert _register(api, username="alice", serial="P2") == {"username": "alice", "serial": "P2", "package": TIKTOK}
    assert _accounts(api) == [{"username": "alice", "serial": "P2", "package": TIKTOK}]
    assert [e["stream"] for e in api.log()] == ["account-alice", "account-alice"]


def test_posting_the_same_account_again_records_nothing(api):
    _register(api, username="bob", serial="P1")
    before = api.log()
    _register(api, username="bob", serial="P1")
    assert api.log() == before


def test_delete_compares_without_at_sign_and_case_insensitively(api):
    _register(api, username="@Bob", serial="P1")
    assert api.ok(api.client.delete("/api/v1/account/BOB")) == {"username": "@Bob", "serial": "P1", "package": TIKTOK}
    assert _accounts(api) == []
    assert [e["type"] for e in api.log()] == ["account-registered", "account-removed"]


def test_delete_with_an_encoded_at_sign(api):
    _register(api, username="carol", serial="P1")
    api.ok(api.client.delete("/api/v1/account/%40Carol"))
    assert _accounts(api) == []


def test_delete_an_unknown_account_is_40401(api):
    api.error(api.client.delete("/api/v1/account/ghost"), 40401, 404, "ghost")
    _register(api, username="gone", serial="P1")
    api.ok(api.client.delete("/api/v1/account/gone"))
    api.error(api.client.delete("/api/v1/account/gone"), 40401, 404, "gone")


def test_a_deleted_account_can_no_longer_be_used_in_account_mode(api):
    _register(api, username="bob", serial="P1")
    api.ok(api.client.delete("/api/v1/account/bob"))
    response = api.client.post("/api/v1/task", json={"usernames": ["bob"], "script_name": "post", "script_config": {}})
    api.error(response, 40001, 400, "usernames", "bob")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"serial": "P1"}, "username is required"),
        ({"username": "bob"}, "serial is required"),
        ({"username": "", "serial": "P1"}, "username must be a non-empty string"),
        ({"username": "@", "serial": "P1"}, "username"),
        ({"username": 5, "serial": "P1"}, "username"),
        ({"username": "bob", "serial": ["P1"]}, "serial"),
        ({"username": "bob", "serial": "P1", "package": "tiktok"}, "package must be an Android package name"),
        ({"username": "x" * 257, "serial": "P1"}, "username must be at most 256"),
        ([], "JSON object"),
    ],
)
def test_a_bad_account_body_is_40001_naming_the_field(shared_api, body, words):
    before = shared_api.runtime.store.position
    shared_api.error(shared_api.client.post("/api/v1/account", json=body), 40001, 400, words)
    assert shared_api.runtime.store.position == before


def test_a_malformed_account_body_is_40001(shared_api):
    shared_api.error(shared_api.client.post("/api/v1/account", content=b'{"username": '), 40001, 400, "JSON")


def test_an_empty_serial_filter_means_every_phone_as_for_tasks(shared_api):
    everyone = shared_api.client.get("/api/v1/account").json()["data"]
    assert shared_api.client.get("/api/v1/account", params={"serial": ""}).json()["data"] == everyone
