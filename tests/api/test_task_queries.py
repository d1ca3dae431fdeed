"""GET /task (filters, pages, newest first, total), GET /task/{id}, GET /task/stats."""

from __future__ import annotations

import pytest


@pytest.fixture
def seven(api):
    """Tasks 1-7: post on A (1, 2), follow on B (3, 4, 5), comment on A (6), post on C (7);
    2 is failed (stopped), 3 running."""
    api.create(serials=["A", "A"], script_name="post", script_config={})
    api.create(serials=["B"], script_name="follow", script_config={"target_users": ["x", "y", "z"]})
    api.create(
        serials=["A"],
        script_name="comment",
        script_config={"target_post_url": "https://vm.tiktok.com/Z/", "comment_content": "hi"},
    )
    api.create(serials=["C"], script_name="post", script_config={})
    api.ok(api.client.post("/api/v1/task/2/stop"))
    api.start(3)
    return api


def _page(api, **params):
    return api.ok(api.client.get("/api/v1/task", params=params))


def _ids(page):
    return [task["id"] for task in page["tasks"]]


def test_list_is_newest_first_with_defaults(seven):
    page = _page(seven)
    assert {k: page[k] for k in ("total", "page", "page_size")} == {"total": 7, "page": 1, "page_size": 20}
    assert _ids(page) == [7, 6, 5, 4, 3, 2, 1]


def test_list_items_are_the_same_tasks_get_shows(seven):
    page = _page(seven)
    assert page["tasks"] == [seven.task(task_id) for task_id in _ids(page)]


@pytest.mark.parametrize(
    ("params", "ids"),
    [
        ({"status": 0}, [7, 6, 5, 4, 1]),
        ({"status": 1}, [3]),
        ({"status": 2}, []),
        ({"status": 3}, [2]),
        ({"serial": "A"}, [6, 2, 1]),
        ({"serial": "nobody"}, []),
        ({"script_name": "follow"}, [5, 4, 3]),
        ({"source": "api"}, [7, 6, 5, 4, 3, 2, 1]),
        ({"source": "ui"}, []),
        ({"serial": "A", "script_name": "post", "status": 0}, [1]),
        ({"status": "", "serial": ""}, [7, 6, 5, 4, 3, 2, 1]),
    ],
)
def test_filters_narrow_the_list_and_total_counts_every_match(seven, params, ids):
    page = _page(seven, **params)
    assert (_ids(page), page["total"]) == (ids, len(ids))


def test_pages_split_the_list_and_total_counts_all_matches(seven):
    pages = [_page(seven, page=n, page_size=3) for n in (1, 2, 3)]
    assert [_ids(p) for p in pages] == [[7, 6, 5], [4, 3, 2], [1]]
    assert {(p["total"], p["page"], p["page_size"]) for p in pages} == {(7, 1, 3), (7, 2, 3), (7, 3, 3)}


def test_a_page_past_the_end_is_an_empty_list(seven):
    assert _page(seven, page=4, page_size=3) == {"total": 7, "page": 4, "page_size": 3, "tasks": []}
    assert _page(seven, page=9_223_372_036_854_775_807)["tasks"] == []


def test_page_size_bounds(seven):
    assert len(_page(seven, page_size=1)["tasks"]) == 1
    assert _page(seven, page_size=100)["page_size"] == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 101}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "1.0"}, "page"),
        ({"status": 4}, "status"),
        ({"status": "pending"}, "status"),
        ({"source": "web"}, "source"),
    ],
)
def test_a_bad_query_value_is_40001_naming_it(shared_api, params, field):
    message = shared_api.error(shared_api.client.get("/api/v1/task", params=params), 40001, 400, field)
    assert message.startswith(field)


def test_get_shows_every_field_of_a_task(seven):
    task = seven.task(3)
    assert set(task) >= {
        "id",
        "serial",
        "username",
        "script_name",
        "script_config",
        "status",
        "status_text",
        "source",
        "start_time",
        "retry_count",
        "created_at",
        "started_at",
        "finished_at",
        "error",
        "progress",
    }
    assert (task["status"], task["status_text"], task["serial"]) == (1, "running", "B")
    assert task["started_at"].endswith("+00:00") and task["finished_at"] is None


def test_get_a_stopped_task_shows_why_it_failed(seven):
    task = seven.task(2)
    assert (task["status"], task["status_text"], task["error"]) == (3, "failed", "stopped")
    assert task["finished_at"].endswith("+00:00")


@pytest.mark.parametrize("task_id", ["99", "0", "-1", "abc", "1.5", "99999999999999999999"])
def test_get_an_unknown_task_is_40401(seven, task_id):
    seven.error(seven.client.get(f"/api/v1/task/{task_id}"), 40401, 404, "task", task_id)


def test_stats_count_tasks_by_status(seven):
    assert seven.ok(seven.client.get("/api/v1/task/stats")) == {
        "total": 7,
        "pending": 5,
        "running": 1,
        "completed": 0,
        "failed": 1,
    }


def test_stats_of_an_empty_service_are_zero(api):
    assert api.ok(api.client.get("/api/v1/task/stats")) == {
        "total": 0,
        "pending": 0,
        "running": 0,
        "completed": 0,
        "failed": 0,
    }
