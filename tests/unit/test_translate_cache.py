"""The translation cache, on both backends: reuse, age limit, size limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.deliver.translate import cache_key
from bot.store.db import Store, open_db
from bot.store.translations import StoredTranslationCache


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def conn(database: str | Path) -> Iterator[Store]:
    c = open_db(database)
    yield c
    c.close()


def test_translation_is_found_again_after_reopening(database: str | Path, conn: Store) -> None:
    """A text translated before a restart is not translated again after it."""
    key = cache_key("Korea Utara kirim pasukan", "id", "en")
    StoredTranslationCache(conn).put_many([(key, "id", "en", "North Korea sends troops")])
    conn.close()
    again = open_db(database)
    try:
        assert StoredTranslationCache(again).get_many([key]) == {key: "North Korea sends troops"}
    finally:
        again.close()


def test_key_depends_on_text_source_and_target() -> None:
    """The same text into another language, or from another language, is a different entry."""
    keys = {
        cache_key("Rusia", "id", "en"),
        cache_key("Rusia", "es", "en"),
        cache_key("Rusia", "id", "de"),
        cache_key("Rusia!", "id", "en"),
        cache_key("Rusia", None, "en"),
    }
    assert len(keys) == 5


def test_old_translations_are_misses_and_pruned(conn: Store) -> None:
    """Entries older than max_age_days are not served and prune() deletes them."""
    clock = Clock()
    cache = StoredTranslationCache(conn, max_age_days=30, clock=clock)
    cache.put_many([("old", "id", "en", "x")])
    clock.now += 10 * 86_400
    cache.put_many([("new", "id", "en", "y")])
    clock.now += 25 * 86_400
    assert cache.get_many(["old", "new"]) == {"new": "y"}
    assert cache.prune(clock.now) == 1
    assert len(cache) == 1


def test_size_bound_evicts_least_recently_used(conn: Store) -> None:
    """Over max_entries, the entries used longest ago go first; recently read ones stay."""
    clock = Clock()
    cache = StoredTranslationCache(conn, max_entries=100, clock=clock)
    for i in range(100):
        clock.now += 1
        cache.put_many([(f"k{i}", "en", "de", f"v{i}")])
    clock.now += 1
    assert cache.get_many(["k0"]) == {"k0": "v0"}  # k0 is now the most recently used
    clock.now += 1
    cache.put_many([("k100", "en", "de", "v100")])
    assert len(cache) <= 100
    assert cache.get_many(["k0", "k100"]) == {"k0": "v0", "k100": "v100"}
    assert cache.get_many(["k1"]) == {}


def test_many_keys_at_once(conn: Store) -> None:
    """A lookup of thousands of keys works (beyond SQLite's variable limit per statement)."""
    cache = StoredTranslationCache(conn)
    cache.put_many([(f"k{i}", None, "en", f"v{i}") for i in range(1200)])
    found = cache.get_many([f"k{i}" for i in range(0, 1200, 2)] + ["nope"])
    assert len(found) == 600
    assert found["k1198"] == "v1198"
