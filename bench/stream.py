"""Push under load: list polls with and without 100 clients on GET /events/stream, while 50 phones run.

The phones and the server as bench/devices.py runs them: a farm of 50 virtual phones in its own
process (`droidledger sim`, 150 ms per device call), `droidledger serve` against it (access log on,
as users run it), every phone kept busy with follow tasks (one POST per phone, 400 targets each).
The load is wrk (as bench/api.py: one thread, 32 connections) on the list poll
`GET /api/v1/task?status=2&page=1&page_size=20`.

Rounds, the same length each: without stream clients; with 100 stream clients connected, first
without list polls, then under wrk; and so on (quick: once), ending without clients. The baseline
is the mean of the rounds without clients.

- `ratio` = list polls per second with the clients / without (target ≥ 0.8);
- latency of push: for every event a client received, the time it arrived at the client minus the
  event's `recorded_at` (written by the server as it records the event, before its commit: the
  commit is included); p50, p99 (target ≤ 100 ms) and max over all clients and events, while the
  phones run (`push_p99_ms`), and apart from that while wrk floods the list (a closed loop that
  keeps the server saturated: every answer waits in its queue, pushed events too). The clients are asyncio connections in a thread of this process, reading raw
  HTTP, each checking that it got every position once, in order (`gaps` counts the ones that did not).

    .venv/bin/python bench/stream.py [--quick] [--seconds S] [--clients N] [--phones N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import CONNECTIONS, LIST, ensure_wrk, wrk  # noqa: E402
from bench.devices import LATENCY_MS, Farm, Service, follow_config  # noqa: E402
from bench.report import emit, machine, table  # noqa: E402

STREAM = "/api/v1/events/stream"
_RECORDED_AT = re.compile(rb'"recorded_at":"([^"]+)"\}$')
_APPENDED = re.compile(r"^droidledger_events_appended_total (\d+)$", re.M)


def http(port: int, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def appended(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
        return int(_APPENDED.search(answer.read().decode()).group(1))


class _StreamClient(asyncio.Protocol):
    """One connection to the stream, parsed as the bytes arrive (a Protocol: no future per read, so the
    measuring clients take as little of the machine's CPU as they can)."""

    def __init__(self, clients: StreamClients) -> None:
        self.clients = clients
        self.raw = b""  # not yet decoded from the chunked transfer coding
        self.text = b""  # decoded, not yet a whole frame
        self.headers_read = False
        self.last: int | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(f"GET {STREAM} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self.raw += data
        if not self.headers_read:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.raw = self.raw[:end], self.raw[end + 4 :]
            if not head.startswith(b"HTTP/1.1 200") or b"chunked" not in head.lower():
                raise RuntimeError(f"the stream answered {head!r}")
            self.headers_read = True
            self.clients.joined()
        while (line_end := self.raw.find(b"\r\n")) >= 0:  # chunked transfer coding: size, data, CRLF
            size = int(self.raw[:line_end], 16)
            if len(self.raw) < line_end + 2 + size + 2:
                break
            self.text += self.raw[line_end + 2 : line_end + 2 + size]
            self.raw = self.raw[line_end + 2 + size + 2 :]
        *frames, self.text = self.text.split(b"\n\n")
        for frame in frames:
            if frame.startswith(b"id: "):
                position = int(frame[4 : frame.index(b"\n")])
                if self.last is not None and position != self.last + 1:
                    self.clients.gaps += 1
                self.last = position
                self.clients.arrived(position, frame, arrived)


class StreamClients:
    """N clients following the stream, in an asyncio loop on a thread of their own."""

    def __init__(self, port: int, count: int) -> None:
        self.port, self.count = port, count
        self.phase = "connecting"  # what the latencies are filed under now
        self.latencies_ms: dict[str, list[float]] = {}
        self.received = 0
        self.gaps = 0
        self.connected = 0
        self._recorded: dict[int, float] = {}  # position -> recorded_at, parsed once for every client
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def __enter__(self) -> StreamClients:
        self._thread.start()
        if not self._ready.wait(120):
            raise SystemExit(f"only {self.connected} of {self.count} stream clients connected")
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    def joined(self) -> None:
        self.connected += 1
        if self.connected == self.count:
            self._ready.set()

    def arrived(self, position: int, frame: bytes, at: float) -> None:
        recorded = self._recorded.get(position)
        if recorded is None:
            recorded = self._recorded[position] = datetime.fromisoformat(
                _RECORDED_AT.search(frame).group(1).decode()
            ).timestamp()
        self.received += 1
        self.latencies_ms.setdefault(self.phase, []).append((at - recorded) * 1000)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        connections = [
            await self._loop.create_connection(lambda: _StreamClient(self), "127.0.0.1", self.port)
            for _ in range(self.count)
        ]
        await self._stop.wait()
        for transport, _ in connections:
            transport.close()
        await asyncio.gather(*(client.closed for _, client in connections))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s rounds, one round of each kind (under 2 minutes)")
    parser.add_argument("--seconds", type=float, help="seconds per round (default 5 quick, 15 full)")
    parser.add_argument("--clients", type=int, default=100, help="stream clients (default 100)")
    parser.add_argument("--phones", type=int, default=50, help="virtual phones running tasks (default 50)")
    args = parser.parse_args()
    seconds = args.seconds or (5.0 if args.quick else 15.0)
    pairs = 1 if args.quick else 3  # rounds with clients; one more without
    ensure_wrk()
    print(f"machine: {machine()}")
    print(
        f"mode: {'quick' if args.quick else 'full'}; {args.phones} phones ({LATENCY_MS:g} ms per device call), "
        f"{args.clients} stream clients, wrk -t1 -c{CONNECTIONS} on the list, {seconds:g} s per round"
    )
    with tempfile.TemporaryDirectory(prefix="droidledger-bench-stream-") as tmp:
        folder = Path(tmp)
        print(f"starting a farm of {args.phones} phones and serve ...", file=sys.stderr)
        farm = Farm(args.phones, folder / "farm.log")
        try:
            service = Service(folder, farm, args.phones)
        except BaseException:
            farm.stop()
            raise
        port = service.port
        try:
            for n, serial in enumerate(farm.serials):  # far more work than the run lasts
                service.create([serial], "follow", follow_config(400, n * 1000))
            deadline = time.monotonic() + 120
            while http(port, "/api/v1/task/stats")["data"]["running"] < len(farm.serials) * 0.8:
                if time.monotonic() > deadline:
                    raise SystemExit("the phones did not start their tasks")
                time.sleep(0.5)
            url = f"http://127.0.0.1:{port}{LIST}"
            wrk(url, 1, label="warm-up")
            without, with_clients, events_per_s = [], [], []
            latencies: dict[str, list[float]] = {}  # ms, by phase
            received = gaps = 0

            def round_of(label: str) -> dict:
                before, started = appended(port), time.monotonic()
                result = wrk(url, seconds, label=label)
                events_per_s.append((appended(port) - before) / (time.monotonic() - started))
                return result

            for n in range(pairs):
                without.append(round_of(f"list, no stream clients ({n + 1})"))
                print(f"  connecting {args.clients} stream clients ...", file=sys.stderr)
                with StreamClients(port, args.clients) as clients:
                    clients.phase = "quiet"
                    print(f"  {args.clients} stream clients, no list polls, for {seconds:g} s ...", file=sys.stderr)
                    time.sleep(seconds)
                    clients.phase = "polled"
                    with_clients.append(round_of(f"list, {args.clients} stream clients ({n + 1})"))
                    clients.phase = "leaving"
                for phase, values in clients.latencies_ms.items():
                    latencies.setdefault(phase, []).extend(values)
                received += clients.received
                gaps += clients.gaps
            without.append(round_of(f"list, no stream clients ({pairs + 1})"))
        finally:
            service.stop()
            farm.stop()

    base = sum(r["rps"] for r in without) / len(without)
    pushed = sum(r["rps"] for r in with_clients) / len(with_clients)
    quiet, polled = latencies.get("quiet", []), latencies.get("polled", [])
    table(
        f"list polls (wrk -c{CONNECTIONS}) while {args.phones} phones run, with and without {args.clients} "
        f"stream clients",
        ["round", "req/s", "p50 ms", "p99 ms"],
        [[f"without clients {n + 1}", r["rps"], r["p50"], r["p99"]] for n, r in enumerate(without)]
        + [[f"with {args.clients} clients {n + 1}", r["rps"], r["p50"], r["p99"]] for n, r in enumerate(with_clients)],
    )
    table(
        "push latency: arrival at a stream client - the event's recorded_at",
        ["while", "events", "p50 ms", "p99 ms", "max ms"],
        [
            [label, len(values), percentile(values, 0.5), percentile(values, 0.99), max(values, default=0.0)]
            for label, values in (
                (f"{args.phones} phones run, no list polls", quiet),
                (f"... and wrk floods the list ({CONNECTIONS} connections)", polled),
            )
        ],
    )
    ratio = pushed / base
    mean_events = sum(events_per_s) / len(events_per_s)
    p99 = percentile(quiet, 0.99)
    print(
        f"\nlog: {mean_events:,.0f} events/s appended on average; the stream clients received {received:,} events "
        f"({gaps} out of order or missing)"
    )
    print(
        f"push_p99 = {p99:.1f} ms with {args.phones} phones running (target <= 100); "
        f"under the wrk flood {percentile(polled, 0.99):.1f} ms"
    )
    print(f"ratio = list req/s with clients / without = {pushed:,.0f} / {base:,.0f} = {ratio:.3f} (target >= 0.8)")
    bad = sum(r["bad"] for r in [*without, *with_clients])
    if bad or gaps:
        print(f"WARNING: {bad} non-2xx/3xx answers, {gaps} gaps in the streams")
    emit(
        {
            "list_rps_with_clients": round(pushed),
            "baseline_rps": round(base),
            "ratio": round(ratio, 3),
            "push_p50_ms": round(percentile(quiet, 0.5), 1),
            "push_p99_ms": round(p99, 1),
            "push_p99_ms_under_flood": round(percentile(polled, 0.99), 1),
            "events_per_s": round(mean_events),
            "events_received": received,
            "gaps": gaps,
            "clients": args.clients,
            "phones": args.phones,
        }
    )


if __name__ == "__main__":
    main()
