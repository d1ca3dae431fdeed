"""A realistic event log for the API and replay benchmarks, written in bulk.

Per 20 tasks: 2 pending (created), 3 failed (created, started, step, failed) and 15 completed
(created, started, 3 steps, completed): 5.2 events per task, so 200,000 tasks make 1,040,000
events. No task is left running (the server would record them "interrupted by a restart" at
start) and no phone is online (no actor starts). Events are encoded by the production encoder
(`service.events.encode_event`) and inserted with executemany; the views are then built by
`droidledger replay` — the fold whose result must equal the writer's projections (invariant 2).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.events import (  # noqa: E402
    StepCompleted,
    TaskCompleted,
    TaskCreated,
    TaskFailed,
    TaskStarted,
    encode_event,
    event_type,
)
from service.store import operations  # noqa: E402
from service.store.locator import StoreLocator, locate  # noqa: E402

SERIALS = [f"BENCH{n:04d}" for n in range(20)]
SCRIPTS = ("follow", "comment", "account_warmup")
EVENTS_PER_TASK = 5.2
_CHUNK = 50_000


def _task_events(task_id: int) -> Iterator[object]:
    serial = SERIALS[task_id % len(SERIALS)]
    script = SCRIPTS[task_id % len(SCRIPTS)]
    config = (
        {"target_users": [f"user{task_id}"], "access_method": "direct"}
        if script == "follow"
        else {
            "target_post_urls": [f"https://www.tiktok.com/@u/video/73{task_id:017d}"],
            "comment_content": "Nice!",
            "comment_order": "random",
            "insert_emoji": False,
            "comment_image_path": "",
        }
        if script == "comment"
        else {"task_duration": 60, "topic": "cooking", "like_probable": 50, "collect_probable": 20}
    )
    yield TaskCreated(serial=serial, script_name=script, script_config=config)
    kind = task_id % 20
    if kind < 2:
        return  # pending
    yield TaskStarted(attempt=1, serial=serial, seed=task_id * 7919, steps=4)
    yield StepCompleted(attempt=1, index=1, name="prepare", detail="screen on, app ready", duration_ms=1200)
    if kind < 5:
        yield TaskFailed(attempt=1, step="open-profile", reason=f"user @user{task_id} not found")
        return
    yield StepCompleted(attempt=1, index=2, name="open-profile", detail=f"opened @user{task_id}", duration_ms=2100)
    yield StepCompleted(attempt=1, index=3, name="follow", detail=f"followed @user{task_id}", duration_ms=900)
    yield TaskCompleted(attempt=1, steps=3, duration_ms=4300)


def _rows(tasks: int) -> Iterator[tuple]:
    position = 0
    for task_id in range(1, tasks + 1):
        stream = f"task-{task_id}"
        recorded_at = f"2026-11-{1 + task_id % 28:02d}T10:{task_id % 60:02d}:00.000+00:00"
        for version, event in enumerate(_task_events(task_id), start=1):
            position += 1
            yield (position, stream, version, event_type(event), encode_event(event), recorded_at)


def write_events(db: StoreLocator | Path, tasks: int) -> int:
    """An empty store (a new SQLite file, or an empty PostgreSQL database or schema) whose log then
    holds the events of `tasks` tasks, views empty; the number of events."""
    locator = db if isinstance(db, StoreLocator) else locate(db)
    if locator.backend == "sqlite":
        locator.path.unlink(missing_ok=True)
    session = operations.maintenance(locator, sync="normal")
    try:
        session.begin()
        total = 0
        batch: list[tuple] = []
        for row in _rows(tasks):
            batch.append(row)
            if len(batch) == _CHUNK:
                session.insert_events(batch)
                total += len(batch)
                batch.clear()
        session.insert_events(batch)
        total += len(batch)
        session.commit()
    finally:
        session.close()
    return total


def replay(db: StoreLocator | Path) -> tuple[int, float, float]:
    """`droidledger replay --db db` in its own process: (events, seconds, events/s) as it reports them."""
    db = db.target if isinstance(db, StoreLocator) else db
    out = subprocess.run(
        [sys.executable, "-m", "service.cli", "replay", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = [line for line in out.splitlines() if line.startswith("rebuilt every view")][-1]
    words = line.replace("(", "").replace(",", "").split()
    return int(words[4]), float(words[7]), float(words[9])


def build(db: Path, tasks: int) -> int:
    """Events in bulk, then the views by `droidledger replay`; returns the number of events."""
    total = write_events(db, tasks)
    replay(db)
    return total
