"""The SQLite backend: one file, WAL, foreign keys, the schema version in `PRAGMA user_version`.

One connection, used from the event-loop thread only. Statements are short; WAL lets a backup or
an operator's `sqlite3` read while Warta writes, and survives a SIGKILL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.store.db import Cursor, Store


class SqliteStore(Store):
    backend = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._path = path

    @classmethod
    def connect(cls, path: Path | str) -> SqliteStore:
        """Open (creating the file and its folder) the database at `path`."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        return cls(conn, str(path))

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> int:
        return self._conn.executemany(sql, rows).rowcount

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def close(self) -> None:
        self._conn.close()

    def describe(self) -> str:
        return self._path

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def apply_migration(self, number: int, script: str) -> None:
        for statement in script.split(";"):
            if statement.strip():
                self._conn.execute(statement)
        self._conn.execute(f"PRAGMA user_version = {int(number)}")

    def backup(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            self._conn.backup(dest)
        finally:
            dest.close()
