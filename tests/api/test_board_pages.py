"""The board's pages and files: the same HTML shell on every page of the board, its files by name,
never colliding with /api/v1, and served without the API key (they carry no data)."""

from __future__ import annotations

import pytest

KEY = "s3cret-key"
PAGES = ["/", "/phones", "/tasks", "/tasks/17", "/new"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_of_the_board_is_its_html_shell(shared_api, path):
    response = shared_api.client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/assets/app.js">' in response.text


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("app.js", "text/javascript"),
        ("style.css", "text/css"),
        ("icon.svg", "image/svg+xml"),
        ("stream.js", "text/javascript"),
    ],
)
def test_the_boards_files_are_served_with_their_type_and_revalidated(shared_api, name, kind):
    response = shared_api.client.get(f"/assets/{name}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
    assert response.headers["cache-control"] == "no-cache"
    again = shared_api.client.get(f"/assets/{name}", headers={"If-None-Match": response.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.parametrize("name", ["nope.js", "index.html", "..%2Fapi%2Fv1%2Ftask", "app.js.map"])
def test_a_file_the_board_does_not_have_is_40401(shared_api, name):
    shared_api.error(shared_api.client.get(f"/assets/{name}"), 40401, 404)


def test_the_api_stays_the_api_beside_the_board(shared_api):
    shared_api.error(shared_api.client.get("/api/v1/tasks"), 40401, 404, "/api/v1/tasks")
    assert shared_api.ok(shared_api.client.get("/api/v1/task"))["total"] >= 0
    shared_api.error(shared_api.client.post("/"), 40501, 405, "POST")


def test_with_an_api_key_the_board_loads_without_it_but_its_data_needs_it(make_api):
    keyed = make_api(api_key=KEY, hosts=("0.0.0.0",))
    for path in [*PAGES, "/assets/app.js"]:
        assert keyed.client.get(path).status_code == 200, path
    for path in ["/api/v1/task", "/api/v1/device/A/screenshot", "/tasks/1/x", "/assetsx", "/metrics"]:
        assert keyed.client.get(path).json()["code"] == 40101, path
    assert keyed.client.get("/api/v1/device", headers={"Authorization": f"Bearer {KEY}"}).json()["code"] == 0
