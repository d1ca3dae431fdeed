"""ETag and 304 on the polled GETs; a write changes the ETag."""

from __future__ import annotations

import pytest

POLLED = ["/api/v1/task", "/api/v1/task?status=0&page_size=5", "/api/v1/task/stats", "/api/v1/task/1",
          "/api/v1/device"]


@pytest.fixture
def one_task(api):
    api.create_one()
    return api


@pytest.mark.parametrize("path", POLLED)
def test_a_polled_get_has_an_etag_and_answers_304_when_the_client_has_it(one_task, path):
    first = one_task.client.get(path)
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
    again = one_task.client.get(path, headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    stale = one_task.client.get(path, headers={"If-None-Match": '"0-00000000"'})
    assert (stale.status_code, stale.content) == (200, first.content)


@pytest.mark.parametrize("path", POLLED)
def test_a_write_changes_the_etag_and_the_body_is_fresh(one_task, path):
    before = one_task.client.get(path)
    one_task.connect("A")
    one_task.ok(one_task.client.post("/api/v1/task/1/stop"))
    after = one_task.client.get(path, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.content != before.content


def test_the_cached_body_follows_every_change(one_task):
    api = one_task
    assert api.ok(api.client.get("/api/v1/task/stats"))["pending"] == 1
    api.ok(api.client.post("/api/v1/task/1/stop"))
    assert api.ok(api.client.get("/api/v1/task/stats")) == {
        "total": 1, "pending": 0, "running": 0, "completed": 0, "failed": 1}
    api.ok(api.client.delete("/api/v1/task/1"))
    api.error(api.client.get("/api/v1/task/1"), 40401, 404, "task 1")
    assert api.ok(api.client.get("/api/v1/task"))["tasks"] == []


def test_different_queries_have_different_etags(one_task):
    tags = {one_task.client.get(path).headers["etag"] for path in POLLED}
    assert len(tags) == len(POLLED)


def test_errors_have_no_etag(one_task):
    assert "etag" not in one_task.client.get("/api/v1/task/99").headers
    assert "etag" not in one_task.client.get("/api/v1/task?page_size=0").headers
