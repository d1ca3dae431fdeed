"""Account safety: the default limits, each account's own limits, the rest an account takes after
the platform warned it, and the counters of holds and restrictions behind /metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import msgspec

from projections.projection import Sql
from service.events import LIMITS_STREAM
from service.store.records import RecordedEvent

_PREFIX = "account-"
_encode = msgspec.json.Encoder().encode
TYPES = frozenset({"default-limits-set", "limits-set", "account-restricted", "restriction-cleared", "held"})
RESTRICTIONS = "restrictions"  # the counter of restrictions; holds count under "held:<kind>"


def limits_document(event: Any) -> bytes:
    """The stored form of a limits-set or default-limits-set event's document."""
    return _encode(
        {
            "daily": event.daily,
            "working_hours": event.working_hours,
            "timezone": event.timezone,
            "cooldown_hours": event.cooldown_hours,
        }
    )


class SafetyFold:
    """Limits and restrictions by account (None: delete the row), the defaults, counter increments."""

    types = TYPES

    def __init__(self) -> None:
        self.defaults: bytes | None = None
        self.limits: dict[str, bytes] = {}
        self.restrictions: dict[str, tuple | None] = {}
        self.counters: Counter = Counter()
        self.handlers = dict.fromkeys(self.types, self.fold)  # replay calls it directly

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one event of any type (others are skipped)."""
        if recorded.type in self.types:
            self.fold(recorded.stream_id, recorded.version, recorded.recorded_at, recorded.event)

    def fold(self, stream_id: str, version: int, recorded_at: str, event: Any) -> None:
        """Fold one event, given its stored fields."""
        kind = event.__struct_config__.tag
        if kind == "held":
            self.counters[f"held:{event.kind}"] += 1
        elif kind == "default-limits-set" and stream_id == LIMITS_STREAM:
            self.defaults = limits_document(event)
        elif stream_id.startswith(_PREFIX):
            key = stream_id[len(_PREFIX) :]
            if kind == "limits-set":
                self.limits[key] = limits_document(event)
            elif kind == "account-restricted":
                self.restrictions[key] = (key, event.reason, event.at, event.until, event.strike)
                self.counters[RESTRICTIONS] += 1
            elif kind == "restriction-cleared":
                self.restrictions[key] = None

    def write(self, conn: Sql) -> None:
        """Upsert what changed, delete lifted restrictions, add to the counters."""
        if self.defaults is not None:
            conn.execute(
                "INSERT INTO default_limits (one, document) VALUES (1, ?) ON CONFLICT (one) "
                "DO UPDATE SET document = excluded.document",
                (self.defaults,),
            )
        if self.limits:
            conn.executemany(
                "INSERT INTO account_limits (key, document) VALUES (?, ?) ON CONFLICT (key) "
                "DO UPDATE SET document = excluded.document",
                list(self.limits.items()),
            )
        lifted = [(key,) for key, row in self.restrictions.items() if row is None]
        if lifted:
            conn.executemany("DELETE FROM account_restrictions WHERE key = ?", lifted)
        current = [row for row in self.restrictions.values() if row is not None]
        if current:
            conn.executemany(
                "INSERT INTO account_restrictions (key, reason, at, until, strike) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET reason = excluded.reason, at = excluded.at, until = excluded.until, "
                "strike = excluded.strike",
                current,
            )
        if self.counters:
            conn.executemany(
                "INSERT INTO safety_counters (name, n) VALUES (?, ?) ON CONFLICT (name) "
                "DO UPDATE SET n = safety_counters.n + excluded.n",
                sorted(self.counters.items()),
            )


class SafetyView:
    """`default_limits`, `account_limits`, `account_restrictions` and `safety_counters`."""

    tables = ("default_limits", "account_limits", "account_restrictions", "safety_counters")

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """Every row follows from the batch's events alone: fold them and write."""
        if not any(r.type in TYPES for r in events):
            return
        fold = SafetyFold()
        for recorded in events:
            fold.feed(recorded)
        fold.write(conn)

    def rebuilder(self) -> SafetyFold:
        """Fold the whole log in memory."""
        return SafetyFold()
