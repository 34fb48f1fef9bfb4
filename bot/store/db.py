"""The Store: the one door to storage, whichever database is behind it.

Everything above `bot.store` holds a `Store` and calls the table modules (`sources`, `outbox`,
...) with it; only the backends know which database they talk to:

    Store ──> SqliteStore    storage.path: one file, the embedded default (bot.store.sqlite)
          └─> PostgresStore  storage.url: postgresql://..., N replicas (bot.store.postgres)

The table modules write their SQL once, with `?` placeholders and the subset both databases read
the same way; a backend rewrites what its database spells otherwise.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

P = ParamSpec("P")
T = TypeVar("T")

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Cursor(Protocol):
    """What a statement returns: rows readable by position and by column name."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Store(ABC):
    """One open database: statements, transactions, and the schema version."""

    backend: str  # "sqlite" or "postgresql"

    @abstractmethod
    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> int:
        """Run `sql` once per row; returns the rows changed in all."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Store]:
        """BEGIN ... COMMIT, rolled back on any exception; writers are serialized."""

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """The database, for messages: its path, or its URL without the password."""

    @abstractmethod
    def schema_version(self) -> int:
        """The migration last applied (0: none); call inside `transaction()`."""

    @abstractmethod
    def apply_migration(self, number: int, script: str) -> None:
        """Run one migration script and record `number`; call inside `transaction()`."""

    async def run(
        self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`fn(store, ...)` without holding up the event loop: SQLite answers in microseconds
        and runs it in place; a network database runs it in a worker thread."""
        return fn(self, *args, **kwargs)


def open_db(target: Path | str) -> Store:
    """Open and migrate the database at `target`: a SQLite path (file and folder created, or
    ":memory:") or a postgresql:// URL. Raises `StorageError` naming the database when it
    cannot be reached or is newer than this Warta."""
    from bot.store.migrations import migrate

    store: Store
    if str(target).startswith(POSTGRES_SCHEMES):
        from bot.store.postgres import PostgresStore

        store = PostgresStore.connect(str(target))
    else:
        from bot.store.sqlite import SqliteStore

        store = SqliteStore.connect(target)
    try:
        migrate(store)
    except BaseException:
        store.close()
        raise
    return store


@contextmanager
def transaction(store: Store) -> Iterator[Store]:
    """`store.transaction()`, for callers that read better as a function."""
    with store.transaction():
        yield store


def redact(url: str) -> str:
    """A database URL fit for a log line or an error: the password is left out."""
    parts = urlsplit(url)
    if parts.password is None:
        netloc = parts.netloc
    else:
        host = parts.netloc.rpartition("@")[2]
        netloc = f"{parts.username}@{host}" if parts.username else host
    query = "&".join(p for p in parts.query.split("&") if not p.startswith("password="))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def backup(path: Path, target: Path) -> None:
    """A consistent copy of the live SQLite database at `path` in `target` (SQLite's online
    backup API; the copy is taken as it is, not migrated)."""
    from bot.store.sqlite import SqliteStore

    store = SqliteStore.connect(path)
    try:
        store.backup(target)
    finally:
        store.close()
