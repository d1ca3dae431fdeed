"""A served instance to fuzz: `serve --sim 2` seeded with accounts and tasks in every state,
so that generated ids and names reach real rows and not only 404s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.harness import database
from tests.support.harness.fuzz import FuzzReport, run_fuzz
from tests.support.harness.server import ServeProcess


def seed_tasks(base_url: str, headers: dict[str, str] | None = None) -> list[int]:
    """Accounts, and tasks pending, stopped, retried, deleted and run; their ids."""
    with httpx.Client(base_url=base_url, timeout=30, headers=headers or {}) as http:
        serials = [d["serial"] for d in http.get("/device").json()["data"]["devices"]]
        http.post("/account", json={"username": "bob", "serial": serials[0]})
        ids = http.post(
            "/task",
            json={
                "serials": [*serials, "offline-1"],
                "script_name": "follow",
                "script_config": {"target_users": ["a", "b", "c"]},
            },
        ).json()["data"]["task_ids"]
        ids += http.post(
            "/task", json={"serials": ["offline-2"], "script_name": "post", "script_config": {}, "start_time": "23:59"}
        ).json()["data"]["task_ids"]
        http.post(f"/task/{ids[-1]}/stop")
        http.post(f"/task/{ids[-1]}/retry")
        http.post(f"/task/{ids[-2]}/stop")
        http.delete(f"/task/{ids[-3]}")
    return ids


def fuzz_served(
    folder: Path, *, per_operation: int, seed: int = 0, progress: Callable[[str], None] = print
) -> tuple[FuzzReport, dict]:
    """Start a server, seed it, fuzz it, stop it; the report and the database checks afterwards."""
    # --rest-status: the envelope rule also checks that each code's HTTP status matches it.
    server = ServeProcess(
        folder / "data",
        "--sim",
        "2",
        "--time-scale",
        "0.01",
        "--no-access-log",
        "--rest-status",
        log_path=folder / "serve.log",
    )
    try:
        server.start().wait_ready()
        ids = seed_tasks(server.base_url)
        report = run_fuzz(server.origin, per_operation=per_operation, seed=seed, task_ids=ids, progress=progress)
        exit_code = server.stop()
    finally:
        server.kill()
    copy = database.copy_database(server.db_path, folder / "final")
    replay = database.views_equal_replay(database.copy_database(server.db_path, folder / "replayed"))
    after = {
        "clean_stop_exit": exit_code,
        "integrity": database.integrity(copy),
        "views_equal_replay": replay.equal,
        "tracebacks_in_log": server.output().count("Traceback"),
    }
    return report, after
