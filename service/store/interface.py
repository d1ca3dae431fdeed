"""The store interface everything outside the store uses; two backends implement it:
`SQLiteEventStore` (`service/store/sqlite/`) and `PostgresEventStore` (`service/store/postgresql/`).

Handlers, the scheduler, the actors and the API depend on `EventStore` only, so they run on
either backend and can be unit-tested against a fake (`tests/support/fake_store.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from projections.account_view import AccountRow
from projections.agent_view import AgentRow
from projections.device_view import DeviceRow
from projections.queries import ActionCount, PendingTask, RestrictionRow, TaskFilter, TaskPage
from projections.task_view import TaskRow
from service.domain.limits import Limits
from service.store.records import Fence, IdempotentResponse, RecordedEvent, SideWrite, StreamAppend
from service.store.write_stats import WriteStats


class ReadModel(Protocol):
    """Typed reads of the views (`projections/queries.py` over SQL)."""

    async def task_page(self, where: TaskFilter, offset: int, limit: int) -> TaskPage: ...
    async def task(self, task_id: int) -> TaskRow | None: ...
    async def task_counts(self) -> dict[int, int]: ...
    async def task_ids(self, where: TaskFilter) -> list[int]: ...
    async def failed_task_ids(self) -> list[int]: ...
    async def pending_tasks(self) -> list[PendingTask]: ...
    async def running_task_ids(self) -> list[int]: ...
    async def last_task_id(self) -> int: ...
    async def devices(self) -> list[DeviceRow]: ...
    async def device(self, serial: str) -> DeviceRow | None: ...
    async def online_serials(self) -> set[str]: ...
    async def agents(self) -> list[AgentRow]: ...
    async def accounts(self, serial: str | None = None) -> list[AccountRow]: ...
    async def account(self, key: str) -> AccountRow | None: ...
    async def material_uses(self) -> dict[str, int]: ...
    async def default_limits(self) -> Limits | None: ...
    async def account_limits(self, keys: Sequence[str] | None = None) -> dict[str, Limits]: ...
    async def restrictions(self, keys: Sequence[str] | None = None) -> dict[str, RestrictionRow]: ...
    async def action_counts(self, keys: Sequence[str] | None, since: int, until: int) -> list[ActionCount]: ...
    async def safety_counters(self) -> dict[str, int]: ...
    async def waiting_counts(self) -> dict[str, int]: ...


class SideReads(Protocol):
    """Typed reads of the tables kept beside the log (`service/store/side_tables.py`)."""

    async def agent_silences(self) -> dict[str, tuple[str, float]]: ...
    async def secrets(self, task_id: int) -> dict[str, str]: ...
    async def idempotent_response(self, key: str) -> IdempotentResponse | None: ...


class EventStore(Protocol):
    """The append-only log, its views kept in step, and how to follow it."""

    backend: str  # "sqlite" or "postgresql"
    views: ReadModel
    side: SideReads

    @property
    def position(self) -> int:
        """The log's last position this process knows committed; nothing below it is missing."""

    @property
    def stats(self) -> WriteStats:
        """What this process's writer has done, for /metrics."""

    @property
    def location(self) -> str:
        """Where the log is (a path, or a URL without its password)."""

    def running(self) -> AbstractAsyncContextManager[EventStore]:
        """Open, serve until the block exits, drain the writer and close."""

    async def append(
        self, *appends: StreamAppend, side_writes: Sequence[SideWrite] = (), fence: Fence | None = None
    ) -> list[RecordedEvent]:
        """Append to one or more streams and write the side tables, atomically, with every view
        updated in the same transaction; the recorded events once durable.

        ConcurrencyError when a stream is not at its expected version; FencedOff when `fence`'s
        phone no longer belongs to its agent incarnation (checked in the same transaction);
        StoreError otherwise.
        """

    async def beat(self, name: str, incarnation: str) -> bool:
        """Renew an agent incarnation's heartbeat with the database's clock; False once it is no
        longer the live incarnation of its name."""

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        """A stream's events after a version, oldest first."""

    async def stream_version(self, stream_id: str) -> int:
        """A stream's last version, 0 for a stream with no events."""

    async def read_streams(self, stream_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
        """Several whole streams, each oldest first."""

    async def read_all(self, after: int = 0, limit: int = 100) -> list[RecordedEvent]:
        """The global log in commit order after a position; never skips an event that commits late."""

    async def wait_for_commit(self, after: int) -> int:
        """Return once the log is beyond `after` (commits of every process count); its last position."""

    async def check_writable(self) -> None:
        """StoreError unless the database takes writes now."""

    def name_lock(self, name: str, purpose: str) -> AbstractAsyncContextManager[None]:
        """Hold an agent's name while its process lives (DatabaseInUse when a live process holds it)."""

    def leadership(self, on_waiting: Callable[[], None] = lambda: None) -> AbstractAsyncContextManager[None]:
        """Wait to be the one process that schedules (`on_waiting` once if another one does); the
        block is cancelled if that ends."""
