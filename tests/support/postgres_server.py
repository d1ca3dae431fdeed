"""A PostgreSQL server of a test's own (initdb in a temporary folder, a free port), which the test
may stop and start again without disturbing the machine's shared server.

PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.harness.server import free_port

BIN = Path("/usr/lib/postgresql")


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(
        BIN.glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0
    )
    return found[-1].parent if found else None


class PrivatePostgres:
    """initdb, start, stop and start again, remove; `url` reaches it over TCP on 127.0.0.1.

    Its folder is a temporary folder of its own (pytest's are private to root, and the server
    runs as `postgres`).
    """

    def __init__(self) -> None:
        self.bin = binaries()
        if self.bin is None:
            raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.folder = Path(tempfile.mkdtemp(prefix="droidledger-pg-"))
        self.data = self.folder / "pgdata"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "--no-instructions",
        )
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop it if it runs, and delete its folder."""
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)
