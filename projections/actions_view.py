"""What each account really did on the platform, per action, in quarter hours (UTC): the
step-completed events name the actions and the accounts. A day in any time zone is a whole
number of quarter hours (every zone's offset is), so today's counts in an account's zone are
a sum of buckets, whatever the zone and across clock changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from projections.projection import Sql
from service.store.records import RecordedEvent

BUCKET_S = 15 * 60


def bucket_of(moment: datetime) -> int:
    """The quarter hour holding a moment, as the unix time of its start."""
    seconds = int(moment.timestamp())
    return seconds - seconds % BUCKET_S


class ActionsFold:
    """(account, action, bucket) -> actions done."""

    types = frozenset({"step-completed"})

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.handlers = {"step-completed": self.fold}  # replay calls it directly

    def feed(self, recorded: RecordedEvent) -> None:
        """Count a step's actions."""
        if recorded.type == "step-completed":
            self.fold(recorded.stream_id, recorded.version, recorded.recorded_at, recorded.event)

    def fold(self, stream_id: str, version: int, recorded_at: str, event: Any) -> None:
        """Count a step's actions for each of its accounts, given the event's stored fields."""
        if event.actions and event.accounts:
            bucket = bucket_of(datetime.fromisoformat(recorded_at))
            for account in event.accounts:
                for action in event.actions:
                    self.counts[(account, action, bucket)] += 1

    def write(self, conn: Sql) -> None:
        """Add the counts to the stored ones."""
        if self.counts:
            conn.executemany(
                "INSERT INTO account_actions (key, action, bucket, n) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key, action, bucket) DO UPDATE SET n = account_actions.n + excluded.n",
                [(*key, n) for key, n in sorted(self.counts.items())],
            )


class ActionsView:
    """`account_actions`."""

    tables = ("account_actions",)

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """Add the batch's actions."""
        if not any(r.type == "step-completed" for r in events):
            return
        fold = ActionsFold()
        for recorded in events:
            fold.feed(recorded)
        fold.write(conn)

    def rebuilder(self) -> ActionsFold:
        """Fold the whole log in memory."""
        return ActionsFold()
