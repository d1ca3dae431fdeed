"""Run the API with uvicorn on the listening sockets `serve` asks for (both loopbacks by default)."""

from __future__ import annotations

import ctypes
import logging
import signal
import socket
from collections.abc import Callable

import uvicorn

from service.api.app import create_app
from service.settings import Settings

log = logging.getLogger("droidledger")


def bind_sockets(hosts: tuple[str, ...], port: int) -> list[socket.socket]:
    """One listening socket per host; ::1 is skipped (with a warning) where IPv6 is missing."""
    sockets = []
    for host in hosts:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            if host == "::1" and len(hosts) > 1:
                log.warning("IPv6 loopback unavailable (%s); listening on the others only", exc)
                continue
            raise
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            if host == "::1" and len(hosts) > 1 and exc.errno not in (98, 48, 10048):  # not "address in use"
                log.warning("cannot listen on [::1]:%d (%s); listening on the others only", port, exc)
                continue
            for opened in sockets:
                opened.close()
            raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        sock.listen(2048)
        sock.setblocking(False)
        sockets.append(sock)
    return sockets


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Keep glibc from giving each of the ~2 threads per phone a malloc arena of its own.

    By default glibc creates up to 8 arenas per core as threads allocate; a phone's worker
    thread leaves its buffers (hierarchy dumps, u2.jar's hash) fragmented in its arena, and
    with 200 phones the peak RSS grew by a megabyte or two per phone. Elsewhere a no-op.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    if hasattr(libc, "mallopt"):
        libc.mallopt(_M_ARENA_MAX, arenas)


_M_ARENA_MAX = -8


def serve(settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM (0), or until a part of the server dies (1); the app's lifespan
    opens and closes the store."""
    limit_malloc_arenas()
    sockets = bind_sockets(settings.hosts, settings.port)
    app = create_app(settings)
    names = ", ".join(
        f"http://[{h}]:{settings.port}" if ":" in h else f"http://{h}:{settings.port}"
        for h in (s.getsockname()[0] for s in sockets)
    )
    log.info(
        "droidledger serving the Local API on %s (plan %s, device limit %d, database %s)",
        names,
        settings.plan.name,
        settings.device_limit,
        settings.store.display,
    )
    run_asgi(app, sockets, on_shutdown=app.state.runtime.feed.close)
    return 1 if app.state.runtime.crashed else 0


class _Server(uvicorn.Server):
    """uvicorn's server, telling the app when its shutdown begins: the graceful shutdown waits for every
    open response, and an event stream would otherwise last until the 10 s timeout cancels it."""

    def __init__(self, config: uvicorn.Config, on_shutdown: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_shutdown = on_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._on_shutdown()
        await super().shutdown(sockets)


def run_asgi(app, sockets: list[socket.socket], on_shutdown: Callable[[], None] = lambda: None) -> None:
    """Serve an ASGI app on listening sockets until SIGINT/SIGTERM (also bench/api.py's baseline);
    `on_shutdown` is called when the graceful shutdown begins."""
    config = uvicorn.Config(
        app,
        lifespan="on",
        access_log=False,
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=10,
        server_header=False,
    )
    server = _Server(config, on_shutdown)

    def stop(_signal: int, _frame: object) -> None:
        server.should_exit = True

    # After its graceful shutdown uvicorn raises the signal that stopped it again, under the
    # handler installed before it ran. With the default one, SIGTERM would kill the process
    # (exit -15) and Ctrl-C raise KeyboardInterrupt; with this one, serve returns and exits 0.
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=sockets)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
