"""Sources and their fetch state: what to poll, when, and how the last attempt went."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.model import Source, SourceId
from bot.store.db import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceState:
    source: Source
    enabled: bool
    disabled_reason: str | None
    etag: str | None
    last_modified: str | None
    feed_title: str | None
    initialized: bool  # the first fetch has recorded what existed (backfill)
    next_fetch_at: float
    last_fetch_at: float | None
    last_ok_at: float | None
    last_error: str | None
    error_count: int
    items_total: int


def _state(r: Any) -> SourceState:
    source = Source(
        id=SourceId(r["id"]),
        url=r["url"],
        name=r["name"],
        origin=r["origin"],
        interval=r["interval"],
        language=r["language"],
        backfill=r["backfill"],
        allow_private=bool(r["allow_private"]),
        full_text=bool(r["full_text"]),
    )
    return SourceState(
        source=source,
        enabled=bool(r["enabled"]),
        disabled_reason=r["disabled_reason"],
        etag=r["etag"],
        last_modified=r["last_modified"],
        feed_title=r["feed_title"],
        initialized=bool(r["initialized"]),
        next_fetch_at=r["next_fetch_at"],
        last_fetch_at=r["last_fetch_at"],
        last_ok_at=r["last_ok_at"],
        last_error=r["last_error"],
        error_count=r["error_count"],
        items_total=r["items_total"],
    )


def upsert(conn: Store, source: Source, *, now: float, enable: bool = False) -> None:
    """Insert a source or update its definition, keeping its fetch state.

    A changed URL starts the source afresh (new validators, due now); `enable` re-enables a
    source that was disabled after repeated failures.
    """
    conn.execute(
        "INSERT INTO sources (id, url, name, origin, interval, language, backfill, allow_private,"
        " full_text, next_fetch_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (id) DO UPDATE SET"
        "  etag = CASE WHEN sources.url = excluded.url THEN sources.etag END,"
        "  last_modified = CASE WHEN sources.url = excluded.url THEN sources.last_modified END,"
        "  next_fetch_at = CASE WHEN sources.url = excluded.url THEN sources.next_fetch_at"
        "   ELSE 0 END,"
        "  url = excluded.url, name = excluded.name, origin = excluded.origin,"
        "  interval = excluded.interval, language = excluded.language,"
        "  backfill = excluded.backfill, allow_private = excluded.allow_private,"
        "  full_text = excluded.full_text",
        (
            source.id,
            source.url,
            source.name,
            source.origin,
            source.interval,
            source.language,
            source.backfill,
            int(source.allow_private),
            int(source.full_text),
            0.0,
            now,
        ),
    )
    if enable:
        conn.execute(
            "UPDATE sources SET enabled = 1, disabled_reason = NULL, error_count = 0,"
            " next_fetch_at = 0 WHERE id = ? AND enabled = 0",
            (source.id,),
        )


def sync_config(conn: Store, sources: Sequence[Source], *, now: float) -> list[str]:
    """Make the config's sources the stored config sources; returns ids removed."""
    wanted = {s.id for s in sources}
    for source in sources:
        upsert(conn, source, now=now)
    rows = conn.execute("SELECT id FROM sources WHERE origin = 'config'").fetchall()
    gone = [r["id"] for r in rows if r["id"] not in wanted]
    conn.executemany("DELETE FROM sources WHERE id = ?", [(i,) for i in gone])
    return gone


def get(conn: Store, source_id: str) -> SourceState | None:
    r = conn.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
    return None if r is None else _state(r)


def by_url(conn: Store, url: str) -> SourceState | None:
    r = conn.execute("SELECT * FROM sources WHERE url = ?", (url,)).fetchone()
    return None if r is None else _state(r)


def all_sources(conn: Store) -> list[SourceState]:
    return [_state(r) for r in conn.execute("SELECT * FROM sources ORDER BY id")]


def next_due_at(conn: Store) -> float | None:
    row = conn.execute("SELECT MIN(next_fetch_at) FROM sources WHERE enabled = 1").fetchone()
    return None if row[0] is None else float(row[0])


LEASE = 300.0  # seconds a replica holds a source it fetches; then another may take it over


def claim_due(
    conn: Store, *, owner: str, now: float, lease: float = LEASE, limit: int = 100
) -> list[SourceState]:
    """Lease the due sources no replica holds to `owner`: each is fetched by one replica, and
    is not due again before its interval (a provisional next time). The lease ends when the
    fetch is recorded, or after `lease` seconds: then a replica that died holding it loses it.
    On PostgreSQL, rows another replica is claiming at that moment are skipped, not waited for."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if conn.backend == "postgresql" else ""
    with conn.transaction():
        rows = conn.execute(
            "SELECT * FROM sources WHERE enabled = 1 AND next_fetch_at <= ?"  # noqa: S608
            " AND (lease_until IS NULL OR lease_until <= ?)"
            f" ORDER BY next_fetch_at LIMIT ?{skip_locked}",
            (now, now, limit),
        ).fetchall()
        conn.executemany(
            "UPDATE sources SET lease_owner = ?, lease_until = ?, next_fetch_at = ? WHERE id = ?",
            [(owner, now + lease, now + float(r["interval"]), r["id"]) for r in rows],
        )
    return [_state(r) for r in rows]


def release_leases(conn: Store) -> int:
    """Free every lease: at the start of the only replica (SQLite), whose previous run was
    killed while fetching. Several replicas on PostgreSQL let leases run out instead."""
    if conn.backend != "sqlite":
        return 0
    return conn.execute(
        "UPDATE sources SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL"
    ).rowcount


def remove(conn: Store, source_id: str) -> bool:
    return conn.execute("DELETE FROM sources WHERE id = ?", (source_id,)).rowcount > 0


def record_ok(
    conn: Store,
    source_id: str,
    *,
    now: float,
    next_at: float,
    etag: str | None,
    last_modified: str | None,
    items: int,
    feed_title: str | None = None,
    new_url: str | None = None,
) -> None:
    conn.execute(
        "UPDATE sources SET last_fetch_at = ?, last_ok_at = ?, next_fetch_at = ?, etag = ?,"
        " last_modified = ?, items_total = items_total + ?, error_count = 0, last_error = NULL,"
        " initialized = 1, feed_title = COALESCE(?, feed_title), url = COALESCE(?, url),"
        " lease_owner = NULL, lease_until = NULL"
        " WHERE id = ?",
        (now, now, next_at, etag, last_modified, items, feed_title, new_url, source_id),
    )


def record_error(conn: Store, source_id: str, *, now: float, next_at: float, error: str) -> int:
    """Count one more failure in a row; returns the new count."""
    conn.execute(
        "UPDATE sources SET last_fetch_at = ?, next_fetch_at = ?, last_error = ?,"
        " error_count = error_count + 1, lease_owner = NULL, lease_until = NULL WHERE id = ?",
        (now, next_at, error[:500], source_id),
    )
    row = conn.execute("SELECT error_count FROM sources WHERE id = ?", (source_id,)).fetchone()
    return 0 if row is None else int(row[0])


def disable(conn: Store, source_id: str, *, reason: str) -> None:
    conn.execute(
        "UPDATE sources SET enabled = 0, disabled_reason = ? WHERE id = ?",
        (reason[:500], source_id),
    )


def make_due(conn: Store, source_id: str | None = None) -> int:
    """Schedule one source (or every enabled source) for an immediate fetch."""
    if source_id is None:
        return conn.execute("UPDATE sources SET next_fetch_at = 0 WHERE enabled = 1").rowcount
    return conn.execute(
        "UPDATE sources SET next_fetch_at = 0, enabled = 1 WHERE id = ?", (source_id,)
    ).rowcount


def enable_all(conn: Store) -> int:
    """Re-enable every disabled source and make it due now; returns how many."""
    return conn.execute(
        "UPDATE sources SET enabled = 1, disabled_reason = NULL, error_count = 0,"
        " next_fetch_at = 0 WHERE enabled = 0"
    ).rowcount


def unique_id(conn: Store, url: str) -> str:
    """A free source id made from the URL's host: `www.antaranews.com` -> `antaranews-com`."""
    host = urlsplit(url).hostname or "source"
    base = re.sub(r"[^a-z0-9]+", "-", re.sub(r"^www\.", "", host.lower())).strip("-")[:40]
    candidate, n = base or "source", 2
    while get(conn, candidate) is not None:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
