"""The agents view: each agent name's last incarnation and its state (alive, stopped, lost)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from projections.projection import Sql
from service.events import AgentLost, AgentStarted, AgentStopped
from service.store.records import RecordedEvent

_PREFIX = "agent-"
_TYPES = frozenset({"agent-started", "agent-stopped", "agent-lost"})


class AgentRow(msgspec.Struct, array_like=True, gc=False):
    """A row of `agents`, field order = column order."""

    name: str
    incarnation: str
    host: str
    pid: int
    lease_s: float
    shard: str
    state: str  # alive, stopped or lost
    started_at: str
    ended_at: str | None
    reason: str | None


COLUMNS = AgentRow.__struct_fields__
_UPSERT = (
    f"INSERT INTO agents ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT (name) "
    f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS if c != 'name')}"
)


class AgentFold:
    """Agent rows by name."""

    types = _TYPES

    def __init__(self, rows: dict[str, AgentRow] | None = None) -> None:
        self.rows = rows if rows is not None else {}
        self.changed: set[str] = set()
        self.handlers = dict.fromkeys(_TYPES, self.fold)  # replay calls it directly

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one event of an agent stream."""
        if recorded.type in _TYPES:
            self.fold(recorded.stream_id, recorded.version, recorded.recorded_at, recorded.event)

    def fold(self, stream_id: str, version: int, recorded_at: str, event: object) -> None:
        """Fold one event, given its stored fields."""
        name = stream_id[len(_PREFIX) :]
        row = self.rows.get(name)
        if type(event) is AgentStarted:
            self.rows[name] = AgentRow(
                name,
                event.incarnation,
                event.host,
                event.pid,
                event.lease_s,
                event.shard,
                "alive",
                recorded_at,
                None,
                None,
            )
        elif row is not None and type(event) in (AgentStopped, AgentLost) and row.incarnation == event.incarnation:
            row.state = "stopped" if type(event) is AgentStopped else "lost"
            row.ended_at = recorded_at
            row.reason = event.reason if type(event) is AgentStopped else f"no heartbeat for {event.silent_s:.0f} s"
        else:
            return
        self.changed.add(name)

    def write(self, conn: Sql) -> None:
        """Write the rows that changed."""
        if self.changed:
            conn.executemany(_UPSERT, [msgspec.structs.astuple(self.rows[n]) for n in sorted(self.changed)])


class AgentView:
    """`agents`."""

    tables = ("agents",)

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """Agent events set their agent's row (a few rows, read when one changes)."""
        names = sorted({r.stream_id[len(_PREFIX) :] for r in events if r.type in _TYPES})
        if not names:
            return
        marks = ",".join("?" * len(names))
        rows = {
            values[0]: AgentRow(*values)
            for values in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM agents WHERE name IN ({marks})", names)
        }
        fold = AgentFold(rows)
        for recorded in events:
            fold.feed(recorded)
        fold.write(conn)

    def rebuilder(self) -> AgentFold:
        """Fold the whole log in memory."""
        return AgentFold()
