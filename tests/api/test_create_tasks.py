"""POST /task: device mode, account mode, multi-account, fan-out, offline serials, stored configs."""

from __future__ import annotations

from tests.support.script_configs import POST_DEFAULTS, WARMUP_DEFAULTS


def _tasks(api, ids):
    return [api.task(task_id) for task_id in ids]


def test_device_mode_creates_one_pending_api_task_per_serial(api):
    data = api.create(serials=["A", "B"], script_name="post", script_config={"captions": "hi"})
    assert data == {"task_ids": [1, 2], "created_count": 2, "offline_serials": ["A", "B"]}
    first = api.task(1)
    assert {
        key: first[key]
        for key in (
            "id",
            "serial",
            "username",
            "script_name",
            "status",
            "status_text",
            "source",
            "start_time",
            "retry_count",
            "started_at",
            "finished_at",
            "error",
            "progress",
        )
    } == {
        "id": 1,
        "serial": "A",
        "username": None,
        "script_name": "post",
        "status": 0,
        "status_text": "pending",
        "source": "api",
        "start_time": None,
        "retry_count": 0,
        "started_at": None,
        "finished_at": None,
        "error": None,
        "progress": None,
    }
    assert first["created_at"].endswith("+00:00")
    assert api.task(2)["serial"] == "B"


def test_fan_out_is_devices_times_targets_in_request_order(api):
    data = api.create(serials=["B", "A"], script_name="follow", script_config={"target_users": ["u1", "u2", "u3"]})
    assert data["created_count"] == 6
    assert data["task_ids"] == [1, 2, 3, 4, 5, 6]
    shown = [(t["serial"], t["script_config"]["target_users"]) for t in _tasks(api, data["task_ids"])]
    assert shown == [("B", ["u1"]), ("B", ["u2"]), ("B", ["u3"]), ("A", ["u1"]), ("A", ["u2"]), ("A", ["u3"])]


def test_comment_fans_out_one_task_per_post_url(api):
    urls = ["https://www.tiktok.com/@u/video/1", "https://vm.tiktok.com/ZMabc/", "https://www.instagram.com/p/Cx1/"]
    data = api.create(
        serials=["A", "B"],
        script_name="comment",
        script_config={"target_post_url": ", ".join(urls), "comment_content": "nice"},
    )
    assert data["created_count"] == 6
    shown = [(t["serial"], t["script_config"]["target_post_urls"]) for t in _tasks(api, data["task_ids"])]
    assert shown == [
        ("A", [urls[0]]),
        ("A", [urls[1]]),
        ("A", [urls[2]]),
        ("B", [urls[0]]),
        ("B", [urls[1]]),
        ("B", [urls[2]]),
    ]


def test_ids_keep_ascending_across_requests(api):
    assert api.create(serials=["A"], script_name="post", script_config={})["task_ids"] == [1]
    assert api.create(serials=["A", "B"], script_name="post", script_config={})["task_ids"] == [2, 3]


def test_account_mode_runs_each_task_on_the_device_its_account_lives_on(api):
    api.ok(api.client.post("/api/v1/account", json={"username": "@Alice", "serial": "P1"}))
    api.ok(api.client.post("/api/v1/account", json={"username": "bob", "serial": "P2"}))
    data = api.create(usernames=["BOB", "alice", "@bob"], script_name="account_warmup", script_config={})
    assert data == {"task_ids": [1, 2, 3], "created_count": 3, "offline_serials": ["P2", "P1"]}
    assert [(t["serial"], t["username"]) for t in _tasks(api, data["task_ids"])] == [
        ("P2", "BOB"),
        ("P1", "alice"),
        ("P2", "@bob"),
    ]


def test_multi_account_makes_one_task_per_known_account_on_each_device(api):
    for username, serial in (("a1", "A"), ("a2", "A"), ("b1", "B")):
        api.ok(api.client.post("/api/v1/account", json={"username": username, "serial": serial}))
    data = api.create(
        serials=["A", "B", "C"],
        script_name="follow",
        enable_multi_account=True,
        script_config={"target_users": ["x", "y"]},
    )
    assert data["created_count"] == 8
    shown = [(t["serial"], t["username"], t["script_config"]["target_users"][0]) for t in _tasks(api, data["task_ids"])]
    assert shown == [
        ("A", "a1", "x"),
        ("A", "a1", "y"),
        ("A", "a2", "x"),
        ("A", "a2", "y"),
        ("B", "b1", "x"),
        ("B", "b1", "y"),
        ("C", None, "x"),
        ("C", None, "y"),
    ]


def test_without_multi_account_a_device_gets_one_task_whatever_its_accounts(api):
    api.ok(api.client.post("/api/v1/account", json={"username": "a1", "serial": "A"}))
    api.ok(api.client.post("/api/v1/account", json={"username": "a2", "serial": "A"}))
    data = api.create(serials=["A"], script_name="post", script_config={})
    assert data["created_count"] == 1
    assert api.task(1)["username"] is None


def test_offline_serials_lists_serials_no_online_device_has_once_each(api):
    api.connect("A")
    data = api.create(serials=["A", "B", "C", "B"], script_name="post", script_config={})
    assert data == {"task_ids": [1, 2, 3, 4], "created_count": 4, "offline_serials": ["B", "C"]}
    assert [t["status"] for t in _tasks(api, data["task_ids"])] == [0, 0, 0, 0]


def test_offline_serials_in_account_mode_name_the_accounts_devices(api):
    api.connect("P1")
    api.ok(api.client.post("/api/v1/account", json={"username": "on", "serial": "P1"}))
    api.ok(api.client.post("/api/v1/account", json={"username": "off", "serial": "P2"}))
    data = api.create(usernames=["on", "off"], script_name="post", script_config={})
    assert data["offline_serials"] == ["P2"]


def test_every_serial_online_gives_an_empty_offline_list(api):
    api.connect("A")
    assert api.create(serials=["A"], script_name="post", script_config={})["offline_serials"] == []


def test_post_config_is_stored_with_every_default_and_spintax_unresolved(api):
    task_id = api.create_one(script_config={"captions": "{Hi|Hello} {you|all}", "unknown_key": 1})
    assert api.task(task_id)["script_config"] == {**POST_DEFAULTS, "captions": "{Hi|Hello} {you|all}"}


def test_follow_target_username_alias_becomes_one_target_per_task(api):
    data = api.create(
        serials=["A"], script_name="follow", script_config={"target_username": " @x ,\ny ", "access_method": "search"}
    )
    assert [api.task(i)["script_config"] for i in data["task_ids"]] == [
        {"target_users": ["@x"], "access_method": "search"},
        {"target_users": ["y"], "access_method": "search"},
    ]


def test_unfollow_target_users_wins_over_target_user(api):
    data = api.create(
        serials=["A"], script_name="unfollow", script_config={"target_users": ["a"], "target_user": "b,c"}
    )
    assert [api.task(i)["script_config"] for i in data["task_ids"]] == [
        {"target_users": ["a"], "access_method": "direct"}
    ]


SECRET = "sk-test-0123456789abcdef"


def test_account_warmup_stores_follow_probable_as_floow_and_the_chatgpt_key_as_stars(api):
    task_id = api.create_one(
        script_name="account_warmup",
        script_config={
            "follow_probable": 30,
            "like_probable": 12.5,
            "generate_by_chatgpt": True,
            "chatgpt_settings": {"api_key": SECRET, "temperature": 1},
        },
    )
    assert api.task(task_id)["script_config"] == {
        **WARMUP_DEFAULTS,
        "floow_probable": 30,
        "like_probable": 12.5,
        "generate_by_chatgpt": True,
        "chatgpt_settings": {**WARMUP_DEFAULTS["chatgpt_settings"], "api_key": "***", "temperature": 1},
    }


def test_the_chatgpt_key_is_in_no_response_event_or_view_and_deleting_erases_it(api, tmp_path):
    body = {
        "serials": ["A"],
        "script_name": "account_warmup",
        "script_config": {"generate_by_chatgpt": True, "chatgpt_settings": {"api_key": SECRET}},
    }
    created = api.client.post("/api/v1/task", json=body)
    task_id = api.ok(created)["task_ids"][0]
    responses = [
        created,
        api.client.get("/api/v1/task"),
        api.client.get(f"/api/v1/task/{task_id}"),
        api.client.get(f"/api/v1/task/{task_id}/events"),
        api.client.get("/api/v1/events"),
    ]
    assert all(SECRET not in r.text for r in responses)
    assert not any(SECRET.encode() in bytes(data) for (data,) in api.query("SELECT data FROM events"))
    assert not any(SECRET.encode() in bytes(config) for (config,) in api.query("SELECT script_config FROM tasks"))
    assert api.query("SELECT task_id, name, value FROM secrets") == [(task_id, "chatgpt_api_key", SECRET)]
    api.ok(api.client.delete(f"/api/v1/task/{task_id}"))
    assert api.query("SELECT count(*) FROM secrets") == [(0,)]


def test_match_account_accepts_an_empty_config(api):
    task_id = api.create_one(script_name="match_account", script_config={})
    assert api.task(task_id)["script_config"] == {}


def test_created_event_holds_the_normalised_config(api):
    task_id = api.create_one(script_name="follow", script_config={"target_username": "@x"})
    (created,) = api.ok(api.client.get(f"/api/v1/task/{task_id}/events"))["events"]
    assert created["type"] == "created"
    assert created["data"] == {
        "type": "created",
        "serial": "A",
        "username": None,
        "script_name": "follow",
        "script_config": {"target_users": ["@x"], "access_method": "direct"},
        "source": "api",
        "start_time": None,
        "app": "tiktok",
    }
