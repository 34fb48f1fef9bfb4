"""What admins can do from chat, implemented over the app's parts (the chat's AdminOps)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.config import load_config
from bot.deliver.format import render_digest
from bot.errors import ConfigError
from bot.ingest import netguard
from bot.model import Source, SourceId
from bot.pipeline import Pipeline, alert_language, update_source
from bot.rulebook import Rulebook
from bot.store import articles as article_store
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store import sources as source_store
from bot.store.db import Store, transaction

log = logging.getLogger("warta.ops")


class Operations:
    def __init__(
        self,
        *,
        conn: Store,
        pipeline: Pipeline,
        rulebook: Rulebook,
        config_path: Path | None,
        config_sources: tuple[Source, ...],
        pause: Callable[[bool], None],
        wake_relay: Callable[[], None],
        wake_poller: Callable[[], None],
        stats_extra: Callable[[], dict[str, object]] = dict,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.conn, self.pipeline, self.rulebook = conn, pipeline, rulebook
        self.config_path, self.config_sources = config_path, config_sources
        self._pause, self._wake_relay, self._wake_poller = pause, wake_relay, wake_poller
        self._stats_extra, self.clock = stats_extra, clock

    def sources_report(self) -> str:
        states = source_store.all_sources(self.conn)
        if not states:
            return "No sources yet. Add one with /addsource URL"
        now = self.clock()
        lines = []
        for s in states:
            status = (
                "ok" if s.enabled and not s.error_count else "failing" if s.enabled else "disabled"
            )
            last = _ago(now, s.last_fetch_at)
            line = f"{s.source.id} [{status}] {s.source.url}\n  last fetch {last}"
            line += f", {s.items_total} items"
            if s.last_error:
                line += f"\n  last error: {s.last_error}"
            if not s.enabled and s.disabled_reason:
                line += f"\n  {s.disabled_reason}"
            lines.append(line)
        return "\n".join(lines)

    async def add_source(self, url: str, source_id: str | None) -> str:
        url = url.strip()
        if not re.match(r"^https?://[^\s/]+", url):
            return f"Not an http(s) URL: {url}"
        existing = source_store.by_url(self.conn, url)
        if existing is not None:
            source_store.upsert(self.conn, existing.source, now=self.clock(), enable=True)
            return await self._first_fetch(existing.source.id, "re-enabled")
        sid = source_id or source_store.unique_id(self.conn, url)
        if not re.match(r"^[a-z0-9-]+$", sid):
            return f"A source id is made of a-z, 0-9 and '-': {sid!r}"
        if source_store.get(self.conn, sid) is not None:
            return f"The id {sid} is taken; give another: /addsource {url} ID"
        source = Source(
            id=SourceId(sid), url=url, origin="chat", backfill=0,
            allow_private=netguard.private_allowed_for(url, self.config_sources),
        )  # fmt: skip
        source_store.upsert(self.conn, source, now=self.clock())
        return await self._first_fetch(sid, "added")

    async def _first_fetch(self, sid: str, verb: str) -> str:
        state = source_store.get(self.conn, sid)
        assert state is not None
        result = await update_source(state, self.pipeline)
        if result.outcome in ("ok", "not_modified"):
            after = source_store.get(self.conn, sid)
            url = after.source.url if after else state.source.url
            return f"Source {sid} {verb}: {url}. It will alert new items from now on."
        if verb == "added":  # a source that never worked is not kept
            source_store.remove(self.conn, sid)
        return f"Could not add {sid}: {result.error}"

    async def remove_source(self, source_id: str) -> str:
        state = source_store.get(self.conn, source_id)
        if state is None:
            return f"No source {source_id}. See /sources"
        if state.source.origin == "config":
            return f"{source_id} is defined in the config file; remove it there and /reload"
        source_store.remove(self.conn, source_id)
        return f"Source {source_id} removed."

    async def refresh(self, source_id: str | None) -> str:
        if source_id is None:
            n = source_store.make_due(self.conn)
            self._wake_poller()
            return f"Fetching {n} sources now."
        state = source_store.get(self.conn, source_id)
        if state is None:
            return f"No source {source_id}. See /sources"
        result = await update_source(replace(state, enabled=True), self.pipeline)
        if result.error:
            return f"{source_id}: {result.error}"
        return f"{source_id}: {result.new_items} new items, {result.enqueued} alerts queued."

    async def reload(self) -> str:
        problems = [str(p) for p in self.rulebook.reload()]
        if self.config_path is not None:
            try:
                config = load_config(self.config_path)
            except ConfigError as e:
                problems.extend(str(p) for p in e.problems)
            else:
                self.config_sources = config.sources
                with transaction(self.conn):
                    source_store.sync_config(self.conn, config.sources, now=self.clock())
                    source_store.enable_all(self.conn)  # a reload gives disabled sources a retry
                self._wake_poller()
        if problems:
            return "Reload kept the previous set. Problems:\n" + "\n".join(problems[:20])
        rules = len(self.rulebook.rules())
        return f"Reloaded: {rules} rules, {len(self.config_sources)} config sources."

    def stats(self) -> str:
        counts = article_store.counts(self.conn)
        depth, oldest = outbox.depth(self.conn)
        lines = [f"{k}: {v}" for k, v in counts.items()]
        lines.append(
            f"outbox queued: {depth}"
            + (f" (oldest {_ago(self.clock(), oldest)})" if oldest else "")
        )
        lines.extend(f"{k}: {v}" for k, v in self._stats_extra().items())
        return "\n".join(lines)

    def pause(self) -> None:
        self._pause(True)

    def resume(self) -> None:
        self._pause(False)
        self._wake_relay()

    def release_digest(self, chat_id: int) -> int:
        held = outbox.held_rows(self.conn, chat_id)
        if not held:
            return 0
        chat = chat_store.get_chat(self.conn, chat_id)  # its alerts' language, for the header
        language = alert_language(chat, self.pipeline.default_language)
        messages = render_digest([r.message.text for r in held], language=language)
        with transaction(self.conn):
            for message in messages:
                outbox.enqueue(
                    self.conn, chat_id=chat_id, message=message, now=self.clock(), kind="digest",
                    thread_id=held[0].thread_id,
                )  # fmt: skip
            outbox.mark_digested(self.conn, [r.id for r in held])
        self._wake_relay()
        return len(held)


def _ago(now: float, then: float | None) -> str:
    if not then:
        return "never"
    seconds = max(0, int(now - then))
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 7200:
        return f"{seconds // 60}m ago"
    return datetime.fromtimestamp(then, UTC).strftime("%Y-%m-%d %H:%M UTC")
