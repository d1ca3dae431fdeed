"""Every 4xx of POST /task: its code, HTTP status, a message naming the field — and nothing written."""

from __future__ import annotations

import json

import pytest

GOOD = {"serials": ["A"], "script_name": "post", "script_config": {}}


def _with(**fields):
    return {**GOOD, **fields}


def _config(script_name, **config):
    return {"serials": ["A"], "script_name": script_name, "script_config": config}


@pytest.fixture
def unchanged(shared_api):
    """Asserts, after the test, that the global log did not move."""
    before = shared_api.log()
    yield shared_api
    assert shared_api.log() == before


UNREADABLE = [
    (b"", "body is empty"),
    (b"   ", "body is empty"),
    (b'{"serials": ["A"], "script_name": "post",', "not valid JSON"),
    (b"{'serials': ['A']}", "not valid JSON"),
    (b'{"serials": ["A"]} trailing', "not valid JSON"),
    (b'{"serials": ["\xff"]}', "UTF-8"),
    (b"[1, 2]", "JSON object"),
    (b'"post"', "JSON object"),
    (b"42", "JSON object"),
    (b"null", "JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),
]


@pytest.mark.parametrize(("body", "words"), UNREADABLE, ids=range(len(UNREADABLE)))
def test_an_unreadable_body_is_40001(unchanged, body, words):
    unchanged.error(unchanged.client.post("/api/v1/task", content=body), 40001, 400, words)


WRONG = [
    (_with(serials="A"), "serials must be an array"),
    (_with(serials=["A", 5]), "serials[1]"),
    (_with(serials=["A", " "]), "serials[1]"),
    (_with(serials=[]), "serials"),
    (_with(usernames="bob", serials=None), "usernames must be an array"),
    (_with(script_name=5), "script_name must be a string"),
    (_with(script_config=[]), "script_config must be an object"),
    (_with(script_config="{}"), "script_config must be an object"),
    (_with(enable_multi_account="yes"), "enable_multi_account must be true or false"),
    (_with(enable_multi_account=1), "enable_multi_account"),
    (_with(min_interval="5"), "min_interval must be an integer"),
    (_with(max_interval=2.5), "max_interval must be an integer"),
    (_with(min_interval=-1), "min_interval"),
    (_with(max_interval=10_081), "max_interval"),
    (_with(min_interval=10, max_interval=5), "max_interval (5) must not be less than min_interval (10)"),
    (_with(start_time=1030), "start_time must be a string"),
    (_with(start_time="9:30"), "start_time"),
    (_with(start_time="24:00"), "start_time"),
    (_with(start_time="10:30:00"), "start_time"),
    (_with(start_time="10h30"), "start_time"),
    (_with(usernames=["bob"]), "not both"),
    ({"script_name": "post", "script_config": {}}, "serials (device mode) or usernames (account mode) is required"),
    ({"serials": ["A"], "script_name": "post"}, "script_config is required"),
    (_with(serials=["A"] * 1001), "serials has 1,001 entries; at most 1,000"),
    (_config("account_warmup", like_probable=140), "script_config.like_probable must be between 0 and 100, got 140"),
    (_config("account_warmup", follow_probable=-1), "follow_probable"),
    (_config("account_warmup", task_duration=0), "script_config.task_duration"),
    (_config("account_warmup", min_duration=40), "script_config.min_duration (40) must not exceed max_duration (30)"),
    (_config("account_warmup", comment_order="alphabetical"), "script_config.comment_order"),
    (_config("account_warmup", insert_emoji="true"), "script_config.insert_emoji"),
    (_config("account_warmup", generate_by_chatgpt=True), "script_config.chatgpt_settings.api_key is required"),
    (
        _config("account_warmup", chatgpt_settings={"api_key": "k", "temperature": 3}),
        "script_config.chatgpt_settings.temperature",
    ),
    (_config("account_warmup", chatgpt_settings=[]), "script_config.chatgpt_settings must be an object"),
    (_config("post", content_type=2), "script_config.content_type"),
    (_config("post", image_count=0), "script_config.image_count"),
    (_config("post", post_way="fax"), "script_config.post_way"),
    (_config("post", origin_sound_volume=101), "script_config.origin_sound_volume"),
    (_config("post", post_way="useSound"), "script_config.sound_name"),
    (_config("post", add_sound="custom"), "script_config.custom_sound_keyword"),
    (_config("post", material_source="localFolder"), "script_config.material_path"),
    (_config("post", material_list=["/no/such/file.mp4"]), "script_config.material_list[0]"),
    (_config("post", placement="feed"), "script_config.placement"),
    (_config("follow"), "script_config needs at least one target"),
    (_config("follow", target_users=[]), "script_config needs at least one target"),
    (_config("follow", target_users=["ok", 7]), "script_config.target_users[1]"),
    (_config("unfollow", target_username="@"), "script_config.target_username"),
    (_config("follow", target_user="x", access_method="teleport"), "script_config.access_method"),
    (_config("comment", target_post_url="https://www.tiktok.com/@u/video/1"), "script_config.comment_content"),
    (
        _config("comment", target_post_urls=["https://example.com/v/1"], comment_content="x"),
        "script_config.target_post_urls[0] must be a TikTok or Instagram post URL",
    ),
    (_config("comment", comment_content="x"), "script_config needs at least one target"),
    (
        _config("comment", target_post_url="https://vm.tiktok.com/Z/", comment_content="x", comment_order=1),
        "script_config.comment_order",
    ),
]


@pytest.mark.parametrize(("body", "words"), WRONG, ids=range(len(WRONG)))
def test_a_wrong_value_is_40001_naming_the_field(unchanged, body, words):
    unchanged.error(unchanged.client.post("/api/v1/task", json=body), 40001, 400, words)


def test_a_request_beyond_10000_tasks_is_40001_and_creates_nothing(unchanged):
    body = _config("follow", target_users=[f"u{i}" for i in range(5001)])
    body["serials"] = ["A", "B"]
    unchanged.error(unchanged.client.post("/api/v1/task", json=body), 40001, 400, "10,002 tasks; at most 10,000")


def test_unknown_usernames_are_named_and_nothing_is_created(api):
    api.ok(api.client.post("/api/v1/account", json={"username": "known", "serial": "A"}))
    before = api.log()
    response = api.client.post(
        "/api/v1/task",
        json={"usernames": ["known", "ghost", "@Nobody", "ghost"], "script_name": "post", "script_config": {}},
    )
    api.error(response, 40001, 400, "usernames", '"ghost", "@Nobody"')
    assert api.log() == before
    assert api.ok(api.client.get("/api/v1/task/stats"))["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"serials": ["A"], "script_config": {}},
        {"serials": ["A"], "script_name": None, "script_config": {}},
        {"serials": ["A"], "script_name": "", "script_config": {}},
        {"serials": ["A"], "script_name": "   ", "script_config": {}},
    ],
)
def test_a_missing_script_name_is_40002(unchanged, body):
    unchanged.error(unchanged.client.post("/api/v1/task", json=body), 40002, 400, "script_name")


@pytest.mark.parametrize("script", ["frobnicate", "Post", "FOLLOW", "scrape"])
def test_an_unknown_script_is_40003_naming_it(unchanged, script):
    unchanged.error(
        unchanged.client.post("/api/v1/task", json=_with(script_name=script)), 40003, 400, "script_name", f'"{script}"'
    )


@pytest.mark.parametrize("script", ["like", "message", "super_marketing", "profile", "scrape_user"])
def test_a_coming_soon_script_is_40003(unchanged, script):
    unchanged.error(
        unchanged.client.post("/api/v1/task", json=_with(script_name=script)), 40003, 400, f'"{script}"', "coming soon"
    )


def test_a_coming_soon_script_message_names_the_field(unchanged):
    unchanged.error(unchanged.client.post("/api/v1/task", json=_with(script_name="like")), 40003, 400, "script_name")


# --- precedence: 40101, 40301, 41301, 40002, 40003, then 40001 in body order ----------------


def test_missing_script_name_wins_over_every_40001(unchanged):
    body = {"serials": 5, "min_interval": "x", "script_config": []}
    unchanged.error(unchanged.client.post("/api/v1/task", json=body), 40002, 400, "script_name")


def test_an_unsupported_script_wins_over_every_40001(unchanged):
    body = {"serials": 5, "min_interval": "x", "script_name": "like", "script_config": []}
    unchanged.error(unchanged.client.post("/api/v1/task", json=body), 40003, 400, "like")


def test_the_first_offending_field_in_body_order_is_named(unchanged):
    first = unchanged.client.post(
        "/api/v1/task",
        content=json.dumps({"min_interval": "x", "serials": 5, "script_name": "post", "script_config": {}}),
    )
    unchanged.error(first, 40001, 400, "min_interval")
    second = unchanged.client.post(
        "/api/v1/task",
        content=json.dumps({"serials": 5, "min_interval": "x", "script_name": "post", "script_config": {}}),
    )
    unchanged.error(second, 40001, 400, "serials")


def test_an_unreadable_body_is_40001_even_without_script_name(unchanged):
    unchanged.error(unchanged.client.post("/api/v1/task", content=b'{"serials": '), 40001, 400, "JSON")


# --- body size -------------------------------------------------------------------------------

MIB = 1024 * 1024


def _padded(size: int) -> bytes:
    body = json.dumps(GOOD).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_a_body_of_exactly_1_mib_is_read(api):
    assert api.ok(api.client.post("/api/v1/task", content=_padded(MIB)))["created_count"] == 1


def test_a_body_over_1_mib_is_41301_even_without_script_name(unchanged):
    unchanged.error(unchanged.client.post("/api/v1/task", content=_padded(MIB + 1)), 41301, 413, "1 MiB")
    no_script = b'{"serials": ["A"]' + b" " * MIB + b"}"
    unchanged.error(unchanged.client.post("/api/v1/task", content=no_script), 41301, 413, "1 MiB")


def test_a_chunked_body_over_1_mib_is_41301(unchanged):
    def chunks():
        yield b'{"serials": ["A"], "script_name": "post", "script_config": {}'
        for _ in range(17):
            yield b" " * 65536
        yield b"}"

    response = unchanged.client.post("/api/v1/task", content=chunks())
    assert "content-length" not in response.request.headers
    unchanged.error(response, 41301, 413, "1 MiB")


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/api/v1/task/batch"), ("POST", "/api/v1/account")])
def test_other_bodies_over_1_mib_are_41301(unchanged, method, path):
    unchanged.error(unchanged.client.request(method, path, content=_padded(MIB + 1)), 41301, 413, "1 MiB")


# --- a wrong type anywhere is never a 500 -------------------------------------------------------

ODD_VALUES = [None, True, 0, -1, 1.5, 1e300, 2**70, "", "x", [], [None], {}, {"a": []}]
SAMPLE_BODIES = [
    _config("post", captions="c", material_list=[], add_sound=1),
    _config("follow", target_users=["a"], access_method="direct"),
    _config("comment", target_post_urls=["https://vm.tiktok.com/Z/"], comment_content="x"),
    _config("account_warmup", chatgpt_settings={"api_key": "k", "max_tokens": 5}, like_probable=5),
]


def test_any_odd_value_in_any_field_is_an_envelope_never_a_500(api):
    codes = set()
    for body in SAMPLE_BODIES:
        for key in [*body, *(f"script_config.{k}" for k in body["script_config"])]:
            for value in ODD_VALUES:
                changed = json.loads(json.dumps(body))
                if key.startswith("script_config."):
                    changed["script_config"][key.split(".", 1)[1]] = value
                else:
                    changed[key] = value
                response = api.client.post("/api/v1/task", json=changed)
                envelope = response.json()
                assert set(envelope) == {"code", "message", "data"}
                assert response.status_code == (200 if envelope["code"] == 0 else 400), (changed, response.text)
                assert "Traceback" not in response.text
                codes.add(envelope["code"])
    assert codes == {0, 40001, 40002, 40003}
