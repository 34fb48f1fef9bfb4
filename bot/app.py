"""Composition root: builds every part, owns the long-lived tasks, stops in order on SIGTERM.

poller ──update_source()──> outbox (SQLite) ──relay──> Telegram
Telegram ──getUpdates──> chat handlers ──replies──> outbox
maintenance: pruning, gauges, admin notices      web: /healthz, /metrics
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from telegram import Bot, BotCommandScopeChat
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from bot import metrics
from bot.chat import ADMIN_COMMANDS, COMMANDS, build_handlers
from bot.chat.services import ChatServices
from bot.config import Config
from bot.deliver.relay import Relay
from bot.deliver.telegram import TelegramSender, make_bot
from bot.deliver.translate import ProviderConfig, TranslationService
from bot.ingest.fetch import FetchLimits, make_session
from bot.ingest.intake import http_fetcher
from bot.model import RenderedMessage, SendOutcome
from bot.operations import Operations
from bot.pipeline import Pipeline, update_source
from bot.rulebook import Rulebook
from bot.store import articles as article_store
from bot.store import notices, outbox
from bot.store import sources as source_store
from bot.store.db import Store, open_db, transaction
from bot.store.sources import SourceState
from bot.store.translations import StoredTranslationCache
from bot.web import make_web_app, start_web

log = logging.getLogger("warta.app")
HEARTBEAT_STALE = 120.0  # seconds without a poller turn before /healthz says 503


class OutboxReplier:
    """Chat replies go through the outbox like alerts: durable and paced."""

    def __init__(self, conn: Store, wake: Callable[[], None], clock: Callable[[], float]):
        self.conn, self.wake, self.clock = conn, wake, clock

    def reply(
        self, chat_id: int, text: str, *, thread_id: int | None = None, html: bool = True
    ) -> None:
        message = RenderedMessage(text=text, parse_mode="HTML" if html else None)
        outbox.enqueue(
            self.conn, chat_id=chat_id, message=message, now=self.clock(), kind="reply",
            thread_id=thread_id,
        )  # fmt: skip
        self.wake()


class MeteredSender:
    """Counts every send by outcome for /metrics, then hands the outcome to the relay."""

    def __init__(self, inner: TelegramSender) -> None:
        self.inner = inner

    async def send(
        self, chat_id: int, message: RenderedMessage, *, thread_id: int | None = None
    ) -> SendOutcome:
        started = time.perf_counter()
        outcome = await self.inner.send(chat_id, message, thread_id=thread_id)
        metrics.STAGE_SECONDS.labels("send").observe(time.perf_counter() - started)
        metrics.SENDS.labels(outcome.kind).inc()
        if outcome.kind == "retry_after":
            metrics.RETRY_AFTERS.inc()
        return outcome

    async def edit(self, chat_id: int, message_id: int, message: RenderedMessage) -> SendOutcome:
        outcome = await self.inner.edit(chat_id, message_id, message)
        metrics.SENDS.labels(f"edit_{outcome.kind}").inc()
        return outcome


class App:
    def __init__(self, config: Config, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.stopping = asyncio.Event()
        self.poll_wake = asyncio.Event()
        self.heartbeat: dict[str, float] = {}
        self.started_at = clock()
        self.exit_code = 0
        self.replica = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # --- lifecycle ---------------------------------------------------------------------------

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        cfg = self.config
        assert cfg.telegram.token, "checked by the CLI"
        conn = open_db(cfg.storage)
        self.conn = conn
        rulebook = Rulebook(cfg.rules_paths, conn)
        with transaction(conn):
            source_store.sync_config(conn, cfg.sources, now=self.clock())
            source_store.make_due(conn)  # every source is fetched once right at start
            source_store.release_leases(conn)
        limits = FetchLimits(max_bytes=cfg.polling.max_bytes)
        session = make_session(limits, per_host=cfg.polling.per_host, total=cfg.polling.concurrency)
        self.translation_cache = StoredTranslationCache(conn)
        translator = self._translator()
        await translator.start(session)
        bot = make_bot(cfg.telegram.token, cfg.telegram.api_base_url)
        self.relay = relay = Relay(conn, MeteredSender(TelegramSender(bot)), clock=self.clock,
                                   max_attempts=cfg.delivery.max_attempts)  # fmt: skip

        pipeline = Pipeline(
            conn=conn, fetch=http_fetcher(session, limits), rules=rulebook.current,
            translator=translator,
            polling=cfg.polling, default_language=cfg.translation.default_language,
            link_preview=cfg.telegram.link_preview, clock=self.clock, rng=random.Random(),
            on_enqueued=lambda n: relay.wake(), on_disabled=self._source_disabled,
        )  # fmt: skip
        pipeline.restore()
        self.pipeline, self.translator, self.rulebook = pipeline, translator, rulebook
        application = self._chat_application(bot, conn, relay, pipeline, rulebook, translator)
        web = await start_web(make_web_app(self.health), cfg.http_listen)
        log.info("warta started", extra={"listen": cfg.http_listen, "sources": len(cfg.sources)})
        try:
            await self._serve(application, relay)
        finally:
            await web.cleanup()
            await translator.close()
            await session.close()
            conn.close()
        log.info("warta stopped")
        return self.exit_code

    def _chat_application(
        self,
        bot: Bot,
        conn: Store,
        relay: Relay,
        pipeline: Pipeline,
        rulebook: Rulebook,
        translator: TranslationService,
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        """The chat side: every command's handler, its services and the admin operations."""
        cfg = self.config
        ops = Operations(
            conn=conn, pipeline=pipeline, rulebook=rulebook, config_path=cfg.path,
            config_sources=cfg.sources, pause=self._pause, wake_relay=relay.wake,
            wake_poller=self.poll_wake.set, stats_extra=self._stats_extra, clock=self.clock,
        )  # fmt: skip
        services = ChatServices(
            conn=conn, admins=frozenset(cfg.telegram.admins),
            default_language=cfg.translation.default_language,
            supports_language=translator.supports,
            replier=OutboxReplier(conn, relay.wake, self.clock),
            rules=rulebook, admin=ops, clock=self.clock,
        )  # fmt: skip
        application = Application.builder().bot(bot).build()
        for handler in build_handlers(services):
            application.add_handler(handler)
        return application

    async def _serve(
        self, application: Application[Any, Any, Any, Any, Any, Any], relay: Relay
    ) -> None:
        """Polling and delivery start at once; chat updates once Telegram answers getMe."""
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(relay.run(), name="relay"),
                tg.create_task(self._poll_loop(), name="poller"),
                tg.create_task(self._maintenance_loop(), name="maintenance"),
            ]
            chat = await self._start_chat(application)
            await self.stopping.wait()
            log.info("stopping")
            for task in tasks[1:]:
                task.cancel()
            if chat:
                await _stop_chat(application)
            await relay.stop()  # lets the send in flight finish

    async def _start_chat(self, application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
        try:
            if not await self._initialize(application):
                return False
        except InvalidToken:
            log.error("Telegram refused the bot token (telegram.token); stopping")
            self.exit_code = 1
            self.stopping.set()
            return False
        with contextlib.suppress(Exception):  # a menu is a nicety; never a reason not to start
            await _set_commands(application, self.config.telegram.admins)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10, drop_pending_updates=False)
        return True

    def _translator(self) -> TranslationService:
        t = self.config.translation
        providers = [
            ProviderConfig(type=p.type, url=p.url, api_key=p.api_key, region=p.region)  # type: ignore[arg-type]
            for p in t.providers
        ]
        return TranslationService(
            providers, cache=self.translation_cache, timeout=t.timeout, pool_size=t.pool_size,
        )  # fmt: skip

    async def _initialize(self, application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
        """getMe until Telegram answers: a VPS that boots before its network is not an error.

        False when asked to stop meanwhile; a token Telegram refuses raises InvalidToken.
        """
        delay = 1.0
        while True:
            try:
                await application.initialize()
                return True
            except InvalidToken:
                raise
            except (NetworkError, TimedOut) as e:
                log.warning("telegram unreachable; retrying", extra={"error": str(e), "in": delay})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay)
                return False
            delay = min(delay * 2, 60.0)

    # --- loops -------------------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        limit = asyncio.Semaphore(self.config.polling.concurrency)
        inflight: set[str] = set()
        async with asyncio.TaskGroup() as tg:
            while True:
                now = self.clock()
                self.heartbeat["poller"] = now
                # leased to this replica, with a provisional next time: no source is fetched
                # twice, by this process (a slow fetch) or by another replica
                claimed = await self.conn.run(source_store.claim_due, owner=self.replica, now=now)
                for state in claimed:
                    if state.source.id in inflight:
                        continue
                    inflight.add(state.source.id)
                    tg.create_task(
                        self._update(state, limit, inflight), name=f"update:{state.source.id}"
                    )
                nxt = source_store.next_due_at(self.conn)
                wait = 30.0 if nxt is None else min(30.0, max(0.05, nxt - self.clock()))
                self.poll_wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.poll_wake.wait(), wait)

    async def _update(
        self, state: SourceState, limit: asyncio.Semaphore, inflight: set[str]
    ) -> None:
        try:
            async with limit:
                await update_source(state, self.pipeline)
        except Exception:  # a loop boundary: one source's bug must not stop the others
            log.exception("source update crashed", extra={"source": state.source.id})
            metrics.FETCHES.labels("crash").inc()
        finally:
            inflight.discard(state.source.id)

    async def _maintenance_loop(self) -> None:
        while True:
            try:
                await self.translator.refresh_languages()
                self._maintain()
            except Exception:
                log.exception("maintenance failed")
            await asyncio.sleep(60)

    def _maintain(self) -> None:
        now, cfg = self.clock(), self.config
        article_store.prune(
            self.conn, seen_before=now - cfg.polling.retention,
            stories_before=now - max(cfg.polling.dedup_window * 2, cfg.polling.max_age * 2),
        )  # fmt: skip
        outbox.prune(self.conn, before=now - 7 * 86400)
        outbox.forget_renders(self.conn, before=now - cfg.polling.dedup_window)
        self.translation_cache.prune(now)
        depth, oldest = outbox.depth(self.conn)
        metrics.QUEUE_DEPTH.set(depth)
        metrics.QUEUE_AGE.set(0 if oldest is None else now - oldest)
        metrics.TRANSLATIONS.set(self.translator.requests)
        metrics.CACHE_HITS.set(self.translator.cache_hits)
        metrics.CACHE_MISSES.set(self.translator.cache_misses)
        states = source_store.all_sources(self.conn)
        metrics.SOURCES.labels("enabled").set(sum(s.enabled for s in states))
        metrics.SOURCES.labels("disabled").set(sum(not s.enabled for s in states))
        limit = cfg.delivery.backlog_alert
        backlog = f"The outbox holds {depth} messages (threshold {limit})."
        self._incident("backlog", depth > limit, backlog)
        breakers = self.translator.provider_states()
        down = bool(breakers) and all(v == "open" for v in breakers.values())
        self._incident("translation-down", down, "Translation is down: every provider is failing.")

    # --- admin notices -----------------------------------------------------------------------

    def _incident(self, key: str, active: bool, text: str) -> None:
        """Tell admins once when an incident starts; forget it when it ends."""
        if not active:
            notices.forget(self.conn, key)
            return
        if notices.record(self.conn, key, now=self.clock()):
            replier = OutboxReplier(self.conn, self.relay.wake, self.clock)
            for admin in self.config.telegram.admins:
                replier.reply(admin, f"⚠️ Warta: {text}", html=False)

    def _source_disabled(self, state: SourceState, reason: str) -> None:
        notices.forget(self.conn, f"source:{state.source.id}")
        self._incident(f"source:{state.source.id}", True, f"source {state.source.id} {reason}")

    # --- status ------------------------------------------------------------------------------

    def _pause(self, paused: bool) -> None:
        if paused:
            self.relay.pause()
        else:
            self.relay.resume()

    def _stats_extra(self) -> dict[str, object]:
        return {
            "sent": self.relay.sent,
            "send failures": self.relay.failed,
            "429s": self.relay.retry_afters,
            "translations requested": self.translator.requests,
            "translation cache hits": self.translator.cache_hits,
            "delivery paused": self.relay.paused,
        }

    def health(self) -> tuple[bool, dict[str, Any]]:
        now = self.clock()
        beat = self.heartbeat.get("poller")
        alive = beat is not None and now - beat < HEARTBEAT_STALE
        if beat is None and now - self.started_at < HEARTBEAT_STALE:
            alive = True  # still starting
        try:
            depth, oldest = outbox.depth(self.conn)
            storage = "ok"
        except Exception as e:  # whichever database: /healthz reports it instead of failing
            depth, oldest, storage = -1, None, f"error: {e}"
            alive = False
        return alive, {
            "storage": storage,
            "last_poll": beat,
            "outbox_depth": depth,
            "outbox_oldest_age": None if oldest is None else round(now - oldest, 1),
            "translation": self.translator.provider_states(),
            "paused": self.relay.paused,
        }


async def _set_commands(
    application: Application[Any, Any, Any, Any, Any, Any], admins: tuple[int, ...]
) -> None:
    """The command menu per language, and the admin commands in each admin's private chat."""
    for language, commands in COMMANDS.items():
        await application.bot.set_my_commands(commands, language_code=language or None)
    for admin in admins:
        await application.bot.set_my_commands(
            ADMIN_COMMANDS["en"], scope=BotCommandScopeChat(admin)
        )


async def _stop_chat(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
