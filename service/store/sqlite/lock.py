"""One process at a time owns a database: an OS lock on `<db>.lock`, portable to Windows."""

from __future__ import annotations

import os
from pathlib import Path

from service.store.records import DatabaseInUse

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


class DatabaseLock:
    """Held by `serve` for its lifetime; `replay` and a second `serve` are refused while held.

    With a `suffix`, another lock beside the database: an agent's name (`.agent-NAME.lock`) is
    held by the agent process of that name for as long as it lives.
    """

    def __init__(self, db_path: str | Path, suffix: str = ".lock") -> None:
        self.path = Path(f"{db_path}{suffix}")
        self._what = Path(db_path) if suffix == ".lock" else self.path
        self._fd: int | None = None

    def acquire(self, purpose: str) -> None:
        """Take the lock or raise DatabaseInUse naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            try:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            except OSError:  # Windows refuses to read a locked byte
                holder = "another process"
            os.close(fd)
            raise DatabaseInUse(f"{self._what} is in use by {holder}; stop it before you {purpose}")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"droidledger pid {os.getpid()}".encode())
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (closing the file releases the OS lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
