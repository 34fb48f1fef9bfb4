"""The translation cache: translated texts keyed by hash(text) + source + target language.

Provider-independent: a text translated once by any provider is reused by all. Bounded in size
(least recently used rows go first) and in age (rows older than `max_age_days` are misses and are
pruned). Used from the event-loop thread only, like every other table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from bot.store.db import Store, transaction

# (key, source language or None for auto, target language, translated text)
CacheEntry = tuple[str, str | None, str, str]

_CHUNK = 500  # keys per SELECT, well under SQLite's variable limit


class StoredTranslationCache:
    """Implements `bot.deliver.translate.TranslationCache` in the shared Store."""

    def __init__(
        self,
        conn: Store,
        *,
        max_entries: int = 50_000,
        max_age_days: float = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._conn = conn
        self._max_entries = max_entries
        self._max_age = max_age_days * 86_400.0
        self._clock = clock
        self._count: int | None = None  # rows in the table, counted lazily then tracked

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations among `keys` that are younger than the age bound."""
        now = self._clock()
        found: dict[str, str] = {}
        for i in range(0, len(keys), _CHUNK):
            part = list(keys[i : i + _CHUNK])
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(
                f"SELECT key, translated FROM translation_cache "  # noqa: S608 (only '?' marks)
                f"WHERE key IN ({marks}) AND created_at >= ?",
                (*part, now - self._max_age),
            ).fetchall()
            found.update((str(r[0]), str(r[1])) for r in rows)
        if found:
            self._write(
                "UPDATE translation_cache SET used_at = ? WHERE key = ?",
                [(now, k) for k in found],
            )
        return found

    def put_many(self, entries: Sequence[CacheEntry]) -> None:
        """Store translations (replacing any for the same key), then enforce the size bound."""
        if not entries:
            return
        now = self._clock()
        count = self._counted()
        changed = self._write(
            "INSERT INTO translation_cache"
            " (key, source_lang, target_lang, translated, created_at, used_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
            " translated = excluded.translated, created_at = excluded.created_at,"
            " used_at = excluded.used_at",
            [(k, s, t, text, now, now) for k, s, t, text in entries],
        )
        # An upsert counts one change either way; over-counting only makes eviction come sooner.
        self._count = count + changed
        if self._count > self._max_entries:
            self._evict_to(int(self._max_entries * 0.9))

    def prune(self, now: float) -> int:
        """Delete rows past the age bound, then any over the size bound; returns rows deleted."""
        cur = self._conn.execute(
            "DELETE FROM translation_cache WHERE created_at < ?", (now - self._max_age,)
        )
        deleted = max(cur.rowcount, 0)
        self._count = None
        if self._counted() > self._max_entries:
            deleted += self._evict_to(self._max_entries)
        return deleted

    def __len__(self) -> int:
        return self._counted()

    def _counted(self) -> int:
        if self._count is None:
            self._count = int(
                self._conn.execute("SELECT COUNT(*) FROM translation_cache").fetchone()[0]
            )
        return self._count

    def _evict_to(self, keep: int) -> int:
        cur = self._conn.execute(
            "DELETE FROM translation_cache WHERE key IN (SELECT key FROM translation_cache"
            " ORDER BY used_at DESC LIMIT -1 OFFSET ?)",
            (keep,),
        )
        self._count = None
        return max(cur.rowcount, 0)

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> int:
        if self._conn.in_transaction:
            return self._conn.executemany(sql, rows)
        with transaction(self._conn):
            return self._conn.executemany(sql, rows)


SqliteTranslationCache = StoredTranslationCache  # its name before the Store had two backends
