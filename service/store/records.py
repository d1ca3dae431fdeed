"""What goes into the store and what comes out of it, and the store's own errors.

StoreError                 the database could not do what was asked
├── ConcurrencyError       another writer appended to the stream first (re-run load → decide → append)
├── FencedOff              the phone no longer belongs to the agent incarnation that appends for it
├── DatabaseInUse          another process holds the database (a running server)
└── SchemaTooNew           the database was written by a newer droidledger
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from service.events import Event, decode_event


class StreamAppend(NamedTuple):
    """Events for one stream, valid only if the stream is still at `expected_version`."""

    stream_id: str
    expected_version: int  # 0 for a new stream
    events: Sequence[Event]


class Fence(NamedTuple):
    """An agent's append for a phone lands only while that incarnation owns the phone (docs/agents.md)."""

    serial: str
    agent: str
    incarnation: str


class StartHeartbeat(NamedTuple):
    """A new agent incarnation's liveness row, stamped with the database's clock."""

    name: str
    incarnation: str


class SaveSecrets(NamedTuple):
    """A new task's secrets (the ChatGPT api_key), kept beside the log, never in an event."""

    task_id: int
    secrets: dict[str, str]


class EraseSecrets(NamedTuple):
    """A deleted task's secrets, erased in the transaction that records the deletion."""

    task_id: int


class RememberResponse(NamedTuple):
    """The first answer to an Idempotency-Key: a hash of the body, never the body."""

    key: str
    body_hash: str
    response: bytes
    created_at: float  # unix seconds, for the 24-hour window
    # A row of the same key recorded before this is expired and replaced; a later one refuses the
    # append (another process answered the key first: the caller reads that answer instead).
    replaces_before: float = 0.0


SideWrite = SaveSecrets | EraseSecrets | RememberResponse | StartHeartbeat
"""State kept beside the log on purpose, written atomically with the events it belongs to."""


class IdempotentResponse(NamedTuple):
    """What an Idempotency-Key remembers."""

    body_hash: str
    response: bytes
    created_at: float


class RecordedEvent:
    """An event as stored: its global position, stream, version, type and JSON data."""

    __slots__ = ("position", "stream_id", "version", "type", "data", "recorded_at", "_event")

    def __init__(
        self,
        position: int,
        stream_id: str,
        version: int,
        type: str,
        data: bytes,
        recorded_at: str,
        event: Event | None = None,
    ) -> None:
        self.position = position
        self.stream_id = stream_id
        self.version = version
        self.type = type
        self.data = data
        self.recorded_at = recorded_at
        self._event = event

    @property
    def event(self) -> Event:
        """The decoded event Struct (decoded once, on first use)."""
        if self._event is None:
            self._event = decode_event(self.data)
        return self._event

    def __repr__(self) -> str:
        return f"RecordedEvent({self.position}, {self.stream_id!r} v{self.version}, {self.type!r})"


class StoreError(Exception):
    """The database could not do what was asked."""


class ConcurrencyError(StoreError):
    """A stream was not at the expected version: someone else appended first."""

    def __init__(self, conflicts: Sequence[tuple[str, int, int]]) -> None:
        self.conflicts = tuple(conflicts)
        described = ", ".join(
            f"{s} is at version {actual}, expected {expected}" for s, expected, actual in self.conflicts
        )
        super().__init__(described or "a concurrent write committed first")


class FencedOff(StoreError):
    """The phone no longer belongs to the agent incarnation that appended for it: nothing was recorded."""


class DatabaseInUse(StoreError):
    """Another process (a running server) holds the database."""


class SchemaTooNew(StoreError):
    """The database was written by a newer droidledger than this one."""
