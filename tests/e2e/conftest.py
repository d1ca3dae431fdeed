"""Fixtures of the end-to-end tests: `droidledger serve --sim N` processes, one per module where tests
share phones without sharing them (different phones or accounts).

The modules that start servers with `start_server` run twice: on SQLite (the data directory's
file) and on PostgreSQL (`--db`, a schema per data directory, so that a server started again on
the same data directory finds its store).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sim_server import SimServer

from tests.support.stores import BACKENDS, DatabasesByFolder


@pytest.fixture(scope="module", params=BACKENDS)
def start_server(request, tmp_path_factory) -> Iterator[Callable[..., SimServer]]:
    """`start_server(*flags, sim=4, data_dir=None)`: a ready server; every one still running is stopped
    (SIGTERM) when the module ends, and must exit 0."""
    if os.name == "nt":
        pytest.skip("signals are POSIX")
    servers: list[SimServer] = []
    home = tmp_path_factory.mktemp("serve")
    databases = DatabasesByFolder(request.param, request)

    def start(*flags: str, sim: int = 4, time_scale: float = 0.01, data_dir: Path | None = None) -> SimServer:
        data_dir = data_dir or home / f"data{len(servers)}"
        db = databases.db_for(data_dir)
        server = SimServer(data_dir, *flags, *(["--db", db] if db else []), sim=sim, time_scale=time_scale)
        servers.append(server)
        return server.wait_ready()

    yield start
    codes = {server.port: server.stop() for server in servers if server.process.returncode is None}
    failed = {port: code for port, code in codes.items() if code != 0}
    assert not failed, f"servers exited badly: {failed}"
