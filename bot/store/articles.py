"""What has been seen, the stories it forms, and which chat got which story.

`seen` holds per-source keys (guid, canonical URL, title) so an item never returns as new;
`stories` clusters one story told by several outlets; `deliveries` makes "a story reaches a
chat once" a UNIQUE constraint rather than a hope.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.store.db import Store

_MASK64 = (1 << 64) - 1


def _to_signed(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def _to_unsigned(value: int) -> int:
    return value & _MASK64


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryRow:
    id: str
    url: str
    simhash: int
    title: str
    first_seen: float
    sources: tuple[str, ...]


def known_keys(conn: Store, source_id: str, keys: Iterable[str]) -> set[str]:
    """The subset of `keys` already seen for this source."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT key FROM seen WHERE source_id = ? AND key IN ({marks})",  # noqa: S608
            (source_id, *chunk),
        )
        found.update(r[0] for r in rows)
    return found


def mark_seen(conn: Store, source_id: str, keys: Iterable[str], now: float) -> None:
    conn.executemany(
        "INSERT INTO seen (source_id, key, seen_at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
        [(source_id, k, now) for k in dict.fromkeys(keys)],
    )


def _story(r: Any) -> StoryRow:
    return StoryRow(
        id=r["id"],
        url=r["url"],
        simhash=_to_unsigned(r["simhash"]),
        title=r["title"],
        first_seen=r["first_seen"],
        sources=tuple(json.loads(r["sources"])),
    )


def recent_stories(conn: Store, *, since: float) -> list[StoryRow]:
    rows = conn.execute("SELECT * FROM stories WHERE first_seen >= ? ORDER BY first_seen", (since,))
    return [_story(r) for r in rows]


def create_story(
    conn: Store,
    story_id: str,
    *,
    url: str,
    simhash: int,
    title: str,
    source_name: str,
    now: float,
) -> None:
    conn.execute(
        "INSERT INTO stories (id, url, simhash, title, first_seen, sources)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING",
        (story_id, url, _to_signed(simhash), title, now, json.dumps([source_name])),
    )


def add_story_source(conn: Store, story_id: str, source_name: str) -> tuple[str, ...]:
    """Record another outlet carrying the story; returns every outlet, first one first."""
    row = conn.execute("SELECT sources FROM stories WHERE id = ?", (story_id,)).fetchone()
    names: list[str] = json.loads(row[0]) if row else []
    if source_name not in names:
        names.append(source_name)
        conn.execute(
            "UPDATE stories SET sources = ? WHERE id = ?",
            (json.dumps(names, ensure_ascii=False), story_id),
        )
    return tuple(names)


def delivered_chats(conn: Store, story_id: str) -> dict[int, int | None]:
    """chat id -> outbox row id, for every chat this story already went to."""
    rows = conn.execute("SELECT chat_id, outbox_id FROM deliveries WHERE story_id = ?", (story_id,))
    return {r[0]: r[1] for r in rows}


def record_delivery(
    conn: Store, story_id: str, chat_id: int, *, outbox_id: int | None, now: float
) -> bool:
    """True when this (story, chat) is new; False means it was delivered before."""
    cur = conn.execute(
        "INSERT INTO deliveries (story_id, chat_id, outbox_id, created_at)"
        " VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
        (story_id, chat_id, outbox_id, now),
    )
    return cur.rowcount == 1


def record_article(
    conn: Store,
    *,
    source_id: str,
    story_id: str,
    url: str,
    title: str,
    language: str | None,
    published: float,
    rules: Sequence[str],
    entities: Sequence[str],
    now: float,
) -> None:
    conn.execute(
        "INSERT INTO articles (source_id, story_id, url, title, language, published, rules,"
        " entities, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            source_id, story_id, url, title, language, published, json.dumps(list(rules)),
            json.dumps(list(entities)), now,
        ),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecentStory:
    """What a story's recent articles matched: its rules, and the entities they name (None
    when one was recorded before entities were: unknown)."""

    rules: frozenset[str]
    entities: frozenset[str] | None


def recent_in_other_languages(
    conn: Store, *, since: float, exclude: str, language: str | None
) -> dict[str, RecentStory]:
    """Story id -> its rules and entities, for the stories other than `exclude` with an article
    recorded since `since` in another language than `language` (None: unknown)."""
    rules: dict[str, set[str]] = {}
    entities: dict[str, set[str] | None] = {}
    for story_id, found, named in conn.execute(
        "SELECT story_id, rules, entities FROM articles WHERE created_at >= ? AND story_id != ?"
        " AND language IS DISTINCT FROM ?",
        (since, exclude, language),
    ):
        rules.setdefault(story_id, set()).update(json.loads(found))
        known = entities.setdefault(story_id, set())
        if named is None or known is None:
            entities[story_id] = None
        else:
            known.update(json.loads(named))
    return {
        sid: RecentStory(frozenset(r), None if (e := entities[sid]) is None else frozenset(e))
        for sid, r in rules.items()
    }


def prune(conn: Store, *, seen_before: float, stories_before: float) -> int:
    """Drop seen keys and stories older than their retention; returns rows removed."""
    n = conn.execute("DELETE FROM seen WHERE seen_at < ?", (seen_before,)).rowcount
    n += conn.execute("DELETE FROM stories WHERE first_seen < ?", (stories_before,)).rowcount
    n += conn.execute("DELETE FROM deliveries WHERE created_at < ?", (stories_before,)).rowcount
    return n


def counts(conn: Store) -> dict[str, int]:
    out: dict[str, int] = {}
    for table in ("sources", "seen", "stories", "articles", "chats", "subscriptions", "watches"):
        out[table] = int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608
    return out
