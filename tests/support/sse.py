"""Reading Server-Sent Events: a parser for the frames, and a GET on an ASGI app whose body is read as
the app sends it (httpx's ASGITransport hands the body over only once the response is complete, and an
event stream never completes by itself).

`async with asgi_stream(app, "/api/v1/events/stream?after=0") as stream:` then `stream.status`,
`stream.headers`, `await stream.next_event()`, `await stream.next_comment()`, `await stream.ended()`.
Leaving the block disconnects, as a client closing its connection does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio


@dataclass
class Frame:
    """One block of an event stream: an event (id, event, data) or comment lines only."""

    id: str | None = None
    event: str | None = None
    data_lines: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def is_event(self) -> bool:
        return bool(self.data_lines)

    @property
    def data(self) -> Any:
        return json.loads("\n".join(self.data_lines))


class FrameParser:
    """Frames out of the stream's text, fed in whatever pieces it arrives."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[Frame]:
        self._buffer += text
        *blocks, self._buffer = self._buffer.split("\n\n")
        return [parse_block(block) for block in blocks]


def parse_block(block: str) -> Frame:
    frame = Frame()
    for line in block.split("\n"):
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            frame.comments.append(value)
        elif name == "id":
            frame.id = value
        elif name == "event":
            frame.event = value
        elif name == "data":
            frame.data_lines.append(value)
    return frame


class AsgiStream:
    """The answer of one streaming GET, read frame by frame."""

    def __init__(self, start: dict, messages: anyio.abc.ObjectReceiveStream) -> None:
        self.status: int = start["status"]
        self.headers = {key.decode().lower(): value.decode() for key, value in start["headers"]}
        self._messages = messages
        self._parser = FrameParser()
        self._frames: list[Frame] = []
        self.body = b""
        self.finished = False

    async def next_frame(self) -> Frame | None:
        """The next frame, None once the response ended."""
        while not self._frames:
            if self.finished:
                return None
            try:
                message = await self._messages.receive()
            except anyio.EndOfStream:
                raise AssertionError("the app returned without finishing its response") from None
            chunk = message.get("body", b"")
            self.body += chunk
            self._frames += self._parser.feed(chunk.decode())
            if not message.get("more_body", False):
                self.finished = True
        return self._frames.pop(0)

    async def next_event(self) -> Frame:
        """The next event (comments skipped); fails if the stream ends first."""
        while (frame := await self.next_frame()) is not None:
            if frame.is_event:
                return frame
        raise AssertionError("the stream ended")

    async def events(self, count: int) -> list[Frame]:
        return [await self.next_event() for _ in range(count)]

    async def next_comment(self) -> str:
        """The next comment line (events skipped)."""
        while (frame := await self.next_frame()) is not None:
            if frame.comments and not frame.is_event:
                return frame.comments[0]
        raise AssertionError("the stream ended")

    async def ended(self) -> list[Frame]:
        """Every frame up to the response's end."""
        rest = []
        while (frame := await self.next_frame()) is not None:
            rest.append(frame)
        return rest


@asynccontextmanager
async def asgi_stream(app: Any, target: str, headers: Iterable[tuple[str, str]] = ()) -> AsyncIterator[AsgiStream]:
    """GET `target` (path and query) on the app; the response as it is sent."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "headers": [(b"host", b"testserver"), *((k.lower().encode(), v.encode()) for k, v in headers)],
    }
    sender, messages = anyio.create_memory_object_stream[dict](1000)
    disconnected = anyio.Event()
    requested = [False]

    async def receive() -> dict:
        if not requested[0]:
            requested[0] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        await sender.send(message)

    async def run() -> None:
        async with sender:
            await app(scope, receive, send)

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        with anyio.fail_after(30):
            start = await messages.receive()
        assert start["type"] == "http.response.start", start
        try:
            yield AsgiStream(start, messages)
        finally:
            disconnected.set()
            with anyio.move_on_after(30):
                async for _ in messages:  # let the app finish its response
                    pass
            tg.cancel_scope.cancel()
