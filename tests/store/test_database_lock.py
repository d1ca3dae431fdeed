"""DatabaseLock: one process at a time owns a database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.store.records import DatabaseInUse
from service.store.sqlite.lock import DatabaseLock

REPO = Path(__file__).resolve().parents[2]

HOLDER = """
import sys
from service.store.sqlite.lock import DatabaseLock
lock = DatabaseLock(sys.argv[1])
lock.acquire("serve")
print("held", flush=True)
sys.stdin.readline()
"""


def test_a_second_holder_is_refused_naming_the_first(tmp_path):
    db = tmp_path / "droidledger.db"
    with DatabaseLock(db) as first:
        first.acquire("serve")
        with pytest.raises(DatabaseInUse) as refused:
            DatabaseLock(db).acquire("replay")
    assert str(refused.value) == f"{db} is in use by droidledger pid {os.getpid()}; stop it before you replay"


def test_another_process_holding_the_lock_is_named_by_its_pid(tmp_path):
    db = tmp_path / "droidledger.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], cwd=REPO, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(DatabaseInUse, match=f"is in use by droidledger pid {holder.pid}; stop it before you serve"):
            DatabaseLock(db).acquire("serve")
    finally:
        holder.communicate("done\n", timeout=10)
    lock = DatabaseLock(db)
    lock.acquire("serve")  # the holder exited: the OS let go of its lock
    lock.release()


def test_releasing_the_lock_lets_the_next_holder_in(tmp_path):
    db = tmp_path / "droidledger.db"
    first = DatabaseLock(db)
    first.acquire("serve")
    first.release()
    with DatabaseLock(db) as second:
        second.acquire("replay")
        assert (tmp_path / "droidledger.db.lock").read_text() == f"droidledger pid {os.getpid()}"
    third = DatabaseLock(db)
    third.acquire("serve")
    third.release()
