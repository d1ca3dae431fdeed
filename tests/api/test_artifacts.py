"""GET /task/{id}/artifacts/{name}: a file a `failed` event recorded, served as is; any other
name is 40401 before the disk is touched."""

from __future__ import annotations

import pytest

from service.domain.task import FailTask


@pytest.fixture
def saved(api, tmp_path):
    task_id = api.create_one()
    api.start(task_id)
    folder = tmp_path / "artifacts" / str(task_id)
    folder.mkdir(parents=True)
    (folder / "attempt1-follow-hierarchy.xml").write_text('<hierarchy rotation="0"/>')
    (folder / "unrecorded.xml").write_text("not an artifact of task 1")
    (tmp_path / "artifacts" / "secret.txt").write_text("not an artifact of task 1")
    api.client.blocking_portal.call(
        api.runtime.tasks.execute,
        task_id,
        FailTask(reason="user @x not found", step="follow", artifacts=("attempt1-follow-hierarchy.xml", "gone.png")),
    )
    return api


def test_an_artifact_is_served_as_the_file_itself(saved):
    response = saved.client.get("/api/v1/task/1/artifacts/attempt1-follow-hierarchy.xml")
    assert response.status_code == 200
    assert response.content == b'<hierarchy rotation="0"/>'


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/task/1/artifacts/screen.png",
        "/api/v1/task/2/artifacts/attempt1-follow-hierarchy.xml",
        "/api/v1/task/1/artifacts/unrecorded.xml",
        "/api/v1/task/1/artifacts/..%2Fsecret.txt",
        "/api/v1/task/1/artifacts/%2E%2E",
        "/api/v1/task/x/artifacts/attempt1-follow-hierarchy.xml",
        "/api/v1/task/1/artifacts/%00",
        "/api/v1/task/1/artifacts/a%00b.xml",
        "/api/v1/task/1/artifacts/" + "a" * 5000,
        "/api/v1/task/1/artifacts/%ED%A0%80",
        "/api/v1/task/1/artifacts/%5C..%5Csecret.txt",
    ],
)
def test_any_name_no_failed_event_recorded_is_40401(saved, path, caplog):
    response = saved.client.get(path)
    saved.error(response, 40401, 404)
    assert "not an artifact" not in response.text
    assert "Traceback" not in caplog.text


def test_a_recorded_artifact_removed_from_disk_is_40401_saying_so(saved):
    saved.error(saved.client.get("/api/v1/task/1/artifacts/gone.png"), 40401, 404, "no longer on disk")
