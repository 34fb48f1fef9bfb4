"""Edits of a delivered alert, through the relay, python-telegram-bot and the local Bot API:
the chat ends with the alert's latest text whatever Telegram answers and whatever the order."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.deliver.relay import Relay
from bot.model import RenderedMessage
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store.db import Store, open_db
from tests.integration.test_pipeline import CHAT, relay_running, wait_until
from tests.servers.botapi import BotAPIServer


@asynccontextmanager
async def delivered(
    tmp_path: Path, botapi: BotAPIServer, message: RenderedMessage
) -> AsyncIterator[tuple[Store, Relay, int]]:
    """An alert sent to the chat by a running relay: (the database, the relay, its row)."""
    conn = open_db(tmp_path / "w.db")
    chat_store.ensure_chat(conn, CHAT, now=0.0)
    row = outbox.enqueue(conn, chat_id=CHAT, message=message, now=0.0)
    try:
        async with relay_running(conn, botapi) as relay:
            relay.wake()
            await wait_until(lambda: sent_message_id(conn, row) is not None)
            yield conn, relay, row
    finally:
        conn.close()


def sent_message_id(conn: Store, row_id: int) -> int | None:
    """The Telegram message a row became, once sent."""
    query = "SELECT message_id FROM outbox WHERE id = ? AND status = 'sent'"
    found = conn.execute(query, (row_id,)).fetchone()
    return None if found is None else found[0]


def status(conn: Store, row_id: int) -> str:
    return str(conn.execute("SELECT status FROM outbox WHERE id = ?", (row_id,)).fetchone()[0])


def queued_edits(conn: Store) -> int:
    query = "SELECT COUNT(*) FROM outbox WHERE kind = 'edit' AND status = 'queued'"
    return int(conn.execute(query).fetchone()[0])


async def test_an_edit_to_the_text_the_chat_already_shows_is_done_not_failed(
    tmp_path: Path, botapi: BotAPIServer
) -> None:
    """Telegram refuses an edit that changes nothing ("message is not modified"): the chat
    shows that text, so the edit is done; it is not a failed send."""
    message = RenderedMessage(text="<b>North Korea</b> fires a missile", parse_mode="HTML")
    async with delivered(tmp_path, botapi, message) as (conn, relay, row):
        shown = sent_message_id(conn, row)
        edit = outbox.enqueue(
            conn, chat_id=CHAT, message=message, now=0.0, kind="edit", edit_of=shown
        )
        relay.wake()
        await wait_until(lambda: status(conn, edit) != "queued")
        assert status(conn, edit) == "sent"
        assert relay.failed == 0


async def test_an_older_edit_retried_late_does_not_undo_a_newer_one(
    tmp_path: Path, botapi: BotAPIServer
) -> None:
    """Two outlets named one after the other: two edits of the alert. The first is retried after
    the second went out; the chat still ends with both outlets named."""
    async with delivered(tmp_path, botapi, RenderedMessage(text="Story")) as (conn, relay, row):
        shown = sent_message_id(conn, row)
        named_p = RenderedMessage(text="Story · also: P")
        older = outbox.enqueue(conn, chat_id=CHAT, message=named_p, now=0.0, kind="edit",
                               edit_of=shown)  # fmt: skip
        # the first edit timed out: it is retried after the second went out
        outbox.reschedule(conn, older, at=time.time() + 0.2, error="timed out")
        named_pq = RenderedMessage(text="Story · also: P, Q")
        outbox.replace_message(conn, row, named_pq)
        outbox.enqueue(conn, chat_id=CHAT, message=named_pq, now=0.0, kind="edit", edit_of=shown)
        relay.wake()
        await wait_until(lambda: queued_edits(conn) == 0)
    assert [method for method, _ in botapi.requests].count("editMessageText") == 2
    assert botapi.sent(CHAT)[0].text == "Story · also: P, Q"


async def test_an_alert_that_went_out_as_plain_text_is_edited_as_plain_text(
    tmp_path: Path, botapi: BotAPIServer
) -> None:
    """Telegram refused the alert's HTML, so it went out as plain text: a later revision reaches
    the chat as plain text too, instead of being refused again and dropped."""
    broken = RenderedMessage(text="Story <b>& co", parse_mode="HTML", plain_text="Story & co")
    async with delivered(tmp_path, botapi, broken) as (conn, relay, row):
        assert botapi.sent(CHAT)[0].text == "Story & co"
        later = RenderedMessage(
            text="Story <b>& co · also: P", parse_mode="HTML", plain_text="Story & co · also: P"
        )
        assert outbox.revise(conn, row, later, now=0.0)
        relay.wake()
        await wait_until(lambda: botapi.sent(CHAT)[0].text == "Story & co · also: P")
        assert relay.failed == 0
    assert [method for method, _ in botapi.requests].count("editMessageText") == 1  # not refused
