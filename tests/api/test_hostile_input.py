"""Hostile input, by hand — what tests/api/test_create_errors.py and tests/requests/ do not
already cover: each is a 4xx naming the problem, and the database is byte-for-byte unchanged
(every table: the log, the views, the side tables). SQL-looking strings are stored verbatim.
Through the API with Litestar's test client; restricted mode is a server listening beyond
loopback with an API key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.api.app import create_app
from service.settings import Settings
from tests.support.harness.fuzz import HOSTILE_SEGMENTS
from tests.support.stores import BACKENDS_PG_SLOW, snapshot

KEY = "hostile-test-key"
MB = 1024 * 1024


class Served:
    """One app on a data dir, seeded, and the calls the tests make."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.store = client.app.state.runtime.store

    def send(self, method: str, path: str, body: bytes | dict | None = None, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        return self.client.request(method, path, content=body, headers=headers, **kwargs)

    def refused(self, response, code: int, status: int, *words: str) -> str:
        """A whole error envelope naming `words`, no stack trace."""
        assert response.status_code == status, response.text
        envelope = response.json()
        assert set(envelope) == {"code", "message", "data"} and envelope["code"] == code and envelope["data"] is None
        for word in words:
            assert word in envelope["message"], f"{word!r} not in {envelope['message']!r}"
        assert "Traceback" not in response.text
        return envelope["message"]

    def tables(self) -> dict[str, list[tuple]]:
        """Every row of every table of the store."""
        return self.client.blocking_portal.call(snapshot, self.store)


def _serve(data_dir: Path, db: str | None = None, **settings) -> tuple[TestClient, Served]:
    headers = {"X-API-Key": settings["api_key"]} if settings.get("api_key") else {}
    client = TestClient(
        create_app(Settings(data_dir=data_dir, sync="normal", run_tasks=False, rest_status=True, db=db, **settings))
    )
    client.__enter__()
    served = Served(client, headers)
    seeded = served.send(
        "POST",
        "/api/v1/task",
        {"serials": ["A", "B"], "script_name": "follow", "script_config": {"target_users": ["x", "y"]}},
    )
    assert seeded.status_code == 200, seeded.text
    served.send("POST", "/api/v1/task/2/stop")
    served.send("POST", "/api/v1/account", {"username": "bob", "serial": "A"})
    return client, served


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A data dir with a clip, an upload and a link out; a material root; a secret outside both."""
    home = tmp_path_factory.mktemp("hostile")
    data, root, outside = home / "data", home / "library", home / "outside"
    for folder in (data / "clips", data / "upload", root, outside):
        folder.mkdir(parents=True)
    (data / "clips" / "a.mp4").write_bytes(b"a")
    (data / "upload" / "pic.png").write_bytes(b"p")
    (root / "b.mp4").write_bytes(b"b")
    (outside / "secret.mp4").write_text("do not read")
    if os.name != "nt":
        (data / "clips" / "innocent.mp4").symlink_to(outside / "secret.mp4")
        (data / "escape").symlink_to(outside, target_is_directory=True)
    return {"data": data, "root": root, "outside": outside}


@pytest.fixture(scope="module", params=BACKENDS_PG_SLOW)
def loopback(request, tmp_path_factory):
    db = request.getfixturevalue("new_pg_url")() if request.param == "postgresql" else None
    client, served = _serve(tmp_path_factory.mktemp("loopback"), db)
    yield served
    client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def restricted(files):
    client, served = _serve(files["data"], hosts=("0.0.0.0",), api_key=KEY, material_roots=(files["root"],))
    yield served
    client.__exit__(None, None, None)


@pytest.fixture
def unchanged(loopback):
    """The loopback server, asserting afterwards that no table changed."""
    before = loopback.tables()
    yield loopback
    assert loopback.tables() == before


@pytest.fixture
def restricted_unchanged(restricted):
    before = restricted.tables()
    yield restricted
    assert restricted.tables() == before


def _task(config: dict, script: str = "post") -> dict:
    return {"serials": ["A"], "script_name": script, "script_config": config}


# --- deeply nested JSON -------------------------------------------------------------------------

NESTED = [
    (
        "POST",
        "/api/v1/task",
        b'{"serials": ["A"], "script_name": "post", "script_config": '
        + b'{"a": ' * 100_000
        + b"1"
        + b"}" * 100_000
        + b"}",
    ),
    (
        "POST",
        "/api/v1/task",
        b'{"serials": ["A"], "script_name": "post", "script_config": {"note": ' + b"[" * 10_000 + b"]" * 10_000 + b"}}",
    ),
    ("POST", "/api/v1/task", b'{"serials": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
    ("DELETE", "/api/v1/task/batch", b'{"task_ids": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ("POST", "/api/v1/account", b'{"username": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}"),
]


@pytest.mark.parametrize(("method", "path", "body"), NESTED, ids=range(len(NESTED)))
def test_deeply_nested_json_is_40001_and_changes_nothing(unchanged, method, path, body):
    unchanged.refused(unchanged.send(method, path, body), 40001, 400, "nested too deeply")


# --- a 10 MB body ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/task"),
        ("DELETE", "/api/v1/task/batch"),
        ("POST", "/api/v1/account"),
        ("POST", "/api/v1/task/1/stop"),
    ],
)
def test_a_10_mb_body_is_41301_and_changes_nothing(unchanged, method, path):
    body = b'{"serials": ["A"], "script_name": "post", "script_config": {"pad": "' + b"x" * (10 * MB) + b'"}}'
    unchanged.refused(unchanged.send(method, path, body), 41301, 413, "1 MiB")


def test_a_chunked_10_mb_body_is_41301_and_changes_nothing(unchanged):
    def chunks():
        yield b'{"serials": ["A"], "script_name": "post", "script_config": {"pad": "'
        for _ in range(160):
            yield b"x" * 65536
        yield b'"}}'

    response = unchanged.send("POST", "/api/v1/task", chunks())
    assert "content-length" not in response.request.headers
    unchanged.refused(response, 41301, 413, "1 MiB")


# --- NaN, Infinity, numbers beyond 64 bits --------------------------------------------------------

NON_FINITE = [
    (b'{"serials": ["A"], "script_name": "post", "min_interval": NaN, "script_config": {}}', "not valid JSON"),
    (
        b'{"serials": ["A"], "script_name": "account_warmup", "script_config": {"like_probable": Infinity}}',
        "not valid JSON",
    ),
    (
        b'{"serials": ["A"], "script_name": "account_warmup", "script_config": {"task_duration": -Infinity}}',
        "not valid JSON",
    ),
    (
        b'{"serials": ["A"], "script_name": "account_warmup", "script_config": {"like_probable": 1e400}}',
        "script_config.like_probable must be a finite number, got 1e400",
    ),
    (
        b'{"serials": ["A"], "script_name": "account_warmup", "script_config": {"task_duration": -1e999}}',
        "script_config.task_duration",
    ),
    (
        b'{"serials": ["A"], "script_name": "post", "min_interval": 18446744073709551616, "script_config": {}}',
        "min_interval must be a 64-bit integer, got 18446744073709551616",
    ),
    (
        b'{"serials": ["A"], "script_name": "post", "script_config": {"image_count": ' + str(2**200).encode() + b"}}",
        "script_config.image_count must be a 64-bit integer",
    ),
    (
        b'{"serials": ["A"], "script_name": "post", "script_config": {"upload_wait_time": -'
        + str(2**70).encode()
        + b"}}",
        "script_config.upload_wait_time",
    ),
]


@pytest.mark.parametrize(("body", "words"), NON_FINITE, ids=range(len(NON_FINITE)))
def test_non_finite_and_oversized_numbers_are_40001_naming_them(unchanged, body, words):
    unchanged.refused(unchanged.send("POST", "/api/v1/task", body), 40001, 400, words)


def test_an_id_beyond_64_bits_in_a_batch_delete_is_40001(unchanged):
    response = unchanged.send("DELETE", "/api/v1/task/batch", b'{"task_ids": [1, ' + str(2**70).encode() + b"]}")
    unchanged.refused(response, 40001, 400, "task_ids[1] must be a 64-bit integer")


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/task/{2**64}",
        f"/api/v1/task/{2**64}/stop",
        f"/api/v1/task/{2**64}/events",
        f"/api/v1/task/-{2**64}/retry",
    ],
)
def test_a_task_id_beyond_64_bits_in_a_path_is_40401(unchanged, path):
    method = "GET" if path.endswith(("events", str(2**64))) else "POST"
    unchanged.refused(unchanged.send(method, path), 40401, 404, "not found")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"page={2**70}0", "page"),
        (f"page_size={2**64}", "page_size"),
        (f"status={2**64}", "status"),
        ("page=-99999999999999999999999", "page"),
    ],
)
def test_query_numbers_beyond_64_bits_or_negative_are_40001(unchanged, query, field):
    unchanged.refused(unchanged.client.get(f"/api/v1/task?{query}"), 40001, 400, field)


@pytest.mark.parametrize(
    ("query", "field"), [("after=-1", "after"), (f"after={2**64}", "after"), ("limit=-5", "limit")]
)
def test_event_log_queries_beyond_range_are_40001(unchanged, query, field):
    unchanged.refused(unchanged.client.get(f"/api/v1/events?{query}"), 40001, 400, field)


# --- the wrong content type ------------------------------------------------------------------------

WRONG_TYPE = [
    ("application/x-www-form-urlencoded", b"serials=A&script_name=post&script_config=%7B%7D"),
    (
        "multipart/form-data; boundary=xyz",
        b'--xyz\r\nContent-Disposition: form-data; name="script_name"\r\n\r\npost\r\n--xyz--\r\n',
    ),
    ("application/xml", b"<task><serials>A</serials><script_name>post</script_name></task>"),
    ("text/csv", b"serials,script_name\nA,post\n"),
    ("application/octet-stream", b"\x00\x01\x02\xff\xfe"),
]


@pytest.mark.parametrize(("content_type", "body"), WRONG_TYPE, ids=[c for c, _ in WRONG_TYPE])
def test_a_body_in_another_format_is_40001_and_changes_nothing(unchanged, content_type, body):
    response = unchanged.send("POST", "/api/v1/task", body, headers={"Content-Type": content_type})
    message = unchanged.refused(response, 40001, 400)
    assert "JSON" in message or "UTF-8" in message


def test_a_json_body_is_read_whatever_its_content_type_says(loopback):
    """curl -d and PowerShell send form-urlencoded unless told otherwise; the body decides."""
    response = loopback.send("POST", "/api/v1/task", _task({}), headers={"Content-Type": "text/plain"})
    assert response.status_code == 200 and response.json()["data"]["created_count"] == 1


# --- NUL and unpaired surrogates -------------------------------------------------------------------

STRINGS = [
    ("POST", "/api/v1/task", b'{"serials": ["A\\u0000"], "script_name": "post", "script_config": {}}', "serials[0]"),
    (
        "POST",
        "/api/v1/task",
        b'{"serials": ["A"], "script_name": "post", "script_config": {"captions": "a\\u0000"}}',
        "script_config.captions must not contain NUL",
    ),
    (
        "POST",
        "/api/v1/task",
        b'{"serials": ["A"], "script_name": "follow", "script_config": {"target_users": ["x\\u0000y"]}}',
        "script_config.target_users[0] must not contain NUL",
    ),
    (
        "POST",
        "/api/v1/task",
        b'{"serials": ["A"], "script_name": "comment", "script_config": {"comment_content": '
        b'"hi\\u0000", "target_post_url": "https://vm.tiktok.com/Z/"}}',
        "script_config.comment_content",
    ),
    ("POST", "/api/v1/account", b'{"username": "bo\\u0000b", "serial": "A"}', "username must not contain NUL"),
    ("POST", "/api/v1/task", b'{"serials": ["A\\ud800"], "script_name": "post", "script_config": {}}', "surrogate"),
    (
        "POST",
        "/api/v1/task",
        b'{"serials": ["A"], "script_name": "post", "script_config": {"captions": "x\\udc00y"}}',
        "surrogate",
    ),
    ("POST", "/api/v1/account", b'{"username": "b\\ud83dob", "serial": "A"}', "surrogate"),
    (
        "POST",
        "/api/v1/task",
        b'{"serials": ["A"], "script_name": "post", "script_config": {"captions": "\xed\xa0\x80"}}',
        "UTF-8",
    ),
    ("DELETE", "/api/v1/task/batch", b'{"task_ids": [1], "note": "\xed\xb0\x80"}', "UTF-8"),
]


@pytest.mark.parametrize(("method", "path", "body", "words"), STRINGS, ids=range(len(STRINGS)))
def test_nul_and_unpaired_surrogates_are_40001_naming_the_field(unchanged, method, path, body, words):
    unchanged.refused(unchanged.send(method, path, body), 40001, 400, words)


def test_nul_in_a_query_filter_is_40001(unchanged):
    unchanged.refused(unchanged.client.get("/api/v1/task", params={"serial": "A\x00"}), 40001, 400, "serial")
    unchanged.refused(unchanged.client.get("/api/v1/account", params={"serial": "A\x00"}), 40001, 400, "serial")


# --- SQL-looking strings are data ----------------------------------------------------------------

SQL = [
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM tasks WHERE ('1'='1",
    "%' OR '%'='",
    "1; UPDATE tasks SET status = 2",
    "x' UNION SELECT data FROM secrets --",
]


def test_sql_looking_strings_are_stored_verbatim_and_break_nothing(loopback):
    before = loopback.tables()
    ids = []
    for text in SQL:
        created = loopback.send(
            "POST",
            "/api/v1/task",
            {"serials": [text], "script_name": "follow", "script_config": {"target_users": [text]}},
        )
        assert created.status_code == 200, created.text
        ids += created.json()["data"]["task_ids"]
        assert loopback.send("POST", "/api/v1/account", {"username": text, "serial": text}).status_code == 200
    for task_id, text in zip(ids, SQL, strict=False):
        task = loopback.send("GET", f"/api/v1/task/{task_id}").json()["data"]
        assert (task["serial"], task["script_config"]["target_users"]) == (text, [text])
        listed = loopback.client.get("/api/v1/task", params={"serial": text}).json()["data"]
        assert [t["id"] for t in listed["tasks"]] == [task_id]
        accounts = loopback.client.get("/api/v1/account", params={"serial": text}).json()["data"]["accounts"]
        assert [(a["username"], a["serial"], a["package"], a["today"]) for a in accounts] == [
            (text, text, "com.zhiliaoapp.musically", {})
        ]
    after = loopback.tables()
    assert set(after) == set(before)  # no table dropped
    assert len(after["events"]) == len(before["events"]) + 2 * len(SQL)
    assert after["events"][: len(before["events"])] == before["events"]  # nothing updated or deleted
    stats = loopback.send("GET", "/api/v1/task/stats").json()["data"]
    assert stats["total"] == len(after["tasks"])


# --- files outside the allowed roots (restricted mode) ---------------------------------------------


def _outside(files: dict[str, Path]) -> list[tuple[str, dict, str]]:
    secret = str(files["outside"] / "secret.mp4")
    cases = [
        ("post", {"material_list": ["../outside/secret.mp4"]}, "script_config.material_list[0] must be inside"),
        (
            "post",
            {"material_list": ["clips/a.mp4", "clips/../../outside/secret.mp4"]},
            "script_config.material_list[1]",
        ),
        ("post", {"material_list": [secret]}, "script_config.material_list[0] must be inside"),
        ("post", {"material_list": ["/etc/passwd"]}, "script_config.material_list[0] must be inside"),
        ("post", {"material_list": [f"{files['data']}/../outside/secret.mp4"]}, "script_config.material_list[0]"),
        (
            "post",
            {"material_source": "localFolder", "material_path": "../outside"},
            "script_config.material_path must be inside",
        ),
        (
            "post",
            {"material_source": "localFolder", "material_path": "/etc"},
            "script_config.material_path must be inside",
        ),
        (
            "post",
            {"material_source": "localFolder", "material_path": "/"},
            "script_config.material_path must be inside",
        ),
        (
            "comment",
            {"comment_image_path": "../../outside/secret.mp4"},
            "script_config.comment_image_path must be inside",
        ),
        ("comment", {"comment_image_path": "/etc/passwd"}, "script_config.comment_image_path must be inside"),
        ("comment", {"comment_image_path": secret}, "script_config.comment_image_path must be inside"),
    ]
    if os.name != "nt":  # links are followed before the check
        cases += [
            ("post", {"material_list": ["clips/innocent.mp4"]}, "script_config.material_list[0] must be inside"),
            (
                "post",
                {"material_source": "localFolder", "material_path": "escape"},
                "script_config.material_path must be inside",
            ),
            (
                "comment",
                {"comment_image_path": "../escape/secret.mp4"},
                "script_config.comment_image_path must be inside",
            ),
        ]
    return cases


def _config(script: str, config: dict) -> dict:
    if script == "comment":
        return {"target_post_url": "https://vm.tiktok.com/Z/", "comment_content": "hi", **config}
    return config


@pytest.mark.parametrize("index", range(14))
def test_a_file_outside_the_roots_is_40001_when_listening_beyond_loopback(restricted_unchanged, files, index):
    cases = _outside(files)
    if index >= len(cases):
        pytest.skip("links are POSIX here")
    script, config, words = cases[index]
    response = restricted_unchanged.send("POST", "/api/v1/task", _task(_config(script, config), script))
    restricted_unchanged.refused(response, 40001, 400, words, "--material-root")


def test_files_inside_the_roots_are_accepted_when_listening_beyond_loopback(restricted, files):
    for script, config in [
        ("post", {"material_list": ["clips/a.mp4", str(files["root"] / "b.mp4")]}),
        ("post", {"material_source": "localFolder", "material_path": str(files["root"])}),
        ("comment", {"comment_image_path": "pic.png"}),
    ]:
        response = restricted.send("POST", "/api/v1/task", _task(_config(script, config), script))
        assert response.status_code == 200, response.text


def test_on_loopback_any_readable_file_may_be_named(loopback, files):
    response = loopback.send("POST", "/api/v1/task", _task({"material_list": [str(files["outside"] / "secret.mp4")]}))
    assert response.status_code == 200, response.text


def test_without_the_key_a_restricted_server_reads_no_body_at_all(restricted_unchanged):
    response = restricted_unchanged.client.post("/api/v1/task", json=_task({"material_list": ["/etc/passwd"]}))
    restricted_unchanged.refused(response, 40101, 401, "API key")


# --- more than the limits of docs/api.md ---------------------------------------------------------------------


def test_more_than_1000_usernames_is_40001_and_changes_nothing(unchanged):
    body = {"usernames": [f"user{i}" for i in range(1001)], "script_name": "post", "script_config": {}}
    unchanged.refused(unchanged.send("POST", "/api/v1/task", body), 40001, 400, "usernames has 1,001 entries")


def test_more_than_10000_tasks_from_multi_account_fan_out_is_40001(unchanged):
    body = {
        "serials": [f"S{i}" for i in range(1000)],
        "script_name": "follow",
        "script_config": {"target_users": [f"u{i}" for i in range(11)]},
    }
    unchanged.refused(unchanged.send("POST", "/api/v1/task", body), 40001, 400, "11,000 tasks; at most 10,000")


def test_more_than_10000_ids_in_a_batch_delete_is_40001(unchanged):
    body = {"task_ids": list(range(1, 10_002))}
    unchanged.refused(unchanged.send("DELETE", "/api/v1/task/batch", body), 40001, 400, "10,001 entries")


# --- pages ----------------------------------------------------------------------------------------


def test_a_page_past_the_end_is_an_empty_list_with_the_total(loopback):
    total = loopback.send("GET", "/api/v1/task/stats").json()["data"]["total"]
    page = loopback.client.get("/api/v1/task", params={"page": 10_000, "page_size": 100}).json()["data"]
    assert (page["tasks"], page["total"], page["page"]) == ([], total, 10_000)


# --- path parameters ----------------------------------------------------------------------------

# HOSTILE_SEGMENTS: as a client may put them in a URL (the fuzzer sends them too).


def _routes_with_parameters(served) -> list[tuple[str, str, list[str]]]:
    """(method, path template, parameter names) of every /api/v1 route that takes path parameters."""
    found = []
    for route in served.client.app.routes:
        if not route.path.startswith("/api/v1/"):
            continue  # /schema/{path} is the docs' HTML
        names = [part.split(":")[0][1:] for part in route.path.split("/") if part.startswith("{")]
        for method in sorted(getattr(route, "methods", ()) - {"OPTIONS", "HEAD"}):
            if names:
                found.append((method, route.path, names))
    return found


def test_every_route_with_path_parameters_is_in_the_catalogue(loopback):
    routes = {(method, path) for method, path, _ in _routes_with_parameters(loopback)}
    assert {
        ("GET", "/api/v1/task/{task_id:str}/artifacts/{name:str}"),
        ("DELETE", "/api/v1/account/{username:str}"),
        ("POST", "/api/v1/task/{task_id:str}/stop"),
    } <= routes


@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS, ids=range(len(HOSTILE_SEGMENTS)))
def test_no_path_parameter_reaches_a_500_or_changes_anything(unchanged, segment, caplog):
    for method, template, names in _routes_with_parameters(unchanged):
        for hostile in names:
            path = template
            for name in names:  # the others get a value that exists (task 1, account bob)
                value = segment if name == hostile else {"task_id": "1", "username": "bob"}.get(name, "x")
                path = path.replace("{" + name + ":str}", value).replace("{" + name + ":int}", value)
            response = unchanged.send(method, path)
            envelope = response.json()
            # An encoded slash may route elsewhere (GET /task/%2F is the list): any answer but an internal error.
            assert response.status_code < 500 and envelope["code"] != 50001, (method, path[:80], envelope)
            assert set(envelope) == {"code", "message", "data"}
    assert "Traceback" not in caplog.text and "internal error" not in caplog.text
