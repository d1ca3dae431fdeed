"""Read queries of the views, as the API, the scheduler and the actors ask them: plain SQL over
the store's read connections (`?` placeholders, SQL both backends read), typed rows out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import msgspec

from projections.account_view import AccountRow
from projections.agent_view import COLUMNS as AGENT_COLUMNS
from projections.agent_view import AgentRow
from projections.device_view import COLUMNS as DEVICE_COLUMNS
from projections.device_view import DeviceRow
from projections.task_view import COLUMNS as TASK_COLUMNS
from projections.task_view import FAILED, PENDING, RUNNING, TaskRow
from service.domain.limits import Limits, limits_from
from service.store.side_tables import Reads

TASK_SELECT = ", ".join(f"t.{column}" for column in TASK_COLUMNS)
DEVICE_SELECT = ", ".join(DEVICE_COLUMNS)
AGENT_SELECT = ", ".join(AGENT_COLUMNS)
INLINE_OFFSET = 10_000  # pages up to here are read on the event loop (well under a millisecond)


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """The list's filters; None means any."""

    status: int | None = None
    serial: str | None = None
    script_name: str | None = None
    source: str | None = None
    username: str | None = None

    def where(self, alias: str = "", *, counters: bool = False) -> tuple[str, list[Any]]:
        """A WHERE clause (possibly empty) and its parameters; the counters have no username."""
        clauses, params = [], []
        for column in ("status", "serial", "script_name", "source", "username"):
            value = getattr(self, column)
            if value is not None:
                if counters and column == "username":
                    raise ValueError("the task counters are not kept per username")
                clauses.append(f"{alias}{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @property
    def empty(self) -> bool:
        """No filter at all: every task."""
        return all(getattr(self, name) is None for name in self.__slots__)


class TaskPage(NamedTuple):
    """A page of the task list and how many tasks match in all."""

    total: int
    tasks: list[TaskRow]


class PendingTask(NamedTuple):
    """A task waiting for its phone, as the scheduler queues it."""

    task_id: int
    serial: str
    start_time: str | None
    script_name: str = ""
    username: str | None = None
    waiting_reason: str | None = None  # what holds it, as recorded
    waiting_until: str | None = None
    dispatched_agent: str | None = None  # given to its phone's agent, not started yet
    dispatched_incarnation: str | None = None
    app: str = "tiktok"


class RestrictionRow(NamedTuple):
    """An account's last rest (it may have ended: compare `until` with now)."""

    key: str
    reason: str
    at: str
    until: str
    strike: int


class ActionCount(NamedTuple):
    """Actions one account did in one quarter hour."""

    key: str
    action: str
    bucket: int  # unix time of the quarter hour's start
    n: int


def limits_of_document(document: bytes) -> Limits:
    """A limits document as the safety view stores it."""
    fields = msgspec.json.decode(document)
    return limits_from(fields["daily"], fields["working_hours"], fields["timezone"], fields["cooldown_hours"])


def _keys(column: str, keys: Sequence[str] | None) -> tuple[str, list[str]]:
    """A WHERE clause for some accounts (none: all of them)."""
    if keys is None:
        return "", []
    return f" WHERE {column} IN ({','.join('?' * len(keys)) or 'NULL'})", list(keys)


class ViewQueries:
    """Typed reads of the views."""

    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def task_page(self, where: TaskFilter, offset: int, limit: int) -> TaskPage:
        """A page, newest first, and the total matching, from one snapshot (the total from the counters)."""
        task_where, task_params = where.where("t.")
        if where.username is None:
            count_where, count_params = where.where(counters=True)
            total = f"SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS total FROM task_counts{count_where}"
        else:  # the counters know no usernames: count the rows (an account has few tasks)
            count_where, count_params = where.where()
            total = f"SELECT COUNT(*) AS total FROM tasks{count_where}"
        run = (
            self._reads.lookup if offset <= INLINE_OFFSET else self._reads.fetchall
        )  # a deep page steps through the index
        rows = await run(
            f"SELECT c.total, {TASK_SELECT} FROM ({total}) c "
            f"LEFT JOIN (SELECT * FROM tasks t{task_where} ORDER BY t.id DESC LIMIT ? OFFSET ?) t ON TRUE "
            f"ORDER BY t.id DESC",
            (*count_params, *task_params, limit, offset),
        )
        return TaskPage(rows[0][0], [TaskRow(*row[1:]) for row in rows if row[1] is not None])

    async def task(self, task_id: int) -> TaskRow | None:
        """One task, or None if it does not exist (or was deleted)."""
        rows = await self._reads.lookup(f"SELECT {TASK_SELECT} FROM tasks t WHERE t.id = ?", (task_id,))
        return TaskRow(*rows[0]) if rows else None

    async def task_counts(self) -> dict[int, int]:
        """Tasks per status, from the counters."""
        rows = await self._reads.lookup("SELECT status, CAST(SUM(n) AS BIGINT) FROM task_counts GROUP BY status")
        return {status: n for status, n in rows}

    async def task_ids(self, where: TaskFilter) -> list[int]:
        """The ids of every task matching, oldest first."""
        clause, params = where.where()
        return [row[0] for row in await self._reads.fetchall(f"SELECT id FROM tasks{clause} ORDER BY id", params)]

    async def failed_task_ids(self) -> list[int]:
        """Every failed task, oldest first."""
        return await self.task_ids(TaskFilter(status=FAILED))

    async def pending_tasks(self) -> list[PendingTask]:
        """Every pending task, by id."""
        rows = await self._reads.fetchall(
            "SELECT id, serial, start_time, script_name, username, waiting_reason, waiting_until, dispatched_agent, "
            "dispatched_incarnation, app FROM tasks WHERE status = ? ORDER BY id",
            (PENDING,),
        )
        return [PendingTask(*row) for row in rows]

    async def running_task_ids(self) -> list[int]:
        """Tasks the views show running, or a phone shows busy with: what a restart interrupted."""
        rows = await self._reads.fetchall(
            "SELECT id FROM tasks WHERE status = ? UNION SELECT current_task_id FROM devices "
            "WHERE current_task_id IS NOT NULL ORDER BY 1",
            (RUNNING,),
        )
        return [row[0] for row in rows]

    async def last_task_id(self) -> int:
        """The highest task id ever created (deleted ones included), 0 before the first."""
        rows = await self._reads.lookup("SELECT last_id FROM task_sequence")
        return rows[0][0] if rows else 0

    async def devices(self) -> list[DeviceRow]:
        """Every phone the service has seen, by serial."""
        return [
            DeviceRow(*row) for row in await self._reads.lookup(f"SELECT {DEVICE_SELECT} FROM devices ORDER BY serial")
        ]

    async def device(self, serial: str) -> DeviceRow | None:
        """One phone, or None if adb never listed it."""
        rows = await self._reads.lookup(f"SELECT {DEVICE_SELECT} FROM devices WHERE serial = ?", (serial,))
        return DeviceRow(*rows[0]) if rows else None

    async def agents(self) -> list[AgentRow]:
        """Every agent name's last incarnation, by name."""
        return [AgentRow(*row) for row in await self._reads.lookup(f"SELECT {AGENT_SELECT} FROM agents ORDER BY name")]

    async def online_serials(self) -> set[str]:
        """Serials of the phones adb reports as `device`."""
        return {row[0] for row in await self._reads.lookup("SELECT serial FROM devices WHERE online = 1")}

    async def accounts(self, serial: str | None = None) -> list[AccountRow]:
        """Accounts of the registry, optionally on one phone, by compared form."""
        if serial is None:
            rows = await self._reads.lookup("SELECT key, username, serial, package FROM accounts ORDER BY key")
        else:
            rows = await self._reads.lookup(
                "SELECT key, username, serial, package FROM accounts WHERE serial = ? ORDER BY key", (serial,)
            )
        return [AccountRow(*row) for row in rows]

    async def account(self, key: str) -> AccountRow | None:
        """One account by its compared form."""
        rows = await self._reads.lookup("SELECT key, username, serial, package FROM accounts WHERE key = ?", (key,))
        return AccountRow(*rows[0]) if rows else None

    async def material_uses(self) -> dict[str, int]:
        """How often each library file was posted, by path."""
        return dict(await self._reads.fetchall("SELECT path, uses FROM material_uses"))

    async def default_limits(self) -> Limits | None:
        """The limits of every account that sets none of its own, if any were set."""
        rows = await self._reads.lookup("SELECT document FROM default_limits")
        return limits_of_document(bytes(rows[0][0])) if rows else None

    async def account_limits(self, keys: Sequence[str] | None = None) -> dict[str, Limits]:
        """Accounts' own limits by compared form (those that set some)."""
        where, params = _keys("key", keys)
        rows = await self._reads.lookup(f"SELECT key, document FROM account_limits{where}", params)
        return {key: limits_of_document(bytes(document)) for key, document in rows}

    async def restrictions(self, keys: Sequence[str] | None = None) -> dict[str, RestrictionRow]:
        """Accounts' last rests, unless cleared (some may have ended)."""
        where, params = _keys("key", keys)
        rows = await self._reads.lookup(
            f"SELECT key, reason, at, until, strike FROM account_restrictions{where}", params
        )
        return {row[0]: RestrictionRow(*row) for row in rows}

    async def action_counts(self, keys: Sequence[str] | None, since: int, until: int) -> list[ActionCount]:
        """Actions per account and quarter hour, for buckets in [since, until) (unix times)."""
        where, params = _keys("key", keys)
        clause = f"{where} AND" if where else " WHERE"
        rows = await self._reads.lookup(
            f"SELECT key, action, bucket, n FROM account_actions{clause} bucket >= ? AND bucket < ?",
            (*params, since, until),
        )
        return [ActionCount(*row) for row in rows]

    async def safety_counters(self) -> dict[str, int]:
        """Holds by kind ("held:daily_limit", ...) and restrictions ("restrictions"), ever."""
        return dict(await self._reads.lookup("SELECT name, n FROM safety_counters"))

    async def waiting_counts(self) -> dict[str, int]:
        """Pending tasks held now, by what holds them."""
        return dict(
            await self._reads.lookup(
                "SELECT waiting_kind, COUNT(*) FROM tasks WHERE waiting_kind IS NOT NULL GROUP BY waiting_kind"
            )
        )
