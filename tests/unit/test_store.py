"""Storage, on SQLite and on PostgreSQL: migrations, pruning on schedule, and the outbox's queue
discipline."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.errors import StorageError
from bot.model import RenderedMessage
from bot.store import articles, chats, outbox
from bot.store.db import Store, open_db
from bot.store.migrations import MIGRATIONS
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore


def test_a_new_database_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    """Opening creates the folder and file, in WAL mode, at the newest schema version."""
    conn = open_db(tmp_path / "deep" / "w.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def test_a_database_of_an_earlier_version_is_brought_up_to_date(tmp_path: Path) -> None:
    """A database written before alerts kept their snapshots opens, migrates, and its queued
    alert still goes out; a later outlet simply finds nothing to re-render for it."""
    raw = sqlite3.connect(tmp_path / "w.db")
    for script in MIGRATIONS[:3]:
        raw.executescript(script)
    raw.execute("PRAGMA user_version = 3")
    raw.execute(
        "INSERT INTO outbox (chat_id, kind, story_id, text, next_attempt_at, created_at)"
        " VALUES (7, 'alert', 's1', 'old alert', 1.0, 1.0)"
    )
    raw.commit()
    raw.close()
    conn = open_db(tmp_path / "w.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert [r.message.text for r in outbox.claim_due(conn, now=10.0, limit=5)] == ["old alert"]
    assert outbox.story_alerts(conn, "s1") == []
    conn.close()


def raw_store(database: str | Path) -> Store:
    """The database opened without migrating it: as an earlier (or later) Warta left it."""
    if isinstance(database, Path):
        return SqliteStore.connect(database)
    return PostgresStore.connect(database)


@pytest.mark.parametrize("version", range(len(MIGRATIONS)))
def test_every_earlier_schema_version_migrates(database: str | Path, version: int) -> None:
    """A database at any earlier version (0: a fresh one) opens at the newest, keeping its rows
    and taking new ones."""
    raw = raw_store(database)
    with raw.transaction():
        for number in range(1, version + 1):
            raw.apply_migration(number, MIGRATIONS[number - 1])
    if version:
        articles.mark_seen(raw, "src", ["kept"], now=1.0)
    raw.close()
    conn = open_db(database)
    with conn.transaction():
        assert conn.schema_version() == len(MIGRATIONS)
    articles.mark_seen(conn, "src", ["new"], now=2.0)
    expected = {"kept", "new"} if version else {"new"}
    assert articles.known_keys(conn, "src", ["kept", "new"]) == expected
    conn.close()


def test_a_database_from_a_newer_warta_is_refused_and_left_alone(database: str | Path) -> None:
    """A schema newer than this program is an error naming the database, not silent damage:
    its rows and its version stay as they were."""
    conn = open_db(database)
    articles.mark_seen(conn, "src", ["k"], now=1.0)
    conn.close()
    raw = raw_store(database)
    with raw.transaction():
        raw.apply_migration(len(MIGRATIONS) + 1, "CREATE TABLE from_the_future (x TEXT)")
    raw.close()
    with pytest.raises(StorageError, match="newer than this Warta") as refused:
        open_db(database)
    assert str(refused.value).startswith(str(database).split("?")[0].replace(":@", "@"))
    raw = raw_store(database)
    with raw.transaction():
        assert raw.schema_version() == len(MIGRATIONS) + 1
    assert articles.known_keys(raw, "src", ["k"]) == {"k"}
    raw.close()


def test_stories_in_other_languages_gather_their_articles_rules_entities(
    database: str | Path,
) -> None:
    """A story's recent articles in other languages add up; one recorded without entities (by
    an older Warta) makes its story's entities unknown rather than fewer."""
    conn = open_db(database)
    for n, (story, language, rules, entities) in enumerate(
        [
            ("s1", "ko", ["r1"], ["north-korea"]),
            ("s1", "ru", ["r2"], ["russia"]),
            ("s2", "ko", ["r1"], ["china"]),
            ("s2", "ja", ["r1"], ["japan"]),
            ("s3", "en", ["r1"], ["china"]),  # the new story's language: not a retelling
            ("new", "ko", ["r1"], ["china"]),  # the new story itself
        ]
    ):
        articles.record_article(
            conn, source_id="src", story_id=story, url=f"u{n}", title="t", language=language,
            published=0.0, rules=rules, entities=entities, now=100.0,
        )  # fmt: skip
    conn.execute("UPDATE articles SET entities = NULL WHERE language = 'ja'")
    found = articles.recent_in_other_languages(conn, since=50.0, exclude="new", language="en")
    assert found == {
        "s1": articles.RecentStory(frozenset({"r1", "r2"}), frozenset({"north-korea", "russia"})),
        "s2": articles.RecentStory(frozenset({"r1"}), None),
    }
    assert articles.recent_in_other_languages(conn, since=150.0, exclude="new", language="en") == {}
    conn.close()


def test_pruning_drops_only_what_is_past_retention(database: str | Path) -> None:
    """Old seen keys, stories and sent rows go; recent ones and queued rows stay."""
    conn = open_db(database)
    articles.mark_seen(conn, "s", ["old"], now=100.0)
    articles.mark_seen(conn, "s", ["new"], now=10_000.0)
    message = RenderedMessage(text="hi")
    sent = outbox.enqueue(conn, chat_id=1, message=message, now=100.0)
    outbox.ack(conn, sent, message_id=5, now=101.0)
    queued = outbox.enqueue(conn, chat_id=1, message=message, now=100.0)
    articles.prune(conn, seen_before=5_000.0, stories_before=5_000.0)
    outbox.prune(conn, before=5_000.0)
    assert articles.known_keys(conn, "s", ["old", "new"]) == {"new"}
    assert [r.id for r in outbox.claim_due(conn, now=1e9, limit=10)] == [queued]
    conn.close()


def test_an_alert_forgets_what_it_was_rendered_from_after_the_dedup_window(
    database: str | Path,
) -> None:
    """Once no outlet can join its story, an alert's snapshot is dropped (the row stays): the
    outbox does not carry two copies of every alert for a week."""
    conn = open_db(database)
    message = RenderedMessage(text="hi")
    old = outbox.enqueue(conn, chat_id=1, message=message, now=100.0, story_id="s1",
                         rendered_from="{}")  # fmt: skip
    new = outbox.enqueue(conn, chat_id=1, message=message, now=9_000.0, story_id="s2",
                         rendered_from="{}")  # fmt: skip
    assert outbox.forget_renders(conn, before=5_000.0) == 1
    assert outbox.story_alerts(conn, "s1") == []
    assert outbox.story_alerts(conn, "s2") == [(new, 1, None, "{}")]
    assert outbox.get_row(conn, old) is not None
    conn.close()


def test_replies_are_claimed_before_alerts(database: str | Path) -> None:
    """A command reply queued after a burst of alerts still goes out first."""
    conn = open_db(database)
    for n in range(3):
        outbox.enqueue(conn, chat_id=n, message=RenderedMessage(text=f"alert {n}"), now=1.0)
    reply = outbox.enqueue(
        conn, chat_id=9, message=RenderedMessage(text="ok"), now=2.0, kind="reply"
    )
    assert outbox.claim_due(conn, now=3.0, limit=10)[0].id == reply
    conn.close()


def test_a_long_queue_takes_one_place_and_goes_out_in_order(database: str | Path) -> None:
    """A chat with 50 queued alerts does not hold up another chat; its own go oldest first."""
    conn = open_db(database)
    busy = [
        outbox.enqueue(conn, chat_id=1, message=RenderedMessage(text=f"a{n}"), now=1.0 + n)
        for n in range(50)
    ]
    other = outbox.enqueue(conn, chat_id=2, message=RenderedMessage(text="b"), now=60.0)
    assert outbox.due_chats(conn, now=100.0) == [1, 2]
    head = outbox.head(conn, 1, now=100.0)
    assert head is not None
    assert head.id == busy[0]
    second = outbox.head(conn, 2, now=100.0)
    assert second is not None
    assert second.id == other
    assert outbox.due_chats(conn, now=100.0, exclude_chats=[1]) == [2]
    conn.close()


def test_an_alert_rewritten_while_in_flight_is_edited_once_sent(database: str | Path) -> None:
    """A later outlet named in an alert the relay was sending at that moment: the chat got the
    old text, so acking it queues an edit with the new one (else the addition would be lost)."""
    conn = open_db(database)
    row = outbox.enqueue(conn, chat_id=1, message=RenderedMessage(text="old"), now=1.0)
    (claimed,) = outbox.claim_due(conn, now=2.0, limit=1)  # the relay is sending "old"...
    assert outbox.rewrite_pending(conn, row, RenderedMessage(text="old, also: B"))
    outbox.ack(conn, row, message_id=77, now=3.0, sent=claimed.message)  # ...and it went out
    (edit,) = outbox.claim_due(conn, now=4.0, limit=5)
    assert (edit.kind, edit.edit_of, edit.message.text) == ("edit", 77, "old, also: B")
    other = outbox.enqueue(conn, chat_id=2, message=RenderedMessage(text="same"), now=5.0)
    (claimed,) = outbox.claim_due(conn, now=6.0, limit=5, exclude_chats=[1])
    outbox.ack(conn, other, message_id=78, now=7.0, sent=claimed.message)
    assert [r.id for r in outbox.claim_due(conn, now=8.0, limit=5)] == [edit.id]  # no edit
    conn.close()


def test_a_sent_alert_is_revised_by_one_edit_and_only_when_its_text_changes(
    database: str | Path,
) -> None:
    """A later outlet of a delivered story: the row keeps the new text and one edit brings it to
    the chat; the same text again (the outlet's second article) queues nothing."""
    conn = open_db(database)
    row = outbox.enqueue(conn, chat_id=1, message=RenderedMessage(text="T"), now=1.0)
    outbox.ack(conn, row, message_id=42, now=2.0)
    assert outbox.revise(conn, row, RenderedMessage(text="T, also: B"), now=3.0)
    (edit,) = outbox.claim_due(conn, now=5.0, limit=5)
    assert (edit.kind, edit.edit_of, edit.message.text) == ("edit", 42, "T, also: B")
    shown = outbox.shown_row(conn, 1, 42)
    assert shown is not None
    assert shown.message == RenderedMessage(text="T, also: B")
    outbox.ack(conn, edit.id, message_id=42, now=5.5)
    assert outbox.revise(conn, row, RenderedMessage(text="T, also: B"), now=6.0)
    assert outbox.claim_due(conn, now=7.0, limit=5) == []  # the chat shows that text already
    outbox.kill(conn, row, error="gone")
    assert not outbox.revise(conn, row, RenderedMessage(text="T, also: C"), now=8.0)
    conn.close()


def test_edits_do_not_follow_a_group_into_its_supergroup(database: str | Path) -> None:
    """Their message ids are the old group's: in the supergroup they would name other messages."""
    conn = open_db(database)
    alert = outbox.enqueue(conn, chat_id=-100, message=RenderedMessage(text="A"), now=1.0)
    edit = outbox.enqueue(
        conn, chat_id=-100, message=RenderedMessage(text="B"), now=1.0, kind="edit", edit_of=42
    )
    outbox.move_chat(conn, -100, -1001234)
    (moved,) = outbox.claim_due(conn, now=2.0, limit=5)
    assert (moved.id, moved.chat_id) == (alert, -1001234)
    status = conn.execute("SELECT status FROM outbox WHERE id = ?", (edit,)).fetchone()[0]
    assert status == "dead"
    conn.close()


def test_revisions_while_an_edit_waits_share_it_and_one_in_flight_is_followed_up(
    database: str | Path,
) -> None:
    """An edit sends the alert's latest text, so a second revision while one waits queues no
    second edit; if the edit was already on its way with the older text, its ack queues one."""
    conn = open_db(database)
    row = outbox.enqueue(conn, chat_id=1, message=RenderedMessage(text="T"), now=1.0)
    outbox.ack(conn, row, message_id=42, now=2.0)
    outbox.revise(conn, row, RenderedMessage(text="T+P"), now=3.0)
    (edit,) = outbox.claim_due(conn, now=4.0, limit=5)  # the relay sends "T+P"...
    outbox.revise(conn, row, RenderedMessage(text="T+P+Q"), now=5.0)  # ...Q comes meanwhile
    assert len(outbox.claim_due(conn, now=6.0, limit=5)) == 1  # no second edit queued
    sent = RenderedMessage(text="T+P")
    outbox.ack(conn, edit.id, message_id=42, now=7.0, sent=sent, chat_id=1)
    (follow_up,) = outbox.claim_due(conn, now=8.0, limit=5)
    assert (follow_up.edit_of, follow_up.message.text) == (42, "T+P+Q")
    conn.close()


def test_a_send_acked_after_its_group_moved_keeps_no_message_id(database: str | Path) -> None:
    """The group became a supergroup while its alert was on the way: the id Telegram gave is the
    old group's, so no later edit may use it in the supergroup."""
    conn = open_db(database)
    row = outbox.enqueue(conn, chat_id=-100, message=RenderedMessage(text="A"), now=1.0)
    (claimed,) = outbox.claim_due(conn, now=2.0, limit=1)
    outbox.move_chat(conn, -100, -1001234)
    outbox.ack(conn, row, message_id=7, now=3.0, sent=claimed.message, chat_id=claimed.chat_id)
    assert conn.execute("SELECT message_id FROM outbox WHERE id = ?", (row,)).fetchone()[0] is None
    assert not outbox.revise(conn, row, RenderedMessage(text="A+B"), now=4.0)
    conn.close()


def test_a_waiting_edit_takes_each_revision_and_starts_its_attempts_over(
    database: str | Path,
) -> None:
    """The edit a revision shares carries the newest text (what it sends if its alert row is
    gone) and a fresh count of attempts (it must not give up on the older text's account)."""
    conn = open_db(database)
    row = outbox.enqueue(conn, chat_id=1, message=RenderedMessage(text="T"), now=1.0)
    outbox.ack(conn, row, message_id=42, now=2.0)
    outbox.revise(conn, row, RenderedMessage(text="T+P"), now=3.0)
    (edit,) = outbox.claim_due(conn, now=4.0, limit=5)
    for attempt in range(3):
        outbox.reschedule(conn, edit.id, at=5.0 + attempt, error="timed out")
    outbox.revise(conn, row, RenderedMessage(text="T+P+Q"), now=9.0)
    (again,) = outbox.claim_due(conn, now=10.0, limit=5)
    assert (again.id, again.message.text, again.attempts) == (edit.id, "T+P+Q", 0)
    conn.close()


def test_an_alert_waiting_to_go_out_as_plain_text_stays_plain_when_revised(
    database: str | Path,
) -> None:
    """Telegram refused its HTML and the retry waits: a revision must not bring the HTML back."""
    conn = open_db(database)
    html_alert = RenderedMessage(text="S <b>&", parse_mode="HTML", plain_text="S &")
    row = outbox.enqueue(conn, chat_id=1, message=html_alert, now=1.0)
    outbox.replace_message(conn, row, RenderedMessage(text="S &", parse_mode=None))  # fallback
    later = RenderedMessage(text="S <b>& · also: P", parse_mode="HTML", plain_text="S & · also: P")
    assert outbox.revise(conn, row, later, now=2.0)
    (queued,) = outbox.claim_due(conn, now=3.0, limit=5)
    assert (queued.message.text, queued.message.parse_mode) == ("S & · also: P", None)
    conn.close()


def test_subscriptions_reroute_and_follow_a_group_into_an_existing_supergroup(
    database: str | Path,
) -> None:
    """Subscribing again in a topic re-routes (and says so once); a group that became a
    supergroup the bot already knew brings its subscriptions, watches and deliveries along,
    keeping the supergroup's own where both had one."""
    conn = open_db(database)
    old, new = -100, -1001234567890
    for chat in (old, new):
        chats.ensure_chat(conn, chat, now=1.0, type="group")
    assert chats.subscribe(conn, old, "all", thread_id=None, now=1.0)
    assert chats.subscribe(conn, old, "all", thread_id=7, now=2.0)  # into topic 7
    assert not chats.subscribe(conn, old, "all", thread_id=7, now=3.0)
    chats.subscribe(conn, old, "nk-russia", thread_id=None, now=1.0)
    chats.subscribe(conn, new, "all", thread_id=None, now=1.0)
    chats.add_watch(conn, old, "Rusia", thread_id=None, now=1.0)
    articles.record_delivery(conn, "s1", old, outbox_id=None, now=1.0)
    articles.record_delivery(conn, "s2", old, outbox_id=None, now=1.0)
    articles.record_delivery(conn, "s2", new, outbox_id=None, now=1.0)
    chats.migrate_chat(conn, old, new, now=5.0)
    assert chats.get_chat(conn, old) is None
    assert [(s.target, s.thread_id) for s in chats.subscriptions(conn, new)] == [
        ("all", None),  # the supergroup's own
        ("nk-russia", None),
    ]
    assert [w.expr for w in chats.watches(conn, new)] == ["Rusia"]
    assert articles.delivered_chats(conn, "s1") == {new: None}
    assert set(articles.delivered_chats(conn, "s2")) == {new, old}  # kept, as before: no harm
    assert chats.unsubscribe(conn, new, "all")
    assert not chats.unsubscribe(conn, new, "all")
    conn.close()
