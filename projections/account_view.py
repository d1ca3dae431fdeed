"""The account registry: which account lives on which phone, under which app package."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from projections.projection import Sql
from service.events import REGISTRY_EVENT_TYPES, AccountRegistered, AccountRemoved
from service.store.records import RecordedEvent

_PREFIX = "account-"


class AccountRow(NamedTuple):
    """A row of `accounts`."""

    key: str  # the compared form: no leading @, casefolded
    username: str  # as given
    serial: str
    package: str


class AccountFold:
    """Accounts keyed by their compared form (the stream id's suffix)."""

    types = REGISTRY_EVENT_TYPES

    def __init__(self) -> None:
        self.rows: dict[str, AccountRow | None] = {}
        self.handlers = dict.fromkeys(self.types, self.fold)  # replay calls it directly

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one event of any stream (other streams are skipped)."""
        self.fold(recorded.stream_id, recorded.version, recorded.recorded_at, recorded.event)

    def fold(self, stream_id: str, version: int, recorded_at: str, event: object) -> None:
        """Fold one event, given its stored fields."""
        if not stream_id.startswith(_PREFIX):
            return
        key = stream_id[len(_PREFIX) :]
        if type(event) is AccountRegistered:
            self.rows[key] = AccountRow(key, event.username, event.serial, event.package)
        elif type(event) is AccountRemoved:
            self.rows[key] = None

    def write(self, conn: Sql) -> None:
        """Upsert registered accounts, delete removed ones."""
        removed = [(key,) for key, row in self.rows.items() if row is None]
        if removed:
            conn.executemany("DELETE FROM accounts WHERE key = ?", removed)
        present = [row for row in self.rows.values() if row is not None]
        if present:
            conn.executemany(
                "INSERT INTO accounts (key, username, serial, package) VALUES (?, ?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET username = excluded.username, serial = excluded.serial, "
                "package = excluded.package",
                present,
            )


class AccountView:
    """`accounts`."""

    tables = ("accounts",)

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """Account events set or clear their row; nothing needs the previous row."""
        if not any(r.type in REGISTRY_EVENT_TYPES for r in events):
            return
        fold = AccountFold()
        for recorded in events:
            fold.feed(recorded)
        fold.write(conn)

    def rebuilder(self) -> AccountFold:
        """Fold the whole log in memory."""
        return AccountFold()
