"""CLDR territory names are read from Babel once, then from a cache file on later starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.analyze import entities


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    entities._cldr_names.cache_clear()
    yield tmp_path
    entities._cldr_names.cache_clear()


def test_names_come_back_the_same_from_the_cache(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first start writes the cache; the next one reads the very same names from it, and
    not from Babel."""
    from_babel = entities._cldr_names()
    (cached,) = (cache_home / "warta").glob("cldr-territories-*.json")
    entities._cldr_names.cache_clear()
    monkeypatch.setattr(entities, "_names_from_babel", lambda: pytest.fail("read Babel again"))
    assert entities._cldr_names() == from_babel
    assert ("id", "Korea Utara") in from_babel["KP"]
    assert cached.stat().st_size > 0


def test_a_damaged_cache_is_rebuilt_from_babel(cache_home: Path) -> None:
    """A truncated cache file is not trusted: the names are read from Babel again."""
    entities._cldr_names()
    (cached,) = (cache_home / "warta").glob("cldr-territories-*.json")
    cached.write_text('{"KP": [["id", "Korea', encoding="utf-8")
    entities._cldr_names.cache_clear()
    assert ("id", "Korea Utara") in entities._cldr_names()["KP"]
