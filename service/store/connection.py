"""Opening SQLite connections with the settings every connection of droidledger shares."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SYNC_MODES = ("full", "normal")


def open_connection(path: str | Path, *, sync: str = "full") -> sqlite3.Connection:
    """The writer's connection: autocommit mode (we issue BEGIN/COMMIT), WAL, secure delete.

    `sync` is `full` (an fsync per commit: nothing acknowledged is lost on power loss) or
    `normal` (in WAL, a power loss may lose the last commits, never corrupt the file).
    """
    if sync not in SYNC_MODES:
        raise ValueError(f"sync must be one of {SYNC_MODES}, got {sync!r}")
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {sync.upper()}")
    # Deleted content (secrets) is overwritten with zeros, not merely unlinked.
    conn.execute("PRAGMA secure_delete = ON")
    return conn


READER_PRAGMAS = ("PRAGMA busy_timeout = 5000", "PRAGMA query_only = ON")
