"""One story told by several outlets: an in-memory index of recent stories.

A new article joins an existing story when it has the same canonical URL, or a near-duplicate
title (simhash), within the dedup window. Claims are synchronous, so two sources updated
concurrently cannot both open the same story. The index is rebuilt from storage at start.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.analyze.crosslang import Headline
from bot.analyze.dedup import near_duplicate, title_simhash
from bot.model import Article
from bot.store.articles import StoryRow


@dataclass(slots=True)
class Cluster:
    id: str
    url: str
    simhash: int
    first_seen: float
    sources: list[str] = field(default_factory=list)


class StoryIndex:
    def __init__(self) -> None:
        self._clusters: dict[str, Cluster] = {}
        self._by_url: dict[str, str] = {}

    def load(self, rows: list[StoryRow]) -> None:
        for row in rows:
            cluster = Cluster(row.id, row.url, row.simhash, row.first_seen, list(row.sources))
            self._clusters[row.id] = cluster
            self._by_url[row.url] = row.id

    def __len__(self) -> int:
        return len(self._clusters)

    def claim(self, article: Article, *, now: float, window: float) -> tuple[Cluster, bool, int]:
        """(the story this article belongs to, whether it is new, the title's simhash)."""
        self._expire(now - window)
        simhash = title_simhash(article.title)
        found = self._find(article.url, simhash)
        if found is not None:
            if article.source_name not in found.sources:
                found.sources.append(article.source_name)
            return found, False, simhash
        story_id = hashlib.sha1(f"{article.url}\n{now}".encode(), usedforsecurity=False).hexdigest()
        cluster = Cluster(story_id[:20], article.url, simhash, now, [article.source_name])
        self._clusters[cluster.id] = cluster
        self._by_url[article.url] = cluster.id
        return cluster, True, simhash

    def _find(self, url: str, simhash: int) -> Cluster | None:
        if (cid := self._by_url.get(url)) is not None and cid in self._clusters:
            return self._clusters[cid]
        for cluster in self._clusters.values():
            if near_duplicate(cluster.simhash, simhash):
                return cluster
        return None

    def _expire(self, before: float) -> None:
        old = [c for c in self._clusters.values() if c.first_seen < before]
        for cluster in old:
            del self._clusters[cluster.id]
            if self._by_url.get(cluster.url) == cluster.id:
                del self._by_url[cluster.url]


@dataclass(frozen=True, slots=True)
class Telling:
    """What is compared of two articles in one language: the title's simhash, and the title
    read as `bot.analyze.crosslang` reads headlines."""

    simhash: int
    headline: Headline


def same_telling(a: Telling, b: Telling) -> bool:
    """Whether two articles in one language tell one story."""
    return near_duplicate(a.simhash, b.simhash)
