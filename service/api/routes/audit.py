"""The event log, for audit and for clients that follow changes."""

from __future__ import annotations

import anyio
import msgspec
from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Stream

from service.api.envelope import ok
from service.api.log_feed import LogFilter
from service.api.openapi import documented
from service.api.schemas import Envelope, EventList, EventOut
from service.api.sse import HEADERS, Frames, follow
from service.domain.errors import TaskNotFound
from service.events import task_id_of, task_stream
from service.requests.queries import EventsQuery, StreamQuery, parse_events_query, parse_stream_query
from service.requests.task_ids import parse_task_id
from service.runtime import Runtime
from service.store.records import RecordedEvent


def event_out(recorded: RecordedEvent) -> EventOut:
    """An event as the API shows it; `data` is the stored JSON, spliced as is."""
    return EventOut(
        position=recorded.position,
        stream=recorded.stream_id,
        task_id=task_id_of(recorded.stream_id),
        version=recorded.version,
        type=recorded.type,
        data=msgspec.Raw(recorded.data),
        recorded_at=recorded.recorded_at,
    )


def audit_routes(rt: Runtime) -> list:
    """/task/{id}/events, /events (with its long-poll) and /events/stream."""
    feed = rt.feed
    frames = Frames(event_out)

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
        """The global log in commit order, after a position, filtered; with `wait`, the answer waits
        up to that many seconds for a first matching event."""
        query = parse_events_query(request.query_params)
        where = LogFilter(task_id=query.task_id, serial=query.serial, types=query.type_set)
        recorded, read_to = await feed.matching(query.after, where, query.limit, fresh=True)
        if not recorded and query.wait:
            recorded = await _long_poll(read_to, where, query.limit, anyio.current_time() + query.wait)
        return ok(EventList(events=[event_out(r) for r in recorded]))

    async def _long_poll(after: int, where: LogFilter, limit: int, deadline: float) -> list[RecordedEvent]:
        feed.polls_waiting += 1
        try:
            while await feed.wait_beyond(after, deadline - anyio.current_time()) == "commit":
                recorded, after = await feed.matching(after, where, limit)
                if recorded:
                    feed.sent["long-poll"] += len(recorded)
                    return recorded
            return []
        finally:
            feed.polls_waiting -= 1

    @get("/events/stream", operation_class=documented(query=StreamQuery), media_type="text/event-stream")
    async def stream_events(request: Request) -> Stream:
        """Server-Sent Events of the global log after a position (Last-Event-ID, else `after`, else
        the log's end now), filtered, as they commit; a comment line every keep-alive interval."""
        query = parse_stream_query(request.query_params, request.headers.get("last-event-id"))
        where = LogFilter(task_id=query.task_id, serial=query.serial, types=query.type_set)
        after = query.after if query.after is not None else rt.store.position
        return Stream(
            follow(feed, frames, after, where, rt.settings.stream_keep_alive_s),
            media_type="text/event-stream",
            headers=HEADERS,
        )

    return [get_task_events, list_events, stream_events]
