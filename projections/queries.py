"""Read queries of the views, as the API asks them (plain SQL over the read connections)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from projections.task_view import COLUMNS as TASK_COLUMNS

TASK_SELECT = ", ".join(f"t.{column}" for column in TASK_COLUMNS)
INLINE_OFFSET = 10_000  # pages up to here are read on the event loop (well under a millisecond)


class Reads(Protocol):
    """What the queries need from the store."""

    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a read-only query."""

    async def lookup(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a short indexed read-only query (bounded: a page, a row, counters)."""


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """The list's filters; None means any."""

    status: int | None = None
    serial: str | None = None
    script_name: str | None = None
    source: str | None = None

    def where(self, alias: str = "") -> tuple[str, list[Any]]:
        """A WHERE clause (possibly empty) and its parameters."""
        clauses, params = [], []
        for column in ("status", "serial", "script_name", "source"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"{alias}{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


async def task_page(reads: Reads, where: TaskFilter, offset: int, limit: int) -> tuple[int, list[tuple]]:
    """(total matching, rows of the page), newest first, from one snapshot."""
    count_where, count_params = where.where()
    task_where, task_params = where.where("t.")
    run = reads.lookup if offset <= INLINE_OFFSET else reads.fetchall  # a deep page steps through the index
    rows = await run(
        f"SELECT c.total, {TASK_SELECT} FROM (SELECT COALESCE(SUM(n), 0) AS total FROM task_counts{count_where}) c "
        f"LEFT JOIN (SELECT * FROM tasks t{task_where} ORDER BY t.id DESC LIMIT ? OFFSET ?) t "
        f"ORDER BY t.id DESC",
        (*count_params, *task_params, limit, offset),
    )
    total = rows[0][0]
    return total, [row[1:] for row in rows if row[1] is not None]


async def task_by_id(reads: Reads, task_id: int) -> tuple | None:
    """One task row, or None if it does not exist (or was deleted)."""
    rows = await reads.lookup(f"SELECT {TASK_SELECT} FROM tasks t WHERE t.id = ?", (task_id,))
    return rows[0] if rows else None


async def task_stats(reads: Reads) -> dict[int, int]:
    """Tasks per status, from the counters."""
    rows = await reads.lookup("SELECT status, SUM(n) FROM task_counts GROUP BY status")
    return {status: n for status, n in rows}


async def devices(reads: Reads) -> list[tuple]:
    """(serial, model, state, online, busy, current_task_id, tasks_completed, tasks_failed) per phone."""
    return await reads.lookup(
        "SELECT serial, model, state, online, busy, current_task_id, tasks_completed, tasks_failed "
        "FROM devices ORDER BY serial")


async def accounts(reads: Reads, serial: str | None = None) -> list[tuple]:
    """(username, serial, package) per account, optionally on one phone."""
    if serial is None:
        return await reads.lookup("SELECT username, serial, package FROM accounts ORDER BY key")
    return await reads.lookup(
        "SELECT username, serial, package FROM accounts WHERE serial = ? ORDER BY key", (serial,))


async def account(reads: Reads, key: str) -> tuple | None:
    """(username, serial, package) of one account by its compared form."""
    rows = await reads.lookup("SELECT username, serial, package FROM accounts WHERE key = ?", (key,))
    return rows[0] if rows else None


async def accounts_by_device(reads: Reads) -> dict[str, list[str]]:
    """Usernames (as given) per serial, in registry order."""
    found: dict[str, list[str]] = {}
    for username, serial, _ in await accounts(reads):
        found.setdefault(serial, []).append(username)
    return found


async def online_serials(reads: Reads) -> set[str]:
    """Serials of the phones adb reports as `device`."""
    return {row[0] for row in await reads.lookup("SELECT serial FROM devices WHERE online = 1")}


async def failed_task_ids(reads: Reads) -> list[int]:
    """Every failed task, oldest first."""
    return [row[0] for row in await reads.fetchall("SELECT id FROM tasks WHERE status = 3 ORDER BY id")]
