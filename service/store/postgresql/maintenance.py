"""What the CLI does to a PostgreSQL database besides serving it: create or migrate its schema,
hold it (servers share it; a replay or a copy holds it alone), rebuild its views, copy its log —
through one connection of its own (`PostgresMaintenance`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import nullcontext

import psycopg

from service.store.locator import locate
from service.store.migrations import migrate
from service.store.postgresql.connection import PostgresSql, PostgresWriterConnection, connect, lock_key
from service.store.records import DatabaseInUse

CHUNK = 20_000


def prepare(url: str) -> None:
    """Bring the database to the newest schema (SchemaTooNew if it is newer)."""
    PostgresMaintenance(url).close()


class AdvisoryHold:
    """A session-level advisory lock held on a connection of its own for as long as the block runs."""

    def __init__(self, url: str, purpose: str, *, shared: bool) -> None:
        self.url = url
        self.purpose = purpose
        self.shared = shared
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> AdvisoryHold:
        conn = connect(self.url)
        key = conn.execute(f"SELECT {lock_key('server')}").fetchone()[0]
        take = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
        if not conn.execute(f"SELECT {take}(%s)", (key,)).fetchone()[0]:
            holders = [
                row[0]
                for row in conn.execute(  # a bigint key is (classid, objid) with objsubid 1
                    "SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND a.pid <> pg_backend_pid() AND l.objsubid = 1 "
                    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s ORDER BY 1",
                    (key,),
                )
            ]
            conn.close()
            raise DatabaseInUse(
                f"{locate(self.url).display} is in use by {', '.join(holders) or 'another process'}; "
                f"stop it before you {self.purpose}"
            )
        self._conn = conn
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()  # the session's locks go with it
            self._conn = None


class PostgresMaintenance:
    """One connection to a (migrated) database, for work done in one transaction."""

    def __init__(self, url: str) -> None:
        self.conn = connect(url)
        self.writer = PostgresWriterConnection(self.conn)
        try:
            migrate(self.writer, "postgresql")
        except BaseException:
            self.conn.close()
            raise
        self.sql = PostgresSql(self.conn)

    def insert_events(self, rows: Sequence[tuple]) -> None:
        """Rows of `events`, as they are (a copy, a benchmark's data set)."""
        self.writer.insert_events(rows)

    def begin(self) -> None:
        """The transaction, holding the log's lock (no append meanwhile)."""
        self.conn.execute("BEGIN")
        self.conn.execute(f"SELECT pg_advisory_xact_lock({lock_key('log')})")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if not (self.conn.closed or self.conn.broken):
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    def last_position(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]

    def scan_log(self) -> Iterator[Sequence[tuple]]:
        """(position, stream_id, version, data, recorded_at) in position order, in chunks."""
        yield from self._chunks("SELECT position, stream_id, version, data, recorded_at FROM events ORDER BY position")

    def scan_events(self) -> Iterator[Sequence[tuple]]:
        """Whole rows of the log in position order, in chunks."""
        yield from self._chunks(
            "SELECT position, stream_id, version, type, data, recorded_at FROM events ORDER BY position"
        )

    def scan_table(self, table: str, columns: Sequence[str]) -> Iterator[Sequence[tuple]]:
        """Every row of a table, in chunks."""
        yield from self._chunks(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1")

    def _chunks(self, query: str) -> Iterator[Sequence[tuple]]:
        # A server-side cursor needs a transaction: the caller's, or one of its own.
        within = (
            nullcontext()
            if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
            else self.conn.transaction()
        )
        with within, self.conn.cursor(name="scan") as cursor:  # the table is not loaded at once
            cursor.itersize = CHUNK
            cursor.execute(query)
            while rows := cursor.fetchmany(CHUNK):
                yield rows

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        found = self.conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (list(tables),),
        ).fetchall()
        for name, _ in found:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def bulk(self) -> nullcontext:
        """Nothing to change for bulk rewrites."""
        return nullcontext()
