"""The tables kept beside the log on purpose (secrets, idempotency keys): their SQL, for both
backends (`?` placeholders; upserts name their conflict target)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from service.store.records import (
    EraseSecrets,
    IdempotentResponse,
    RememberResponse,
    SaveSecrets,
    SideWrite,
    StartHeartbeat,
)


class Reads(Protocol):
    """Read-only queries on the store's read connections (`?` placeholders)."""

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a query."""

    async def lookup(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a short indexed query (bounded: a page, a row, counters)."""


def statements(write: SideWrite, now_sql: str) -> list[tuple[str, tuple]]:
    """The statements of one side write, run in the transaction of the events it belongs to;
    `now_sql` is the backend's expression of the database's clock in unix seconds."""
    match write:
        case StartHeartbeat(name, incarnation):
            return [
                (
                    f"INSERT INTO agent_heartbeats (name, incarnation, beat_at) VALUES (?, ?, {now_sql}) "
                    "ON CONFLICT (name) DO UPDATE SET incarnation = excluded.incarnation, beat_at = excluded.beat_at",
                    (name, incarnation),
                )
            ]
        case SaveSecrets(task_id, secrets):
            return [
                ("INSERT INTO secrets (task_id, name, value) VALUES (?, ?, ?)", (task_id, name, value))
                for name, value in secrets.items()
            ]
        case EraseSecrets(task_id):
            return [("DELETE FROM secrets WHERE task_id = ?", (task_id,))]
        case RememberResponse(key, body_hash, response, created_at, replaces_before):
            return [
                ("DELETE FROM idempotency_keys WHERE key = ? AND created_at < ?", (key, replaces_before)),
                (
                    "INSERT INTO idempotency_keys (key, body_hash, response, created_at) VALUES (?, ?, ?, ?)",
                    (key, body_hash, response, created_at),
                ),
            ]
    raise TypeError(f"not a side write: {write!r}")


def beat(name: str, incarnation: str, now_sql: str) -> tuple[str, tuple]:
    """Renew a live incarnation's heartbeat; returns its name only while the log says it is alive."""
    return (
        f"UPDATE agent_heartbeats SET beat_at = {now_sql} WHERE name = ? AND incarnation = ? AND EXISTS "
        "(SELECT 1 FROM agents a WHERE a.name = ? AND a.incarnation = ? AND a.state = 'alive') RETURNING name",
        (name, incarnation, name, incarnation),
    )


class SideTables:
    """Typed reads of the side tables."""

    def __init__(self, reads: Reads, now_sql: str) -> None:
        self._reads = reads
        self._now_sql = now_sql

    async def agent_silences(self) -> dict[str, tuple[str, float]]:
        """Each live agent's incarnation and the seconds since its last heartbeat (database clock)."""
        rows = await self._reads.fetchall(
            f"SELECT h.name, h.incarnation, {self._now_sql} - h.beat_at FROM agent_heartbeats h "
            "JOIN agents a ON a.name = h.name AND a.incarnation = h.incarnation WHERE a.state = 'alive'"
        )
        return {name: (incarnation, float(silent)) for name, incarnation, silent in rows}

    async def secrets(self, task_id: int) -> dict[str, str]:
        """A task's secrets by name (empty once it was deleted)."""
        return dict(await self._reads.lookup("SELECT name, value FROM secrets WHERE task_id = ?", (task_id,)))

    async def idempotent_response(self, key: str) -> IdempotentResponse | None:
        """What an Idempotency-Key remembers, if anything."""
        rows = await self._reads.lookup(
            "SELECT body_hash, response, created_at FROM idempotency_keys WHERE key = ?", (key,)
        )
        return IdempotentResponse(rows[0][0], bytes(rows[0][1]), rows[0][2]) if rows else None
