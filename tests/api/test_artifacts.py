"""GET /task/{id}/artifacts/{name}: a file saved when the task failed, served as is."""

from __future__ import annotations

import pytest


@pytest.fixture
def saved(api, tmp_path):
    folder = tmp_path / "artifacts" / "1"
    folder.mkdir(parents=True)
    (folder / "hierarchy.xml").write_text("<hierarchy rotation=\"0\"/>")
    (tmp_path / "artifacts" / "secret.txt").write_text("not an artifact of task 1")
    return api


def test_an_artifact_is_served_as_the_file_itself(saved):
    response = saved.client.get("/api/v1/task/1/artifacts/hierarchy.xml")
    assert response.status_code == 200
    assert response.content == b'<hierarchy rotation="0"/>'


@pytest.mark.parametrize("path", ["/api/v1/task/1/artifacts/screen.png", "/api/v1/task/2/artifacts/hierarchy.xml",
                                  "/api/v1/task/1/artifacts/..%2Fsecret.txt", "/api/v1/task/1/artifacts/%2E%2E",
                                  "/api/v1/task/x/artifacts/hierarchy.xml"])
def test_anything_else_is_40401(saved, path):
    response = saved.client.get(path)
    saved.error(response, 40401, 404)
    assert "not an artifact" not in response.text
