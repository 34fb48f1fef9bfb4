"""update_source() end to end in-process: the local feed server, real aiohttp, real SQLite.

What a subscriber notices: the first fetch alerts nothing (or `backfill` items), one story from
several outlets is one alert naming them, old items are never alerted, a muted chat's alerts are
held, and a `full_text` source is matched on its article page, not only its feed summary.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import PollingConfig
from bot.deliver.relay import Relay
from bot.deliver.telegram import TelegramSender, make_bot
from bot.ingest.fetch import FetchLimits, make_session
from bot.ingest.intake import http_fetcher
from bot.model import Source, SourceId
from bot.pipeline import Pipeline, update_source
from bot.rulebook import Rulebook
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store import sources as source_store
from bot.store.db import Store, open_db
from tests.servers.botapi import BotAPIServer
from tests.servers.feeds import FeedServer

ROOT = Path(__file__).resolve().parents[2]
CHAT = 555
NOW = datetime.now(UTC)


@pytest.fixture
async def pipeline(database: str | Path) -> AsyncIterator[Pipeline]:
    conn = open_db(database)  # on each backend
    chat_store.ensure_chat(conn, CHAT, now=0.0, language="off")
    chat_store.subscribe(conn, CHAT, "korean-peninsula", thread_id=None, now=0.0)
    async with make_session() as session:
        yield Pipeline(
            conn=conn, fetch=http_fetcher(session, FetchLimits()),
            rules=Rulebook([ROOT / "rules"], conn).current,
            translator=None, polling=PollingConfig(), default_language="en",
        )  # fmt: skip
    conn.close()


def add_source(conn: Store, sid: str, url: str, **kw: object) -> None:
    source = Source(id=SourceId(sid), url=url, allow_private=True, **kw)  # type: ignore[arg-type]
    source_store.upsert(conn, source, now=0.0)


async def update(p: Pipeline, sid: str) -> int:
    state = source_store.get(p.conn, sid)
    assert state is not None
    result = await update_source(state, p)
    assert result.error is None, result.error
    return result.enqueued


def queued_texts(conn: Store) -> list[str]:
    return [r.message.text for r in outbox.claim_due(conn, now=1e12, limit=100)]


def nk_item(server: FeedServer, path: str, link: str, *, title: str, hours_ago: float = 0) -> None:
    server.add_item(
        path, title, link, description="Pyongyang fired a missile on Friday.",
        published=NOW - timedelta(hours=hours_ago),
    )  # fmt: skip


async def test_first_fetch_records_existing_items_without_alerting(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """Items already in a feed when it is added are not news; the next new one is alerted."""
    nk_item(feed_server, "/a.xml", "http://a.example/1", title="North Korea fires a missile")
    add_source(pipeline.conn, "a", feed_server.url("/a.xml"))
    assert await update(pipeline, "a") == 0
    nk_item(feed_server, "/a.xml", "http://a.example/2", title="North Korea fires another missile")
    assert await update(pipeline, "a") == 1
    assert await update(pipeline, "a") == 0  # 304 or nothing new: never twice


async def test_backfill_alerts_the_newest_existing_items(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """`backfill: 1` alerts only the newest matching item on the first fetch."""
    nk_item(feed_server, "/b.xml", "http://b.example/1", title="North Korea old", hours_ago=5)
    nk_item(feed_server, "/b.xml", "http://b.example/2", title="North Korea newest", hours_ago=1)
    add_source(pipeline.conn, "b", feed_server.url("/b.xml"), backfill=1)
    assert await update(pipeline, "b") == 1
    (text,) = queued_texts(pipeline.conn)
    assert "North Korea newest" in text


async def test_one_story_from_two_outlets_is_one_alert_naming_both(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """The same headline from a second outlet joins the first alert instead of a second one."""
    for path in ("/x.xml", "/y.xml"):
        feed_server.add_item(path, "Weather", f"http://{path[1]}.example/w", feed_title=path)
    add_source(pipeline.conn, "x", feed_server.url("/x.xml"), name="Outlet X")
    add_source(pipeline.conn, "y", feed_server.url("/y.xml"), name="Outlet Y")
    await update(pipeline, "x")
    await update(pipeline, "y")
    title = "North Korea fires ballistic missile into the East Sea, Seoul says"
    nk_item(feed_server, "/x.xml", "http://x.example/nk", title=title)
    nk_item(feed_server, "/y.xml", "http://y.example/nk?utm_source=feed", title=title + ".")
    assert await update(pipeline, "x") == 1
    assert await update(pipeline, "y") == 0
    (text,) = queued_texts(pipeline.conn)
    assert "Outlet X" in text
    assert "Outlet Y" in text  # the waiting alert was re-rendered to name the later outlet


async def test_old_items_are_never_alerted(pipeline: Pipeline, feed_server: FeedServer) -> None:
    """An item published longer ago than `max_age` (3 days) is recorded but not alerted."""
    feed_server.add_item("/o.xml", "Weather", "http://o.example/w")
    add_source(pipeline.conn, "o", feed_server.url("/o.xml"))
    await update(pipeline, "o")
    nk_item(feed_server, "/o.xml", "http://o.example/nk", title="North Korea", hours_ago=24 * 4)
    assert await update(pipeline, "o") == 0


async def test_a_muted_chat_gets_its_alerts_held(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """While a chat is muted its alerts wait as held rows, not in the sending queue."""
    feed_server.add_item("/m.xml", "Weather", "http://m.example/w")
    add_source(pipeline.conn, "m", feed_server.url("/m.xml"))
    await update(pipeline, "m")
    chat_store.set_muted(pipeline.conn, CHAT, NOW.timestamp() + 3600, now=0.0)
    nk_item(feed_server, "/m.xml", "http://m.example/nk", title="North Korea tests a rocket")
    assert await update(pipeline, "m") == 1
    assert queued_texts(pipeline.conn) == []
    assert len(outbox.held_rows(pipeline.conn, CHAT)) == 1


async def test_full_text_source_is_matched_on_the_article_page(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """With `full_text: true`, a story whose feed summary says nothing is found on its page."""
    feed_server.add_item("/f.xml", "Weather", "http://f.example/w")
    add_source(pipeline.conn, "f", feed_server.url("/f.xml"), full_text=True)
    await update(pipeline, "f")
    page = (
        "<html><body><nav>Home | World | Sport</nav><article><h1>Talks in Geneva</h1>"
        "<p>Diplomats met in Geneva on Friday for a third round of talks.</p>"
        "<p>The envoy said North Korea had agreed to send a delegation next month.</p>"
        "</article><footer>© News</footer></body></html>"
    )
    feed_server.set_feed("/story.html", page.encode(), content_type="text/html; charset=utf-8")
    feed_server.add_item(
        "/f.xml", "Talks in Geneva", feed_server.url("/story.html"),
        description="Diplomats met again.", published=NOW,
    )  # fmt: skip
    assert await update(pipeline, "f") == 1
    (text,) = queued_texts(pipeline.conn)
    assert "The envoy said <b>North Korea</b> had agreed" in text  # a key line from the page


TITLE = "North Korea fires ballistic missile into the East Sea, Seoul says"


async def outlets(
    pipeline: Pipeline, feed_server: FeedServer, *sources: tuple[str, str, str | None]
) -> None:
    """Each source (id, name, language) added and fetched once: what it held is known."""
    for sid, name, language in sources:
        path = f"/{sid}.xml"
        feed_server.add_item(path, "Weather", f"http://{sid}.example/w")
        add_source(pipeline.conn, sid, feed_server.url(path), name=name, language=language)
        await update(pipeline, sid)


async def two_outlets(pipeline: Pipeline, feed_server: FeedServer) -> None:
    """Sources `p` (Outlet P) and `q` (Outlet Q), each fetched once."""
    await outlets(pipeline, feed_server, ("p", "Outlet P", None), ("q", "Outlet Q", None))


@asynccontextmanager
async def relay_running(conn: Store, botapi: BotAPIServer) -> AsyncIterator[Relay]:
    """A relay delivering the outbox to the local Bot API until the block ends."""
    bot = make_bot(botapi.token, botapi.api_root)
    relay = Relay(conn, TelegramSender(bot))
    await bot.initialize()
    running = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        await relay.stop()
        await running
        await bot.shutdown()


async def test_an_alert_already_sent_is_edited_to_name_a_later_outlet(
    pipeline: Pipeline, feed_server: FeedServer, botapi: BotAPIServer
) -> None:
    """Once delivered, the alert is edited in the chat (not sent again) to add the new outlet."""
    await two_outlets(pipeline, feed_server)
    nk_item(feed_server, "/p.xml", "http://p.example/nk", title=TITLE)
    nk_item(feed_server, "/q.xml", "http://q.example/nk", title=TITLE)
    async with relay_running(pipeline.conn, botapi) as relay:
        pipeline.on_enqueued = lambda n: relay.wake()
        assert await update(pipeline, "p") == 1
        (first,) = await botapi.wait_sent(1, chat_id=CHAT)
        assert "Outlet Q" not in first.text
        assert await update(pipeline, "q") == 0  # no second alert...
        await wait_until(lambda: "Outlet Q" in botapi.sent(CHAT)[0].text)  # ...an edit
        assert len(botapi.sent(CHAT)) == 1


async def test_a_later_outlet_is_named_in_the_alert_after_a_restart_too(
    pipeline: Pipeline, feed_server: FeedServer, botapi: BotAPIServer
) -> None:
    """The service restarts between the first outlet's alert and the second outlet: the story
    is still one (the index is rebuilt from storage) and the delivered alert is still edited to
    name the second outlet, from what it was rendered from, kept with its row."""
    await two_outlets(pipeline, feed_server)
    nk_item(feed_server, "/p.xml", "http://p.example/nk", title=TITLE)
    assert await update(pipeline, "p") == 1
    async with relay_running(pipeline.conn, botapi) as relay:
        relay.wake()
        (first,) = await botapi.wait_sent(1, chat_id=CHAT)
        assert "Outlet Q" not in first.text
        after_restart = Pipeline(  # what a restarted service builds: only the database is kept
            conn=pipeline.conn, fetch=pipeline.fetch, rules=pipeline.rules, translator=None,
            polling=pipeline.polling, default_language="en", on_enqueued=lambda n: relay.wake(),
        )  # fmt: skip
        after_restart.restore()
        nk_item(feed_server, "/q.xml", "http://q.example/nk", title=TITLE)
        assert await update(after_restart, "q") == 0  # the same story: no second alert...
        await wait_until(lambda: "Outlet Q" in botapi.sent(CHAT)[0].text)  # ...an edit
        assert len(botapi.sent(CHAT)) == 1
        assert "Outlet P" in botapi.sent(CHAT)[0].text


async def wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_permanent_redirect_becomes_the_sources_url(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """After a 301 the source is stored with its new address, so the old one is not asked again."""
    feed_server.add_item("/new.xml", "Weather", "http://n.example/w")
    feed_server.set_redirect("/old.xml", feed_server.url("/new.xml"), status=301)
    add_source(pipeline.conn, "moved", feed_server.url("/old.xml"))
    await update(pipeline, "moved")
    state = source_store.get(pipeline.conn, "moved")
    assert state is not None
    assert state.source.url == feed_server.url("/new.xml")


async def test_an_html_page_source_follows_its_feed_link(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """A source added as a site's page reads the feed the page links, and keeps that URL."""
    feed_server.add_item("/site/feed.xml", "Weather", "http://s.example/w")
    feed_server.set_html("/site/", feed_link="/site/feed.xml")
    add_source(pipeline.conn, "site", feed_server.url("/site/"))
    await update(pipeline, "site")
    state = source_store.get(pipeline.conn, "site")
    assert state is not None
    assert state.source.url == feed_server.url("/site/feed.xml")
    nk_item(feed_server, "/site/feed.xml", "http://s.example/nk", title="North Korea test")
    assert await update(pipeline, "site") == 1


async def test_a_sources_configured_language_decides_which_aliases_count(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """`北` is Korean newsroom shorthand for North Korea: it alerts from a source configured as
    Korean, and not from one configured as Japanese (where the engine scans only Japanese and
    language-free aliases)."""
    for sid, language in (("kr", "ko"), ("jp", "ja")):
        path = f"/{sid}.xml"
        feed_server.add_item(path, "old", f"http://{sid}.example/0", published=NOW)
        add_source(pipeline.conn, sid, feed_server.url(path), language=language)
        assert await update(pipeline, sid) == 0
        feed_server.add_item(
            path, "北, 동해상으로 탄도미사일 발사", f"http://{sid}.example/1", published=NOW
        )
    assert await update(pipeline, "jp") == 0  # first: had it matched, `kr` would join its story
    assert await update(pipeline, "kr") == 1
    (text,) = queued_texts(pipeline.conn)
    assert "탄도미사일" in text


async def test_a_later_outlet_sends_no_edit_to_a_chat_that_blocked_the_bot(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """Its edit could only be refused, using up the rate budget that real alerts need."""
    await two_outlets(pipeline, feed_server)
    nk_item(feed_server, "/p.xml", "http://p.example/nk", title=TITLE)
    assert await update(pipeline, "p") == 1
    (alert,) = outbox.claim_due(pipeline.conn, now=1e12, limit=5)
    outbox.ack(pipeline.conn, alert.id, message_id=9, now=1.0)
    chat_store.set_blocked(pipeline.conn, CHAT, True, 2.0)
    nk_item(feed_server, "/q.xml", "http://q.example/nk", title=TITLE)
    assert await update(pipeline, "q") == 0
    assert outbox.claim_due(pipeline.conn, now=1e12, limit=5) == []
