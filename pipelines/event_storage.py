"""Dagster's consolidated SQLite event log, without an fsync for every event.

Dagster opens a new SQLite connection for every event it stores (some 1,250 in a cold run), and with its
defaults each commit waits for the disk and each close, as the last connection to the file, checkpoints
the write-ahead log and waits again. That was a third of a cold run. Here every connection commits with
`synchronous=NORMAL`, which in WAL mode keeps the database consistent after a crash and can only lose the
last events on a power cut, and one connection stays open for the life of the process, so that closing
the others does not checkpoint; SQLite still checkpoints every 1,000 pages. Configured in dagster.yaml.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from dagster._core.storage.event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool


def _relaxed_sync(dbapi_connection: sqlite3.Connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class BufferedSqliteEventLogStorage(ConsolidatedSqliteEventLogStorage):
    """ConsolidatedSqliteEventLogStorage with relaxed syncing (see the module docstring)."""

    def __init__(self, base_dir, inst_data=None):
        super().__init__(base_dir, inst_data)
        # as in the parent: a new connection per use (NullPool), which keeps processes independent
        self._engine = create_engine(self._conn_string, poolclass=NullPool,
                                     connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(self._engine, "connect", _relaxed_sync)
        self._keeper = self._engine.raw_connection()

    @contextmanager
    def _connect(self):
        if not hasattr(self, "_engine"):  # the parent's constructor, before ours has run
            with super()._connect() as conn:
                yield conn
            return
        with self._engine.connect() as conn:
            with conn.begin():
                yield conn

    def dispose(self):
        self._keeper.close()
        self._engine.dispose()
        super().dispose()
