"""The event log, for audit and for clients that follow changes."""

from __future__ import annotations

import msgspec
from litestar import Request, get
from litestar.params import FromPath

from service.api.envelope import ok
from service.api.openapi import documented
from service.api.schemas import Envelope, EventList, EventOut
from service.domain.errors import TaskNotFound
from service.events import task_id_of, task_stream
from service.requests.queries import EventsQuery, parse_events_query
from service.requests.task_ids import parse_task_id
from service.runtime import Runtime
from service.store.records import RecordedEvent


def event_out(recorded: RecordedEvent) -> EventOut:
    """An event as the API shows it; `data` is the stored JSON, spliced as is."""
    return EventOut(position=recorded.position, stream=recorded.stream_id, task_id=task_id_of(recorded.stream_id),
                    version=recorded.version, type=recorded.type, data=msgspec.Raw(recorded.data),
                    recorded_at=recorded.recorded_at)


def audit_routes(rt: Runtime) -> list:
    """/task/{id}/events and /events."""

    @get("/task/{task_id:str}/events", operation_class=documented())
    async def get_task_events(task_id: FromPath[str]) -> Envelope[EventList]:
        """The task's whole stream, oldest first (also after the task was deleted)."""
        number = parse_task_id(task_id)
        recorded = await rt.store.read_stream(task_stream(number))
        if not recorded:
            raise TaskNotFound(number)
        return ok(EventList(events=[event_out(r) for r in recorded]))

    @get("/events", operation_class=documented(query=EventsQuery))
    async def list_events(request: Request) -> Envelope[EventList]:
        """The global log in commit order, after a position."""
        query = parse_events_query(request.query_params)
        recorded = await rt.store.read_all(query.after, query.limit)
        return ok(EventList(events=[event_out(r) for r in recorded]))

    return [get_task_events, list_events]
