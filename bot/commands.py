"""One-shot commands that use the pipeline without the service: poll, OPML import and export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.config import Config
from bot.errors import SourceError, WartaError
from bot.ingest import netguard
from bot.ingest.fetch import FetchLimits, make_session
from bot.ingest.intake import fetch_feed, http_fetcher
from bot.ingest.opml import read_opml, write_opml
from bot.model import Source, SourceId
from bot.pipeline import Pipeline, StoryPlan, update_source
from bot.rulebook import Rulebook
from bot.store import sources as source_store
from bot.store.db import Store, open_db
from bot.store.sources import SourceState


def _state_for(source: Source, stored: SourceState | None) -> SourceState:
    """The stored state of a source, as if its first fetch had happened (so items count as new)."""
    if stored is not None:
        return replace(stored, source=source, initialized=True, etag=None, last_modified=None)
    return SourceState(
        source=source, enabled=True, disabled_reason=None, etag=None, last_modified=None,
        feed_title=None, initialized=True, next_fetch_at=0, last_fetch_at=None, last_ok_at=None,
        last_error=None, error_count=0, items_total=0,
    )  # fmt: skip


def open_existing(config: Config) -> Store:
    """The configured database if it exists, else an empty one in memory (nothing is created)."""
    return open_db(config.storage if config.storage_exists else ":memory:")


def known_sources(config: Config, conn: Store) -> dict[SourceId, Source]:
    """Every source by id: those added in chat (stored), then the config's, which win."""
    stored = [st.source for st in source_store.all_sources(conn)]
    return {s.id: s for s in (*stored, *config.sources)}


async def poll_once(config: Config, *, only: str | None, out: TextIO) -> int:
    """Fetch every source once and print what would be alerted; writes nothing."""
    conn = open_existing(config)
    rulebook = Rulebook(config.rules_paths, conn)
    stored = {s.source.id: s for s in source_store.all_sources(conn)}
    sources = known_sources(config, conn)
    if only is not None and only not in sources:
        out.write(f"no source {only!r}\n")
        return 1
    limits = FetchLimits(max_bytes=config.polling.max_bytes)
    failed = 0
    async with make_session(limits, per_host=config.polling.per_host) as session:
        pipeline = Pipeline(
            conn=conn, fetch=http_fetcher(session, limits), rules=rulebook.current,
            translator=None,
            polling=config.polling, default_language=config.translation.default_language,
        )  # fmt: skip
        for sid, source in sorted(sources.items()):
            if only is not None and sid != only:
                continue
            result = await update_source(
                _state_for(source, stored.get(sid)), pipeline, dry_run=True
            )
            if result.error:
                failed += 1
                out.write(f"{sid}: error: {result.error}\n")
                continue
            out.write(f"{sid}: {result.new_items} new items, {len(result.plans)} would alert\n")
            for plan in result.plans:
                out.write(_describe(plan))
    conn.close()
    return 1 if failed and failed == len(sources) else 0


def _describe(plan: StoryPlan) -> str:
    s, a = plan.story, plan.article
    lines = [
        f"  • {a.title}",
        f"    {a.link}",
        f"    language: {s.language or '?'}; rules: {', '.join(r.id for r in s.rules)}",
    ]
    lines += [f"    » {k.text}" for k in s.key_lines]
    if plan.alerts:
        lines.append(f"    to {len(plan.alerts)} chat(s)")
    return "\n".join(lines) + "\n"


async def import_opml(config: Config, path: Path, *, out: TextIO) -> int:
    """Add every feed of an OPML file as a stored source; HTML pages are followed to their feed."""
    try:
        entries = read_opml(path.read_bytes())  # noqa: ASYNC240 - one small local file, read once
    except (OSError, WartaError) as e:
        out.write(f"{path}: {e}\n")
        return 1
    conn = open_db(config.storage)
    added = failed = 0
    limits = FetchLimits()
    async with make_session(limits) as session:
        fetcher = http_fetcher(session, limits)
        for url, title in entries:
            private = netguard.private_allowed_for(url, config.sources)
            try:
                fetched = await fetch_feed(fetcher, url, allow_private=private)
            except SourceError as e:
                out.write(f"{url}: skipped: {e}\n")
                failed += 1
                continue
            if source_store.by_url(conn, fetched.url) is not None:
                out.write(f"{fetched.url}: already a source\n")
                continue
            sid = source_store.unique_id(conn, fetched.url)
            source = Source(
                id=SourceId(sid), url=fetched.url, name=title, origin="chat", allow_private=private
            )
            source_store.upsert(conn, source, now=0.0)
            out.write(f"{sid}: {fetched.url}\n")
            added += 1
    conn.close()
    out.write(f"{added} added, {failed} failed\n")
    return 1 if failed and not added else 0


def export_opml(config: Config) -> str:
    sources = {s.id: s for s in config.sources}
    if config.storage_exists:
        conn = open_db(config.storage)
        for state in source_store.all_sources(conn):
            sources.setdefault(state.source.id, state.source)
        conn.close()
    return write_opml(sorted(sources.values(), key=lambda s: s.id)).decode("utf-8")
