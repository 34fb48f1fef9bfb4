"""The outbox relay against the local Bot API server, through python-telegram-bot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.deliver.relay import Relay
from bot.deliver.telegram import TelegramSender, make_bot
from bot.model import RenderedMessage, SendOutcome
from bot.store import chats as chat_store
from bot.store import outbox
from bot.store.db import Store, open_db, transaction
from tests.servers.botapi import BotAPIServer


class Recording:
    """The sender seam, recording each outcome so a test can wait for one."""

    def __init__(self, inner: TelegramSender) -> None:
        self.inner = inner
        self.outcomes: list[tuple[int, SendOutcome, float]] = []
        self._changed = asyncio.Event()

    async def send(
        self, chat_id: int, message: RenderedMessage, *, thread_id: int | None = None
    ) -> SendOutcome:
        outcome = await self.inner.send(chat_id, message, thread_id=thread_id)
        self.outcomes.append((chat_id, outcome, time.time()))
        self._changed.set()
        self._changed = asyncio.Event()
        return outcome

    def kinds(self, chat_id: int | None = None) -> list[str]:
        return [o.kind for c, o, _ in self.outcomes if chat_id is None or c == chat_id]

    async def wait_sent(self, chat_id: int) -> float:
        """Wait until a message to `chat_id` was accepted; when that answer came."""
        await self.wait_for(lambda: "sent" in self.kinds(chat_id))
        return next(t for c, o, t in self.outcomes if c == chat_id and o.kind == "sent")

    async def wait_for(self, check: Callable[[], bool]) -> None:
        """Wait (at most 20 s) until `check()` holds after some send."""
        async with asyncio.timeout(20):
            while not check():
                await self._changed.wait()


class Harness:
    def __init__(self, conn: Store, server: BotAPIServer, sender: Recording):
        self.conn, self.server, self.sender = conn, server, sender
        self.forbidden: list[int] = []
        self.migrated: list[tuple[int, int]] = []
        self.relay = self.new_relay()
        self.task: asyncio.Task[None] | None = None

    def new_relay(self) -> Relay:
        return Relay(
            self.conn,
            self.sender,
            on_forbidden=self.forbidden.append,
            on_migrated=lambda old, new: self.migrated.append((old, new)),
        )

    def enqueue(self, chat_id: int, text: str, *, kind: str = "alert", **fields: object) -> int:
        message = RenderedMessage(text=text, **fields)  # type: ignore[arg-type]
        with transaction(self.conn):
            row = outbox.enqueue(
                self.conn, chat_id=chat_id, message=message, now=time.time(), kind=kind
            )
        self.relay.wake()
        return row

    def start(self) -> None:
        self.task = asyncio.create_task(self.relay.run())

    async def restart(self) -> None:
        await self.relay.stop()
        self.relay = self.new_relay()
        self.start()

    def status(self, row_id: int) -> str:
        found = outbox.get_row(self.conn, row_id)
        assert found is not None
        return found[1]


@pytest.fixture
async def harness(database: str | Path, botapi: BotAPIServer) -> AsyncIterator[Harness]:
    conn = open_db(database)  # on each backend
    bot = make_bot(botapi.token, botapi.api_root)
    async with bot:
        h = Harness(conn, botapi, Recording(TelegramSender(bot)))
        h.start()
        try:
            yield h
        finally:
            await h.relay.stop()
            conn.close()


async def test_delivers_every_message_once_in_order_per_chat(harness: Harness) -> None:
    """Queued messages reach their chats in order, each once, and are marked sent with an id."""
    rows = [
        harness.enqueue(chat, f"<b>{chat}:{i}</b>", parse_mode="HTML")
        for i in range(3)
        for chat in (1, 2, -3)
    ]
    await harness.sender.wait_for(lambda: harness.sender.kinds().count("sent") == 9)
    for chat in (1, 2, -3):
        assert [m.plain for m in harness.server.sent(chat)] == [f"{chat}:{i}" for i in range(3)]
    assert {harness.status(r) for r in rows} == {"sent"}
    assert harness.relay.sent == 9
    assert harness.server.too_many_requests == 0


async def test_retry_after_is_honoured_exactly_and_durably(harness: Harness) -> None:
    """A 429 makes that chat wait exactly retry_after (stored), while other chats go on."""
    harness.server.fail_next("sendMessage", 1, status=429, retry_after=2)
    harness.enqueue(5, "first")
    await harness.sender.wait_for(lambda: harness.sender.kinds() == ["retry_after"])
    told_at = harness.sender.outcomes[0][2]
    due = outbox.next_due_at(harness.conn)
    assert due is not None
    assert 1.9 <= due - told_at <= 2.1
    harness.enqueue(6, "other chat")
    await harness.server.wait_sent(1, chat_id=6)
    assert harness.server.sent(5) == []
    await harness.restart()  # the wait survives a restart
    accepted_at = await harness.sender.wait_sent(5)
    (sent,) = harness.server.sent(5)
    assert 2.0 <= accepted_at - told_at <= 2.5
    assert harness.server.too_many_requests == 1  # no early retry was refused
    assert sent.text == "first"


async def test_server_errors_are_retried_with_backoff(harness: Harness) -> None:
    """5xx and 429-without-retry_after are retried until the message is accepted, once."""
    harness.server.fail_next("sendMessage", 2, status=502)
    row = harness.enqueue(8, "eventually")
    await harness.sender.wait_sent(8)
    assert harness.sender.kinds() == ["transient", "transient", "sent"]
    times = [t for _, _, t in harness.sender.outcomes]
    assert times[2] - times[1] >= 0.9 * (times[1] - times[0])  # the wait grows
    found = outbox.get_row(harness.conn, row)
    assert found is not None
    assert found[0].attempts == 3


async def test_forbidden_ends_the_chat(harness: Harness) -> None:
    """A chat that blocked the bot loses its subscriptions and queue; nothing more is sent."""
    with transaction(harness.conn):
        chat_store.ensure_chat(harness.conn, 7, now=time.time())
        chat_store.subscribe(harness.conn, 7, "all", thread_id=None, now=time.time())
    harness.server.block(7)
    rows = [harness.enqueue(7, f"m{i}") for i in range(3)]
    harness.enqueue(9, "sentinel")
    await harness.sender.wait_for(lambda: "forbidden" in harness.sender.kinds())
    await harness.sender.wait_for(lambda: "sent" in harness.sender.kinds())
    assert harness.sender.kinds().count("forbidden") == 1
    chat = chat_store.get_chat(harness.conn, 7)
    assert chat is not None
    assert chat.blocked
    assert chat_store.subscriptions(harness.conn, 7) == []
    assert {harness.status(r) for r in rows} == {"dead"}
    assert harness.forbidden == [7]


async def test_chat_not_found_ends_the_chat(harness: Harness) -> None:
    """A chat Telegram does not know is ended like a blocked one."""
    harness.server.set_unknown(11)
    row = harness.enqueue(11, "x")
    await harness.sender.wait_for(lambda: harness.sender.kinds() == ["chat_not_found"])
    assert harness.status(row) == "dead"
    assert harness.forbidden == [11]


async def test_migration_moves_subscriptions_and_queue(harness: Harness) -> None:
    """A group upgraded to a supergroup: its subscriptions and queued alerts follow it."""
    with transaction(harness.conn):
        chat_store.ensure_chat(harness.conn, -5, now=time.time(), type="group")
        chat_store.subscribe(harness.conn, -5, "nk-russia", thread_id=None, now=time.time())
    harness.server.migrate(-5, -1005)
    for i in range(3):
        harness.enqueue(-5, f"alert {i}")
    sent = await harness.server.wait_sent(3, chat_id=-1005)
    assert [m.text for m in sent] == ["alert 0", "alert 1", "alert 2"]
    assert harness.server.sent(-5) == []
    assert [s.target for s in chat_store.subscriptions(harness.conn, -1005)] == ["nk-russia"]
    assert chat_store.get_chat(harness.conn, -5) is None
    assert harness.migrated == [(-5, -1005)]


async def test_bad_html_is_resent_as_plain_text(harness: Harness) -> None:
    """HTML Telegram refuses goes again as the plain-text fallback (or with tags removed)."""
    harness.enqueue(12, "<b>broken", parse_mode="HTML", plain_text="broken, plainly")
    harness.enqueue(13, "<i>also</b> &amp; broken", parse_mode="HTML")
    (first,) = await harness.server.wait_sent(1, chat_id=12)
    (second,) = await harness.server.wait_sent(1, chat_id=13)
    assert (first.text, first.parse_mode) == ("broken, plainly", None)
    assert (second.text, second.parse_mode) == ("also & broken", None)


async def test_restart_resumes_and_never_resends_accepted(harness: Harness) -> None:
    """After a stop mid-queue the rest goes out; nothing accepted is sent a second time."""
    for i in range(8):
        harness.enqueue(20 + i % 2, f"q{i}")
    await harness.server.wait_sent(3)
    await harness.restart()
    await harness.server.wait_sent(8)
    await harness.restart()
    harness.enqueue(30, "sentinel")
    await harness.server.wait_sent(9)
    texts = [m.text for m in harness.server.sent()]
    assert sorted(texts) == sorted([f"q{i}" for i in range(8)] + ["sentinel"])


async def test_a_restarted_relay_paces_by_what_the_last_one_sent(harness: Harness) -> None:
    """Three messages to one chat just went out, then the service restarted: the fourth waits
    for the chat's window (3 in any 3 s) instead of meeting a 429 — the new relay counts the
    previous run's sends, which Telegram still counts."""
    for i in range(3):
        harness.enqueue(60, f"burst {i}")
    await harness.server.wait_sent(3, chat_id=60)
    await harness.restart()
    harness.enqueue(60, "after the restart")
    await harness.server.wait_sent(4, chat_id=60, timeout=10)
    sent = harness.server.sent(60)
    assert harness.server.too_many_requests == 0
    assert sent[3].at - sent[0].at >= 3.0


async def test_pause_holds_alerts_but_not_replies(harness: Harness) -> None:
    """While paused, alerts wait and command replies still go; resume sends the alerts."""
    harness.relay.pause()
    alert = harness.enqueue(40, "alert")
    harness.enqueue(41, "reply 1", kind="reply")
    await harness.server.wait_sent(1, chat_id=41)
    harness.enqueue(41, "reply 2", kind="reply")
    await harness.sender.wait_for(lambda: harness.sender.kinds().count("sent") == 2)
    assert harness.status(alert) == "queued"
    harness.relay.resume()
    await harness.server.wait_sent(1, chat_id=40)


async def test_pacing_keeps_under_the_limits_and_one_chat_cannot_stall_others(
    harness: Harness,
) -> None:
    """A burst to many chats plus a long queue for one chat: no 429, others are not held up."""
    for i in range(8):
        harness.enqueue(50, f"slow {i}")
    for chat in range(100, 140):
        harness.enqueue(chat, "hello")
    await harness.server.wait_sent(48, timeout=30)
    assert harness.server.too_many_requests == 0
    slow = harness.server.sent(50)
    others = [m.at for m in harness.server.sent() if m.chat_id != 50]
    assert max(others) < slow[6].at  # the 7th to the slow chat waited for its window
    assert slow[3].at - slow[0].at >= 3.0


async def test_bot_wide_flood_blocks_everyone(harness: Harness) -> None:
    """When several chats are told to wait at once, every chat waits: few 429s, none lost."""
    harness.server.flood_all(2)
    for chat in range(60, 66):
        harness.enqueue(chat, "after the flood")
    await harness.server.wait_sent(6, timeout=20)
    assert harness.server.too_many_requests <= 3
