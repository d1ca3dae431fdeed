"""End to end: a client follows `droidledger serve --sim 4` over GET /events/stream, a task from
`created` to `completed`; the stream ends cleanly when the server stops, and a client that reconnects
to the server started again with Last-Event-ID misses nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.sim_server import SimServer
from tests.support.sse import Frame, FrameParser

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGTERM is POSIX")


def frames(response: httpx.Response) -> Iterator[Frame]:
    parser = FrameParser()
    for text in response.iter_text():
        yield from parser.feed(text)


def open_stream(client: httpx.Client, server: SimServer, query: str = "", last_id: str | None = None):
    headers = {"Last-Event-ID": last_id} if last_id is not None else {}
    return client.stream("GET", f"{server.base}/events/stream{query}", headers=headers)


def test_a_client_follows_a_task_from_created_to_completed(tmp_path):
    server = SimServer(tmp_path / "data", sim=4).wait_ready()
    try:
        with httpx.Client(timeout=httpx.Timeout(10, read=60)) as client, open_stream(client, server) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            task_id = server.create_one(server.serials[0], "follow", {"target_user": "alice"})
            followed = []
            for frame in frames(stream):
                if frame.is_event and frame.data["task_id"] == task_id:
                    followed.append(frame)
                    if frame.event in ("completed", "failed"):
                        break
        assert followed[0].event == "created" and followed[-1].event == "completed"
        recorded = server.events(task_id)
        assert [f.data for f in followed] == recorded
        assert [(f.id, f.event) for f in followed] == [(str(e["position"]), e["type"]) for e in recorded]
    finally:
        assert server.stop() == 0


def test_the_stream_ends_on_shutdown_and_resumes_after_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    server = SimServer(data_dir, sim=4).wait_ready()
    with httpx.Client(timeout=httpx.Timeout(10, read=60)) as client:
        with open_stream(client, server, "?after=0") as stream:
            received = []
            reading = frames(stream)
            for frame in reading:
                if frame.is_event:
                    received.append(int(frame.id))
                    if int(frame.id) == server.log()[-1]["position"]:  # caught up: now stop the server
                        break
            assert server.stop() == 0
            rest = [int(frame.id) for frame in reading if frame.is_event]  # it ends: no error, no hang
        output = server.output()
        assert "Traceback" not in output
        assert "graceful shutdown exceeded" not in output  # the stream did not hold the shutdown up
        seen = received + rest
        assert seen == list(range(1, len(seen) + 1))

        server = SimServer(data_dir, sim=4).wait_ready()
        try:
            last = server.log()[-1]["position"]
            assert last > seen[-1]  # the phones came online again: new events
            with open_stream(client, server, "?after=0", last_id=str(seen[-1])) as stream:
                resumed = []
                for frame in frames(stream):
                    if frame.is_event:
                        resumed.append(int(frame.id))
                        if resumed[-1] == last:
                            break
            assert resumed == list(range(seen[-1] + 1, last + 1))
        finally:
            assert server.stop() == 0
