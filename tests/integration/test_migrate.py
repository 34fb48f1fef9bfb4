"""`warta migrate --from-sqlite PATH`: a single-machine install moves into PostgreSQL whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.model import RenderedMessage, Source, SourceId
from bot.store import articles, chats, notices, outbox, sources
from bot.store.copy import tables
from bot.store.db import Store, open_db
from bot.store.translations import StoredTranslationCache

ROOT = Path(__file__).resolve().parents[2]
CHAT, GROUP = 777, -1001234567890  # a supergroup's id needs 64 bits


def single_machine_install(path: Path) -> None:
    """What a running Warta leaves in its SQLite file, through the same store calls."""
    db = open_db(path)
    sources.upsert(db, Source(id=SourceId("antara"), url="https://antaranews.com/rss"), now=1.0)
    sources.record_ok(db, "antara", now=2.0, next_at=302.0, etag='W/"e1"', last_modified=None,
                      items=3, feed_title="ANTARA")  # fmt: skip
    for chat in (CHAT, GROUP):
        chats.ensure_chat(db, chat, now=1.0, language="id")
    chats.subscribe(db, CHAT, "nk-russia", thread_id=None, now=1.0)
    chats.subscribe(db, GROUP, "all", thread_id=42, now=1.0)
    chats.add_watch(db, CHAT, '"Korea Utara" + Rusia', thread_id=None, now=1.0)
    chats.set_muted(db, GROUP, 9_999.0, now=1.0)
    articles.mark_seen(db, "antara", ["guid-1", "https://antaranews.com/a"], now=2.0)
    articles.create_story(db, "s1", url="https://antaranews.com/a", simhash=(1 << 64) - 5,
                          title="Korea Utara", source_name="ANTARA", now=2.0)  # fmt: skip
    articles.record_article(db, source_id="antara", story_id="s1", url="https://antaranews.com/a",
                            title="Korea Utara", language="id", published=1.5, rules=["nk-russia"],
                            entities=["north-korea"], now=2.0)  # fmt: skip
    alert = RenderedMessage(text="<b>sent</b>", parse_mode="HTML")
    sent = outbox.enqueue(db, chat_id=CHAT, message=alert, now=2.0, story_id="s1",
                          rendered_from="{}")  # fmt: skip
    outbox.ack(db, sent, message_id=555, now=3.0)
    articles.record_delivery(db, "s1", CHAT, outbox_id=sent, now=2.0)
    outbox.enqueue(db, chat_id=CHAT, message=RenderedMessage(text="queued"), now=4.0)
    outbox.enqueue(db, chat_id=GROUP, message=RenderedMessage(text="held"), now=4.0, held=True,
                   thread_id=42)  # fmt: skip
    StoredTranslationCache(db, clock=lambda: 5.0).put_many([("k", "id", "en", "North Korea")])
    notices.record(db, "backlog", now=5.0)
    db.close()


def everything(db: Store, names: list[str]) -> dict[str, list[tuple[object, ...]]]:
    return {
        name: sorted(
            (tuple(r) for r in db.execute(f"SELECT * FROM {name}")),  # noqa: S608
            key=repr,
        )
        for name in names
    }


def config_for(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(f"storage:\n  url: '{url}'\nrules:\n  paths: [{ROOT / 'rules'}]\n",
                      encoding="utf-8")  # fmt: skip
    return config


def test_a_sqlite_install_moves_into_postgresql_losing_nothing(
    tmp_path: Path, fresh_postgres: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every row of every table arrives as it was (queued and held alerts, subscriptions with
    their topics, personal rules, seen keys, stories, deliveries, the translation cache), the
    moved install carries on (its queue goes out in order, new rows get new ids), and a second
    run refuses to merge into the now filled database."""
    file = tmp_path / "warta.db"
    single_machine_install(file)
    config = config_for(tmp_path, fresh_postgres)
    assert main(["migrate", "--from-sqlite", str(file), "-c", str(config)]) == 0
    assert "outbox 3" in capsys.readouterr().out

    before = open_db(file)
    after = open_db(fresh_postgres)
    names = tables(before)
    assert everything(after, names) == everything(before, names)
    before.close()

    assert [r.message.text for r in outbox.claim_due(after, now=10.0, limit=5)] == ["queued"]
    assert [r.message.text for r in outbox.held_rows(after, GROUP)] == ["held"]
    assert [(s.chat_id, s.thread_id) for s in chats.subscriptions(after)] == [
        (GROUP, 42),
        (CHAT, None),
    ]
    assert [w.expr for w in chats.watches(after, CHAT)] == ['"Korea Utara" + Rusia']
    assert articles.known_keys(after, "antara", ["guid-1", "guid-2"]) == {"guid-1"}
    assert articles.recent_stories(after, since=0.0)[0].simhash == (1 << 64) - 5
    assert articles.delivered_chats(after, "s1") == {CHAT: 1}
    assert StoredTranslationCache(after, clock=lambda: 6.0).get_many(["k"]) == {"k": "North Korea"}
    newer = outbox.enqueue(after, chat_id=CHAT, message=RenderedMessage(text="new"), now=11.0)
    assert newer == 4
    assert chats.add_watch(after, CHAT, "Rusia", thread_id=None, now=11.0) == 2
    after.close()

    assert main(["migrate", "--from-sqlite", str(file), "-c", str(config)]) == 1
    err = capsys.readouterr().err
    assert "holds rows already" in err
    assert len(err.strip().splitlines()) == 1


def test_migrate_from_sqlite_needs_a_postgresql_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without storage.url there is nowhere to move to: exit 1, saying which key to set."""
    config = tmp_path / "c.yaml"
    config.write_text(f"storage:\n  path: {tmp_path / 'w.db'}\n", encoding="utf-8")
    assert main(["migrate", "--from-sqlite", str(tmp_path / "x.db"), "-c", str(config)]) == 1
    assert "storage.url" in capsys.readouterr().err
