"""The tables kept beside the log on purpose (secrets, idempotency keys): their SQL, for both
backends (`?` placeholders; upserts name their conflict target)."""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from service.store.records import EraseSecrets, IdempotentResponse, RememberResponse, SaveSecrets, SideWrite


class Reads(Protocol):
    """Read-only queries on the store's read connections (`?` placeholders)."""

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a query."""

    async def lookup(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a short indexed query (bounded: a page, a row, counters)."""


def statements(write: SideWrite) -> list[tuple[str, tuple]]:
    """The statements of one side write, run in the transaction of the events it belongs to."""
    match write:
        case SaveSecrets(task_id, secrets):
            return [("INSERT INTO secrets (task_id, name, value) VALUES (?, ?, ?)", (task_id, name, value))
                    for name, value in secrets.items()]
        case EraseSecrets(task_id):
            return [("DELETE FROM secrets WHERE task_id = ?", (task_id,))]
        case RememberResponse(key, body_hash, response, created_at):
            return [("INSERT INTO idempotency_keys (key, body_hash, response, created_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET body_hash = excluded.body_hash, response = excluded.response, "
                     "created_at = excluded.created_at", (key, body_hash, response, created_at))]
    raise TypeError(f"not a side write: {write!r}")


class SideTables:
    """Typed reads of the side tables."""

    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def secrets(self, task_id: int) -> dict[str, str]:
        """A task's secrets by name (empty once it was deleted)."""
        return dict(await self._reads.lookup("SELECT name, value FROM secrets WHERE task_id = ?", (task_id,)))

    async def idempotent_response(self, key: str) -> IdempotentResponse | None:
        """What an Idempotency-Key remembers, if anything."""
        rows = await self._reads.lookup(
            "SELECT body_hash, response, created_at FROM idempotency_keys WHERE key = ?", (key,))
        return IdempotentResponse(rows[0][0], bytes(rows[0][1]), rows[0][2]) if rows else None
