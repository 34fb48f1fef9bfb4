"""One story told in two languages reaches a chat as one alert (`bot.retold`).

In-process `update_source()` against the local feed server, translated by the real
`TranslationService` through the local LibreTranslate-compatible server (its phrasebook gives
the headlines real translations), real SQLite; delivered through the local Bot API server where
the test says so.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import metrics
from bot.config import PollingConfig
from bot.deliver.translate import ProviderConfig, TranslationService
from bot.ingest.fetch import FetchLimits, make_session
from bot.ingest.intake import http_fetcher
from bot.pipeline import Pipeline
from bot.rulebook import Rulebook
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store.db import open_db
from tests.integration.test_pipeline import outlets, relay_running, update, wait_until
from tests.servers.botapi import BotAPIServer
from tests.servers.feeds import FeedServer
from tests.servers.translate import TranslateServer

ROOT = Path(__file__).resolve().parents[2]
READS_EN = 555  # a chat that reads English
READS_ORIGINALS = 556  # a chat that never translates

KO_TROOPS = '국정원 "북한, 러시아에 병력 3천명 추가 파병"'
KO_TROOPS_EN = 'NIS: "North Korea sends 3,000 more troops to Russia"'
EN_TROOPS = "North Korea sends about 3,000 more troops to Russia, Seoul's spy agency says"
KO_SUMMIT = "북·러 정상, 블라디보스토크서 회담"
KO_SUMMIT_EN = "North Korean and Russian leaders hold talks in Vladivostok"


@pytest.fixture
async def pipeline(
    database: str | Path, translate_server: TranslateServer
) -> AsyncIterator[Pipeline]:
    conn = open_db(database)  # on each backend
    for chat, language in ((READS_EN, "en"), (READS_ORIGINALS, "off")):
        chat_store.ensure_chat(conn, chat, now=0.0, language=language)
        chat_store.subscribe(conn, chat, "korean-peninsula", thread_id=None, now=0.0)
    translate_server.phrasebook[(KO_TROOPS, "en")] = KO_TROOPS_EN
    translate_server.phrasebook[(KO_SUMMIT, "en")] = KO_SUMMIT_EN
    service = TranslationService(
        [ProviderConfig(type="libre", url=translate_server.url)], cache=None, timeout=5
    )
    async with make_session() as session:
        await service.start(session)
        yield Pipeline(
            conn=conn, fetch=http_fetcher(session, FetchLimits()),
            rules=Rulebook([ROOT / "rules"], conn).current, translator=service,
            polling=PollingConfig(), default_language="en",
        )  # fmt: skip
        await service.close()
    conn.close()


async def two_outlets(p: Pipeline, server: FeedServer) -> None:
    """A Korean outlet (Yonhap) and an English one (Wire), each fetched once already."""
    await outlets(p, server, ("yna", "Yonhap", "ko"), ("wire", "Wire", "en"))


def publish(server: FeedServer, sid: str, title: str, n: int) -> None:
    server.add_item(f"/{sid}.xml", title, f"http://{sid}.example/{n}", published=datetime.now(UTC))


def alert_rows(p: Pipeline, chat: int) -> list[outbox.OutboxRow]:
    """The chat's alerts waiting in the outbox."""
    rows = outbox.claim_due(p.conn, now=1e12, limit=100)
    return [r for r in rows if r.chat_id == chat and r.kind == "alert"]


def alerts(p: Pipeline, chat: int) -> list[str]:
    return [r.message.text for r in alert_rows(p, chat)]


async def test_a_story_retold_in_another_language_joins_the_chats_alert(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """The English outlet's telling of the Korean outlet's story is named in the English
    reader's alert (headline, link) instead of a second alert; a chat reading originals, where
    the two headlines cannot be compared, gets both."""
    await two_outlets(pipeline, feed_server)
    publish(feed_server, "yna", KO_TROOPS, 1)
    assert await update(pipeline, "yna") == 2  # one per chat
    publish(feed_server, "wire", EN_TROOPS, 2)
    retold_before = metrics.REGISTRY.get_sample_value("warta_alerts_retold_total")
    assert await update(pipeline, "wire") == 1  # only the chat reading originals
    assert metrics.REGISTRY.get_sample_value("warta_alerts_retold_total") == retold_before + 1
    (alert,) = alerts(pipeline, READS_EN)
    assert html.escape(KO_TROOPS_EN) in alert
    assert '↳ Wire (en): <a href="http://wire.example/2">North Korea sends about 3,000' in alert
    assert len(alerts(pipeline, READS_ORIGINALS)) == 2


async def test_a_story_recorded_before_articles_kept_their_entities_is_still_joined(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """An earlier article whose entities are unknown (recorded by an older Warta) is judged from
    its alert, as before: the retelling is still named in it, not sent again."""
    await two_outlets(pipeline, feed_server)
    publish(feed_server, "yna", KO_TROOPS, 1)
    assert await update(pipeline, "yna") == 2
    pipeline.conn.execute("UPDATE articles SET entities = NULL")
    publish(feed_server, "wire", EN_TROOPS, 2)
    assert await update(pipeline, "wire") == 1  # only the chat reading originals
    (alert,) = alerts(pipeline, READS_EN)
    assert "↳ Wire (en)" in alert


async def test_a_different_story_about_the_same_countries_is_its_own_alert(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """Troops sent and a summit held both name North Korea and Russia: two alerts."""
    await two_outlets(pipeline, feed_server)
    publish(feed_server, "wire", EN_TROOPS, 1)
    assert await update(pipeline, "wire") == 2
    publish(feed_server, "yna", KO_SUMMIT, 2)
    assert await update(pipeline, "yna") == 2
    texts = alerts(pipeline, READS_EN)
    assert len(texts) == 2
    assert "↳" not in texts[0]
    assert KO_SUMMIT_EN in texts[1]


async def test_a_delivered_alert_is_edited_to_name_the_retelling(
    pipeline: Pipeline, feed_server: FeedServer, botapi: BotAPIServer
) -> None:
    """Once the alert was sent, the retelling arrives as an edit of it, not a new message."""
    await two_outlets(pipeline, feed_server)
    publish(feed_server, "yna", KO_TROOPS, 1)
    async with relay_running(pipeline.conn, botapi) as relay:
        pipeline.on_enqueued = lambda n: relay.wake()
        assert await update(pipeline, "yna") == 2
        (first,) = await botapi.wait_sent(1, chat_id=READS_EN)
        assert "Wire" not in first.text
        publish(feed_server, "wire", EN_TROOPS, 2)
        await update(pipeline, "wire")
        await wait_until(lambda: "↳ Wire (en)" in botapi.sent(READS_EN)[0].text)
        assert len(botapi.sent(READS_EN)) == 1


async def test_a_retelling_is_its_own_alert_where_the_first_never_arrived(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """The earlier alert died (the chat's topic was deleted, say): folding the retelling into
    it would lose the story for that chat, so it is sent on its own."""
    await two_outlets(pipeline, feed_server)
    publish(feed_server, "yna", KO_TROOPS, 1)
    assert await update(pipeline, "yna") == 2
    (row,) = [r.id for r in alert_rows(pipeline, READS_EN)]
    outbox.kill(pipeline.conn, row, error="Bad Request: message thread not found")
    publish(feed_server, "wire", EN_TROOPS, 2)
    assert await update(pipeline, "wire") == 2
    (alert,) = alerts(pipeline, READS_EN)
    assert EN_TROOPS.split(",")[0] in alert


async def test_a_retelling_bound_for_another_forum_topic_is_its_own_alert(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """Alerts of the rule now go to another topic of the group: the retelling goes there as an
    alert, not into the old topic's alert."""
    await two_outlets(pipeline, feed_server)
    chat_store.subscribe(pipeline.conn, READS_EN, "korean-peninsula", thread_id=7, now=0.0)
    publish(feed_server, "yna", KO_TROOPS, 1)
    assert await update(pipeline, "yna") == 2
    chat_store.subscribe(pipeline.conn, READS_EN, "korean-peninsula", thread_id=9, now=0.0)
    publish(feed_server, "wire", EN_TROOPS, 2)
    assert await update(pipeline, "wire") == 2
    rows = outbox.claim_due(pipeline.conn, now=1e12, limit=100)
    assert sorted(r.thread_id for r in rows if r.chat_id == READS_EN) == [7, 9]


async def test_a_chat_whose_alert_is_in_another_language_than_it_reads_now_gets_its_own(
    pipeline: Pipeline, feed_server: FeedServer
) -> None:
    """One chat read originals when the story came and reads English now; another always read
    English. The retelling joins the second chat's alert; the first gets it as an alert of its
    own (its alert's headline is Korean: not comparable, and the edit would mix languages)."""
    await two_outlets(pipeline, feed_server)
    publish(feed_server, "yna", KO_TROOPS, 1)
    assert await update(pipeline, "yna") == 2
    chat_store.set_language(pipeline.conn, READS_ORIGINALS, "en", now=0.0)
    publish(feed_server, "wire", EN_TROOPS, 2)
    assert await update(pipeline, "wire") == 1
    (joined,) = alerts(pipeline, READS_EN)
    assert "↳ Wire (en)" in joined
    first, second = alerts(pipeline, READS_ORIGINALS)
    assert "↳" not in first
    assert EN_TROOPS.split(",")[0] in second


async def test_a_retelling_committed_while_the_first_outlet_translates_is_one_alert(
    pipeline: Pipeline, feed_server: FeedServer, translate_server: TranslateServer
) -> None:
    """The Korean outlet brings two stories; while the second is being translated, the English
    outlet's retelling of the first is committed. The first is then committed knowing it: one
    alert for the chat reading English, naming both outlets."""
    await two_outlets(pipeline, feed_server)
    other = "북한, 신형 미사일 시험발사"  # a second Korean story, translated after the first
    publish(feed_server, "yna", other, 1)
    publish(feed_server, "yna", KO_TROOPS, 2)  # the newest: planned first
    publish(feed_server, "wire", EN_TROOPS, 3)
    translate_server.hold(other)
    korean = asyncio.create_task(update(pipeline, "yna"))
    # the second story's translation waits: the first (KO_TROOPS) is planned
    await wait_until(lambda: translate_server.waiting == 1)
    assert await update(pipeline, "wire") == 2  # committed meanwhile: both chats, no twin yet
    assert not korean.done()
    translate_server.release()
    await korean
    texts = alerts(pipeline, READS_EN)
    assert len(texts) == 2  # the retold story and the other one, not three
    assert sum("↳ Yonhap (ko)" in t for t in texts) == 1
