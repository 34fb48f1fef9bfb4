"""update_source(): the one readable walk of a source through every stage.

    fetch (conditional GET) -> parse (off the loop) -> new entries (seen keys) -> normalize
      -> match (language detected only when a verdict needs it) -> one story per event across
      outlets -> recipients -> translate once per target language -> render per chat, or
      fold into the chat's alert of the same story in another language (`bot.retold`)
      -> ONE transaction: seen keys + stories + deliveries + outbox rows -> wake the relay

A crash anywhere before the transaction loses nothing (the items are still new next time); the
transaction makes "seen" and "queued" one fact, so nothing is alerted twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from bot import metrics, retold
from bot.analyze.engine import Document, MatchReport, RuleSet
from bot.analyze.language import detect_language, normalize_code
from bot.config import PollingConfig
from bot.deliver import snapshot
from bot.deliver.format import render_alert
from bot.deliver.translate import needs_translation
from bot.errors import SourceError
from bot.ingest.fetch import FetchResult
from bot.ingest.intake import Fetcher, fetch_feed, new_articles, with_full_text
from bot.ingest.schedule import next_fetch_at, should_disable
from bot.model import (
    Article,
    ChatId,
    ChatPrefs,
    ParsedFeed,
    RenderedMessage,
    RuleId,
    RuleRef,
    Story,
    Translation,
)
from bot.store import articles as article_store
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store import sources as source_store
from bot.store.db import Store, transaction
from bot.store.sources import SourceState
from bot.stories import StoryIndex

log = logging.getLogger("warta.pipeline")


class StoryTranslator(Protocol):
    async def translate_story(self, story: Story, target: str) -> Translation: ...


@dataclass(slots=True, kw_only=True)
class Pipeline:
    """Everything update_source() needs, passed in by the composition root."""

    conn: Store
    fetch: Fetcher
    rules: Callable[[], RuleSet]
    translator: StoryTranslator | None
    polling: PollingConfig
    default_language: str
    link_preview: bool = False
    clock: Callable[[], float] = time.time
    rng: random.Random = field(default_factory=random.Random)
    stories: StoryIndex = field(default_factory=StoryIndex)
    on_enqueued: Callable[[int], None] = lambda n: None
    on_disabled: Callable[[SourceState, str], None] = lambda s, why: None

    def restore(self) -> None:
        """Rebuild the story index from storage (at start-up): the stories of the last dedup
        window, so an outlet after a restart still joins its story."""
        since = self.clock() - self.polling.dedup_window
        self.stories.load(article_store.recent_stories(self.conn, since=since))


@dataclass(frozen=True, slots=True, kw_only=True)
class Planned:
    """One alert for one chat, rendered and ready for the outbox."""

    chat_id: int
    thread_id: int | None
    message: RenderedMessage
    held: bool
    rendered_from: str  # story (with this chat's rules), translation and prefs: `snapshot`


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryPlan:
    story: Story
    article: Article
    is_new_story: bool
    simhash: int
    alerts: tuple[Planned, ...]
    # what `retold.find` needs at commit time (where it sees every story committed before)
    readers: dict[int, retold.Recipient] = field(default_factory=dict)
    translations: dict[str, Translation] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateResult:
    source_id: str
    outcome: str  # ok | not_modified | error | disabled
    new_items: int = 0
    matched: int = 0
    enqueued: int = 0
    error: str | None = None
    plans: tuple[StoryPlan, ...] = ()


async def update_source(state: SourceState, p: Pipeline, *, dry_run: bool = False) -> UpdateResult:
    """Fetch one source and turn whatever is new into queued alerts (or, dry, into plans)."""
    source, started = state.source, p.clock()
    try:
        got = await fetch_feed(
            p.fetch, source.url, etag=state.etag, last_modified=state.last_modified,
            allow_private=source.allow_private,
            scan_only=not state.initialized and source.backfill == 0,
        )  # fmt: skip
    except SourceError as e:
        return _record_failure(state, p, str(e), getattr(e, "retry_after", None), dry_run)
    fetched, feed = got.result, got.feed
    new_url = got.url if got.url != source.url else None  # moved, or the page's feed link
    if feed is None:  # 304 Not Modified
        if not dry_run:
            _record_success(state, p, fetched, None, 0, new_url)
        metrics.FETCHES.labels("not_modified").inc()
        return UpdateResult(source_id=source.id, outcome="not_modified")
    now = p.clock()
    fresh, keys = new_articles(p.conn, state, feed, fetched.final_url, now)
    if source.full_text and fresh:
        fresh = await with_full_text(fresh, p.fetch, source.allow_private)
    plans = [plan for a in fresh if (plan := _analyze(a, p, now)) is not None]
    plans = await _translate_and_render(plans, p, now)
    enqueued = 0
    if not dry_run:
        enqueued = await p.conn.run(_commit, p, state, keys, plans, now)
        _record_success(state, p, fetched, feed, len(fresh), new_url)
        if plans:  # new alerts, or edits naming a later outlet
            p.on_enqueued(enqueued)
    metrics.FETCHES.labels("ok").inc()
    metrics.ITEMS.inc(len(fresh))
    metrics.STAGE_SECONDS.labels("update").observe(p.clock() - started)
    log.info(
        "source updated",
        extra={"source": source.id, "items": len(feed.entries), "new": len(fresh),
               "matched": len(plans), "enqueued": enqueued},
    )  # fmt: skip
    return UpdateResult(
        source_id=source.id,
        outcome="ok",
        new_items=len(fresh),
        matched=len(plans),
        enqueued=enqueued,
        plans=tuple(plans),
    )


# --- analyze -----------------------------------------------------------------------------------


def _analyze(article: Article, p: Pipeline, now: float) -> StoryPlan | None:
    """Match one article; for a match, find or claim its story. Synchronous on purpose."""
    if now - article.published.timestamp() > p.polling.max_age:
        return None
    ruleset = p.rules()
    started = time.perf_counter()
    report = ruleset.match(
        Document(title=article.title, summary=article.summary, content=article.content),
        source_id=article.source_id,
        # a configured language is known for free and narrows the scan; else detect if needed
        language=normalize_code(article.source_language) or (lambda: _language(article)),
    )
    metrics.STAGE_SECONDS.labels("match").observe(time.perf_counter() - started)
    if not report.matched:
        return None
    for rule_id in report.matched:
        metrics.MATCHES.labels(rule_id if not rule_id.startswith("watch:") else "watch").inc()
    language = report.language or _language(article)
    cluster, is_new, simhash = p.stories.claim(article, now=now, window=p.polling.dedup_window)
    story = Story(
        article=article,
        language=language,
        rules=_rule_refs(ruleset, report),
        key_lines=report.key_lines(3),
        other_sources=tuple(n for n in cluster.sources if n != article.source_name),
        story_id=cluster.id,
        entities=report.entities(),
    )
    return StoryPlan(story=story, article=article, is_new_story=is_new, simhash=simhash, alerts=())


def _language(article: Article) -> str | None:
    return detect_language(
        title=article.title,
        text=f"{article.summary}\n{article.content[:1000]}".strip(),
        source_language=article.source_language,
        feed_language=article.feed_language,
    )


def _rule_refs(ruleset: RuleSet, report: MatchReport) -> tuple[RuleRef, ...]:
    by_id = {r.id: r for r in ruleset.rules}
    refs = []
    for rid in report.matched:
        rule = by_id.get(rid)
        if rule is not None:
            refs.append(RuleRef(id=RuleId(rid), name=rule.name, tags=tuple(rule.tags)))
        else:
            refs.append(RuleRef(id=RuleId(rid), name="watch"))
    return tuple(refs)


# --- recipients, translation, rendering ------------------------------------------------------


def _recipients(
    conn: Store, story: Story, delivered: set[int]
) -> dict[int, tuple[int | None, tuple[RuleRef, ...]]]:
    """chat id -> (forum topic, the rules that brought it there) for chats that want this story."""
    out: dict[int, tuple[int | None, list[RuleRef]]] = {}
    file_rules = [r for r in story.rules if not r.id.startswith("watch:")]
    for sub in chat_store.subscriptions(conn):
        if sub.chat_id in delivered:
            continue
        wanted = [
            r for r in file_rules if sub.target in ("all", r.id) or sub.target in r.tags
        ]  # fmt: skip
        if wanted:
            _thread, refs = out.setdefault(sub.chat_id, (sub.thread_id, []))
            refs.extend(r for r in wanted if r not in refs)
    for ref in story.rules:
        if ref.id.startswith("watch:"):
            chat_id = int(ref.id.split(":")[1])
            if chat_id not in delivered:
                out.setdefault(chat_id, (None, []))[1].append(ref)
    return {chat: (thread, tuple(refs)) for chat, (thread, refs) in out.items()}


def alert_language(chat: chat_store.Chat | None, default_language: str) -> str | None:
    """The language a chat reads alerts in, or None for never translate."""
    if chat is None or chat.language is None:
        return default_language
    return None if chat.language == chat_store.LANG_OFF else chat.language


async def _translate_and_render(plans: list[StoryPlan], p: Pipeline, now: float) -> list[StoryPlan]:
    out = []
    for plan in plans:
        delivered = set(article_store.delivered_chats(p.conn, plan.story.story_id))
        recipients = _recipients(p.conn, plan.story, delivered)
        chats = {c: chat_store.get_chat(p.conn, c) for c in recipients}
        targets = {c: alert_language(chat, p.default_language) for c, chat in chats.items()}
        wanted = {t for t in targets.values() if t and needs_translation(plan.story.language, t)}
        translations = await _translate(plan.story, sorted(wanted), p)
        readers = {
            c: retold.Recipient(targets[c], thread, frozenset(r.id for r in refs))
            for c, (thread, refs) in recipients.items()
        }
        alerts = []
        for chat_id, (thread_id, refs) in recipients.items():
            chat, target = chats[chat_id], targets[chat_id]
            prefs = ChatPrefs(
                chat_id=ChatId(chat_id),
                language=target,
                timezone=chat.timezone if chat else "UTC",
                link_preview=p.link_preview,
            )
            story = replace(plan.story, rules=refs)
            translation = translations.get(target or "")
            message = render_alert(story, translation, prefs)
            muted = bool(chat and chat.muted_until and chat.muted_until > now)
            alerts.append(
                Planned(
                    chat_id=chat_id,
                    thread_id=thread_id,
                    message=message,
                    held=muted,
                    rendered_from=snapshot.dump(story, translation, prefs),
                )
            )
        out.append(replace(plan, alerts=tuple(alerts), readers=readers, translations=translations))
    return out


async def _translate(story: Story, targets: list[str], p: Pipeline) -> dict[str, Translation]:
    """One translation per target language, all at once; a failure is a value, not an error."""
    if not targets:
        return {}
    if p.translator is None:
        return {t: Translation(target=t, title=None, failed=True) for t in targets}
    started = time.perf_counter()
    translator = p.translator
    results = await asyncio.gather(*(translator.translate_story(story, t) for t in targets))
    metrics.STAGE_SECONDS.labels("translate").observe(time.perf_counter() - started)
    return dict(zip(targets, results, strict=True))


# --- the durable boundary ----------------------------------------------------------------------


def _commit(
    conn: Store,
    p: Pipeline,
    state: SourceState,
    keys: list[str],
    plans: list[StoryPlan],
    now: float,
) -> int:
    """Seen keys, stories and outbox rows in ONE transaction on `conn` (on PostgreSQL, a pooled
    connection in a worker thread: `Store.run`); returns alerts enqueued."""
    enqueued = 0
    with transaction(conn):
        article_store.mark_seen(conn, state.source.id, keys, now)
        for plan in plans:
            story, article = plan.story, plan.article
            if plan.is_new_story:
                article_store.create_story(
                    conn, story.story_id, url=article.url, simhash=plan.simhash,
                    title=article.title, source_name=article.source_name, now=now,
                )  # fmt: skip
            else:
                outlets = article_store.add_story_source(conn, story.story_id, article.source_name)
                _add_outlet(conn, story.story_id, outlets, now)
            article_store.record_article(
                conn, source_id=article.source_id, story_id=story.story_id, url=article.url,
                title=article.title, language=story.language,
                published=article.published.timestamp(), rules=[r.id for r in story.rules],
                entities=story.entities, now=now,
            )  # fmt: skip
            # here, not when rendering: it sees every story committed before, in this batch or
            # by a source updated at the same time
            twins = retold.find(conn, p.rules(), story, plan.readers, plan.translations, now=now)
            for alert in plan.alerts:
                if not article_store.record_delivery(
                    conn, story.story_id, alert.chat_id, outbox_id=None, now=now
                ):
                    continue  # another outlet's copy of this story reached the chat first
                twin = twins.get(alert.chat_id)
                if twin is not None and retold.join(conn, alert.chat_id, twin, now=now):
                    metrics.RETOLD.inc()  # named in the chat's alert of the story elsewhere
                    continue
                outbox.enqueue(
                    conn, chat_id=alert.chat_id, thread_id=alert.thread_id,
                    message=alert.message, now=now, story_id=story.story_id, held=alert.held,
                    rendered_from=alert.rendered_from,
                )  # fmt: skip
                enqueued += 1
    metrics.ALERTS.inc(enqueued)
    return enqueued


def _add_outlet(conn: Store, story_id: str, outlets: tuple[str, ...], now: float) -> None:
    """Another outlet carries a story: its alerts are re-rendered to name it — rewritten while
    they wait in the outbox, edited in the chat once sent (from what each was rendered from,
    kept with its row: a restart in between changes nothing)."""
    for alert in outbox.story_alerts(conn, story_id):
        chat = chat_store.get_chat(conn, alert.chat_id)
        if chat is None or chat.blocked:
            continue  # it blocked the bot, or became a supergroup: an edit could not land
        if (found := snapshot.kept(alert.rendered_from)) is None:
            continue
        story, translation, prefs = found
        own = story.article.source_name
        story = replace(story, other_sources=tuple(n for n in outlets if n != own))
        snapshot.rerender(conn, alert.row_id, story, translation, prefs, now=now)


def _record_success(
    state: SourceState,
    p: Pipeline,
    fetched: FetchResult,
    feed: ParsedFeed | None,
    new_items: int,
    new_url: str | None,
) -> None:
    now = p.clock()
    at = next_fetch_at(
        now=now, interval=state.source.interval, ok=True, error_count=0,
        ttl=feed.ttl_seconds if feed else None, max_age=fetched.max_age,
        retry_after=fetched.retry_after, rng=p.rng,
    )  # fmt: skip
    source_store.record_ok(
        p.conn, state.source.id, now=now, next_at=at, etag=fetched.etag,
        last_modified=fetched.last_modified, items=new_items,
        feed_title=feed.title if feed else None, new_url=new_url,
    )  # fmt: skip


def _record_failure(
    state: SourceState, p: Pipeline, error: str, retry_after: float | None, dry_run: bool
) -> UpdateResult:
    metrics.FETCHES.labels("error").inc()
    log.warning("source failed", extra={"source": state.source.id, "error": error})
    if dry_run:
        return UpdateResult(source_id=state.source.id, outcome="error", error=error)
    now = p.clock()
    at = next_fetch_at(
        now=now, interval=state.source.interval, ok=False, error_count=state.error_count + 1,
        ttl=None, max_age=None, retry_after=retry_after, rng=p.rng,
    )  # fmt: skip
    count = source_store.record_error(p.conn, state.source.id, now=now, next_at=at, error=error)
    if should_disable(count, threshold=p.polling.max_failures):
        reason = f"disabled after {count} failures in a row; last: {error}"
        source_store.disable(p.conn, state.source.id, reason=reason)
        p.on_disabled(state, reason)
        return UpdateResult(source_id=state.source.id, outcome="disabled", error=error)
    return UpdateResult(source_id=state.source.id, outcome="error", error=error)
