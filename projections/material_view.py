"""Material library usage: how often each file was posted, from `material-used` events."""

from __future__ import annotations

from collections.abc import Sequence

from projections.projection import Sql
from service.events import MaterialUsed
from service.store.records import RecordedEvent


class MaterialFold:
    """Uses per path (path, uses, last_used)."""

    types = frozenset({"material-used"})

    def __init__(self) -> None:
        self.uses: dict[str, list] = {}
        self.handlers = {"material-used": self.fold}  # replay calls it directly

    def feed(self, recorded: RecordedEvent) -> None:
        """Count each path of a material-used event."""
        if recorded.type == "material-used":
            self.fold(recorded.stream_id, recorded.version, recorded.recorded_at, recorded.event)

    def fold(self, stream_id: str, version: int, recorded_at: str, event: MaterialUsed) -> None:
        """Count each path of a material-used event, given its stored fields."""
        for path in event.paths:
            entry = self.uses.get(path)
            if entry is None:
                self.uses[path] = [path, 1, recorded_at]
            else:
                entry[1] += 1
                entry[2] = recorded_at

    def write(self, conn: Sql) -> None:
        """Rebuild: insert every count."""
        conn.executemany("INSERT INTO material_uses (path, uses, last_used) VALUES (?, ?, ?)", list(self.uses.values()))


class MaterialView:
    """`material_uses`."""

    tables = ("material_uses",)

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """Add the batch's uses to the stored counts."""
        if not any(r.type == "material-used" for r in events):
            return
        fold = MaterialFold()
        for recorded in events:
            fold.feed(recorded)
        conn.executemany(
            "INSERT INTO material_uses (path, uses, last_used) VALUES (?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET uses = material_uses.uses + excluded.uses, last_used = excluded.last_used",
            list(fold.uses.values()),
        )

    def rebuilder(self) -> MaterialFold:
        """Fold the whole log in memory."""
        return MaterialFold()
