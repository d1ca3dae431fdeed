"""The ChatGPT key canary, end to end: a unique api_key goes into an account_warmup task that
really calls an OpenAI-compatible API (a local fake, once answering comments, once refusing the
key and echoing it back as OpenAI does). The key must never appear in a response, an event, a
view or the server's log; after the tasks are deleted and the server has stopped cleanly, not a
byte of it may be left in the database, its -wal and -shm, or the log.

The same for the Idempotency-Key store: a canary inside an idempotent request's body is never
written anywhere, only the body's hash is.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.harness.database import files_of, occurrences
from tests.support.harness.server import ServeProcess

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX processes")

CANARY = f"sk-canary-{uuid.uuid4().hex}"
IDEMPOTENT_CANARY = f"idem-canary-{uuid.uuid4().hex}"


@contextmanager
def chat_api(refuse_key: bool):
    """A local chat completions API: answers a comment, or 401 quoting the key (OpenAI's habit)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            seen.append(key)
            if refuse_key:
                status, payload = (
                    401,
                    {
                        "error": {
                            "message": f"Incorrect API key provided: {key}. You can find "
                            f"your API key at https://platform.openai.com.",
                            "type": "invalid_request_error",
                            "code": "invalid_api_key",
                        }
                    },
                )
            else:
                status, payload = 200, {"choices": [{"message": {"role": "assistant", "content": "Lovely video!"}}]}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def _warmup(serial: str, base_url: str) -> dict:
    return {
        "serials": [serial],
        "script_name": "account_warmup",
        "script_config": {
            "task_duration": 40,
            "min_duration": 10,
            "max_duration": 10,
            "comment_probable": 100,
            "generate_by_chatgpt": True,
            "chatgpt_settings": {"api_key": CANARY, "base_url": base_url, "model": "gpt-4o-mini"},
        },
    }


class Recorder:
    """An httpx client that keeps every response body it receives."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.bodies: list[bytes] = []

    def __call__(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        self.bodies.append(response.content)
        return response

    def wait_finished(self, task_id: int, timeout_s: float = 60) -> dict:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            task = self("GET", f"/task/{task_id}").json()["data"]
            if task["status"] in (2, 3):
                return task
            time.sleep(0.1)
        raise AssertionError(f"task {task_id} did not finish: {task}")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Run everything once; the tests below read what it found."""
    home = tmp_path_factory.mktemp("canary")
    found: dict = {}
    server = ServeProcess(home / "data", "--sim", "1", "--time-scale", "0.01", log_path=home / "serve.log")
    with chat_api(refuse_key=False) as (good_url, good_seen), chat_api(refuse_key=True) as (bad_url, bad_seen):
        server.start().wait_ready()
        api = Recorder(server.base_url)
        serial = api("GET", "/device").json()["data"]["devices"][0]["serial"]
        ids = [
            api("POST", "/task", json=_warmup(serial, url)).json()["data"]["task_ids"][0] for url in (good_url, bad_url)
        ]
        found["finished"] = [api.wait_finished(task_id) for task_id in ids]
        found["key_sent"] = (good_seen, bad_seen)
        # The idempotent request: a canary in a key the parser ignores.
        body = {"serials": ["offline-1"], "script_name": "post", "script_config": {"note": IDEMPOTENT_CANARY}}
        first = api("POST", "/task", json=body, headers={"Idempotency-Key": "canary-key"})
        again = api("POST", "/task", json=body, headers={"Idempotency-Key": "canary-key"})
        found["idempotent"] = (first.content, again.content)
        for task_id in ids:
            found.setdefault("events", []).append(api("GET", f"/task/{task_id}/events").json()["data"]["events"])
        for method, path in [
            ("GET", "/task?page_size=100"),
            ("GET", "/events?limit=1000"),
            ("GET", "/device"),
            ("GET", "/sim/state"),
            ("GET", "/task/stats"),
            ("GET", "/health"),
        ]:
            api(method, path)
        api.bodies.append(httpx.get(f"{server.origin}/metrics", timeout=10).content)
        db = server.db_path
        conn = sqlite3.connect(db)
        found["secrets_while_alive"] = conn.execute("SELECT task_id, name FROM secrets ORDER BY task_id").fetchall()
        found["views"] = [
            row
            for table in ("tasks", "devices", "accounts", "checkpoints")
            for row in conn.execute(f"SELECT * FROM {table}")
        ]
        found["idempotency_rows"] = conn.execute("SELECT key, body_hash, response FROM idempotency_keys").fetchall()
        conn.close()
        found["hits_while_alive"] = occurrences(CANARY.encode(), files_of(db))
        found["deleted"] = [api("DELETE", f"/task/{task_id}").status_code for task_id in ids]
        found["responses"] = api.bodies
        found["exit"] = server.stop()
    found["files"] = [*files_of(server.db_path), server.log_path]
    found["log"] = server.output()
    found["body"] = body
    return found


def test_the_key_was_really_used(run):
    good_seen, bad_seen = run["key_sent"]
    assert good_seen and set(good_seen) == {CANARY}
    assert bad_seen and set(bad_seen) == {CANARY}
    completed, refused = run["finished"]
    assert completed["status_text"] == "completed", completed
    assert refused["status_text"] == "failed" and "HTTP 401" in refused["error"], refused
    assert [row[1] for row in run["secrets_while_alive"]] == ["chatgpt_api_key", "chatgpt_api_key"]
    assert run["hits_while_alive"], "the scan finds the key while it is stored"


def test_the_key_is_in_no_response_event_view_or_log_line(run):
    assert not [body for body in run["responses"] if CANARY.encode() in body]
    assert CANARY not in json.dumps(run["events"])
    assert all(
        e["data"]["script_config"]["chatgpt_settings"]["api_key"] == "***"
        for stream in run["events"]
        for e in stream
        if e["type"] == "created"
    )
    assert CANARY not in repr(run["views"])
    assert CANARY not in run["log"]


def test_after_delete_and_a_clean_stop_no_byte_of_the_key_is_left(run):
    assert run["deleted"] == [200, 200]
    assert run["exit"] == 0
    for needle in (CANARY, CANARY[10:30]):
        assert occurrences(needle.encode(), run["files"]) == {}, needle


def test_the_idempotency_store_keeps_a_hash_of_the_body_never_the_body(run):
    first, again = run["idempotent"]
    assert first == again and json.loads(first)["code"] == 0
    ((key, body_hash, response),) = run["idempotency_rows"]
    canonical = json.dumps(run["body"], sort_keys=True, separators=(",", ":")).encode()
    assert (key, body_hash, response) == ("canary-key", hashlib.sha256(canonical).hexdigest(), first)
    for needle in (IDEMPOTENT_CANARY, IDEMPOTENT_CANARY[12:32]):
        assert occurrences(needle.encode(), run["files"]) == {}, needle


def test_no_response_holds_a_stack_trace(run):
    assert not [body for body in run["responses"] if b"Traceback" in body or b'File "/' in body]
    assert "Traceback" not in run["log"]
