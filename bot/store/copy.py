"""`warta migrate --from-sqlite`: a single-machine install moved into PostgreSQL, losing nothing.

Every table the SQLite file holds (queued alerts, chats, subscriptions, personal rules, seen
keys, stories, deliveries, the translation cache, ...) is copied row for row, in the order the
tables were created (a chat before its subscriptions), in one transaction: a failure leaves the
target as it was. The file is first migrated to this Warta's schema, as `warta run` would; the
target must hold no rows yet, so nothing is merged or overwritten.
"""

from __future__ import annotations

from pathlib import Path

from bot.errors import StorageError
from bot.store.db import Store, open_db
from bot.store.postgres import PostgresStore

_CHUNK = 1000  # rows per executemany


def tables(sqlite: Store) -> list[str]:
    """The file's tables, oldest first (SQLite's own bookkeeping left out)."""
    rows = sqlite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY rowid"
    ).fetchall()
    return [str(r[0]) for r in rows]


def copy_from_sqlite(path: Path, target: Store) -> dict[str, int]:
    """Copy the SQLite database at `path` into the (migrated, empty) `target`; returns rows
    copied per table."""
    if not path.is_file():
        raise StorageError(f"{path}: no such SQLite database")
    source = open_db(path)
    try:
        names = tables(source)
        with target.transaction():
            for name in names:
                if target.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone():  # noqa: S608
                    raise StorageError(
                        f"{target.describe()}: table {name} holds rows already; migrate into"
                        " an empty database"
                    )
            copied = {name: _copy_table(source, target, name) for name in names}
            if isinstance(target, PostgresStore):
                target.restart_identities()
    finally:
        source.close()
    return copied


def _copy_table(source: Store, target: Store, name: str) -> int:
    columns = [str(r["name"]) for r in source.execute(f"PRAGMA table_info({name})")]
    insert = (
        f"INSERT INTO {name} ({', '.join(columns)})"  # noqa: S608 (names from sqlite_master)
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    cur = source.execute(f"SELECT {', '.join(columns)} FROM {name}")  # noqa: S608
    copied = 0
    while rows := cur.fetchmany(_CHUNK):
        copied += target.executemany(insert, [tuple(r) for r in rows])
    return copied
