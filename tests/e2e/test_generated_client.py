"""REST users generate clients from the served OpenAPI schema: openapi-python-client makes one
with no warning, with readable names, and it drives create → get → stop → an error against a
real `serve` process."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.harness.server import ServeProcess

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX processes")

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("generated")
    with ServeProcess(home / "data", "--sync", "normal", "--no-access-log") as server:
        yield server, home


@pytest.fixture(scope="module")
def client_package(served):
    server, home = served
    schema = home / "openapi.json"
    schema.write_bytes(httpx.get(f"{server.origin}/schema/openapi.json", timeout=10).content)
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ['PATH']}"}  # its ruff post-hook
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(home / "droidledger_client"),
        ],
        capture_output=True,
        text=True,
        cwd=home,
        env=env,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return home, run.stdout + run.stderr


def test_the_generator_has_nothing_to_warn_about(client_package):
    _, output = client_package
    assert "warning" not in output.lower(), output


def test_operations_and_models_have_readable_names(client_package):
    home, _ = client_package
    package = home / "droidledger_client"
    operations = {p.stem for p in (package / "api" / "default").glob("*.py")} - {"__init__"}
    assert {
        "create_tasks",
        "list_tasks",
        "get_task",
        "stop_task",
        "retry_task",
        "delete_task",
        "delete_tasks",
        "task_stats",
        "get_task_events",
        "list_events",
        "get_artifact",
        "list_devices",
        "list_accounts",
        "register_account",
        "forget_account",
        "check_license",
        "get_health",
    } <= operations
    models = {p.stem for p in (package / "models").glob("*.py")}
    assert {"create_task_body", "task_list", "task_out", "error_envelope", "task_list_envelope"} <= models


def test_the_generated_client_creates_gets_stops_and_reads_an_error(served, client_package, monkeypatch):
    server, home = served
    monkeypatch.syspath_prepend(str(home))
    models = importlib.import_module("droidledger_client.models")

    def call(operation: str, *args, **kwargs):
        return importlib.import_module(f"droidledger_client.api.default.{operation}").sync(
            *args, client=client, **kwargs
        )

    with importlib.import_module("droidledger_client").Client(base_url=server.origin) as client:
        body = models.CreateTaskBody.from_dict(
            {"serials": ["P1"], "script_name": "follow", "script_config": {"target_user": "alice"}}
        )
        created = call("create_tasks", body=body)
        assert isinstance(created, models.CreatedTasksEnvelope) and created.code == 0
        task_id = created.data.task_ids[0]
        task = call("get_task", str(task_id))
        assert (task.code, task.data.id, task.data.status_text) == (0, task_id, "pending")
        stopped = call("stop_task", str(task_id))
        assert (stopped.code, stopped.data.status_text) == (0, "failed")
        # An error arrives with HTTP 200 by default: the client reads its code from the body.
        missing = call("get_task", "999")
        assert (missing.code, missing.data) == (40401, None) and "not found" in missing.message
