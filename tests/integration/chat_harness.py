"""A running Warta chat front end for tests: PTB polling the local Bot API server, our handlers,
a real SQLite store, and the outbox delivered to the server so tests see what users see.

Until the relay (bot/deliver/relay.py) exists, `deliver()` here sends the queued rows with PTB
and acks them: the server then checks each reply's HTML and length like Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.chat import build_handlers
from bot.chat.services import ChatServices
from bot.model import RenderedMessage
from bot.rulebook import Rulebook
from bot.store import outbox
from bot.store.db import Store, open_db
from tests.servers.botapi import BotAPIServer, SentMessage

ADMIN = 900_001  # a configured Warta admin (telegram.admins)
LANGS = frozenset({"en", "id", "ko", "ru", "de", "zh-cn"})  # what "translation" supports here


@dataclass
class Clock:
    """A frozen clock the test moves by hand."""

    now: float = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


class OutboxReplier:
    """What the app's Replier does: enqueue a kind="reply" row; here also wake the test."""

    def __init__(self, conn: Store, clock: Clock) -> None:
        self.conn, self.clock = conn, clock
        self.changed = asyncio.Event()

    def reply(
        self, chat_id: int, text: str, *, thread_id: int | None = None, html: bool = True
    ) -> None:
        message = RenderedMessage(text=text, parse_mode="HTML" if html else None)
        outbox.enqueue(
            self.conn,
            chat_id=chat_id,
            message=message,
            now=self.clock(),
            thread_id=thread_id,
            kind="reply",
        )
        self.changed.set()


CHAT_RULES = """
rules:
  - id: nk-russia
    name: North Korea & Russia
    all: [Korut, Rusia]
    tags: [geopolitics, korea]
  - id: rupiah
    name: Rupiah exchange rate
    all: [rupiah]
    tags: [economy]
  - id: china-taiwan
    name: China <-> Taiwan
    all: [China, Taiwan]
    tags: [geopolitics]
"""


class SpyRulebook(Rulebook):
    """The real rules seam over a small rules file, counting recompiles and recording /test."""

    def __init__(self, folder: Path, conn: Store) -> None:
        folder.mkdir(exist_ok=True)
        (folder / "rules.yaml").write_text(CHAT_RULES, encoding="utf-8")
        super().__init__([folder], conn)
        self.recompiled = 0
        self.explained: list[str] = []

    def explain(self, text: str, **options: Any) -> str:
        self.explained.append(text)
        return super().explain(text, **options)

    def watches_changed(self) -> None:
        self.recompiled += 1
        super().watches_changed()


@dataclass
class FakeAdmin:
    """The admin seam: records calls; release_digest turns held rows into one digest row."""

    conn: Store
    clock: Clock
    report: str = "cnbc-indonesia  ok  12 items  last error: <none> & fine"
    calls: list[tuple[str, Any]] = field(default_factory=list)
    paused: bool = False

    def sources_report(self) -> str:
        self.calls.append(("sources", None))
        return self.report

    async def add_source(self, url: str, source_id: str | None) -> str:
        self.calls.append(("add", (url, source_id)))
        return f"added {source_id or 'new-source'} from {url}"

    async def remove_source(self, source_id: str) -> str:
        self.calls.append(("remove", source_id))
        return f"removed {source_id}"

    async def refresh(self, source_id: str | None) -> str:
        self.calls.append(("refresh", source_id))
        return f"refreshed {source_id or 'all'}"

    async def reload(self) -> str:
        self.calls.append(("reload", None))
        return "rules: 3, sources: 1"

    def stats(self) -> str:
        self.calls.append(("stats", None))
        return "sources 1\nalerts 0"

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def release_digest(self, chat_id: int) -> int:
        held = outbox.held_rows(self.conn, chat_id)
        if held:
            text = "Digest:\n" + "\n".join(r.message.text for r in held)
            outbox.enqueue(
                self.conn,
                chat_id=chat_id,
                message=RenderedMessage(text=text),
                now=self.clock(),
                kind="digest",
            )
            outbox.mark_digested(self.conn, [r.id for r in held])
        return len(held)


@dataclass
class Harness:
    botapi: BotAPIServer
    app: Application[Any, Any, Any, Any, Any, Any]
    conn: Store
    clock: Clock
    replier: OutboxReplier
    rules: SpyRulebook
    admin: FakeAdmin

    def queued(self, chat_id: int | None = None) -> list[outbox.OutboxRow]:
        rows = outbox.claim_due(self.conn, now=float("inf"), limit=10_000)
        return [r for r in rows if chat_id is None or r.chat_id == chat_id]

    async def until(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        """Wait (on the replier's event, bounded) until `condition()` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("condition not met in time")
            self.replier.changed.clear()
            if condition():
                return
            try:
                await asyncio.wait_for(self.replier.changed.wait(), min(remaining, 0.2))
            except TimeoutError:
                continue

    async def deliver(self) -> list[SentMessage]:
        """Send every queued row to the server (as the relay will) and ack it."""
        sent: list[SentMessage] = []
        for row in self.queued():
            before = len(self.botapi.sent())
            result = await self.app.bot.send_message(
                row.chat_id,
                row.message.text,
                parse_mode=row.message.parse_mode,
                message_thread_id=row.thread_id,
            )
            outbox.ack(self.conn, row.id, message_id=result.message_id, now=self.clock())
            sent += self.botapi.sent()[before:]
        return sent

    async def command(
        self, chat_id: int, text: str, *, replies: int = 1, **kwargs: Any
    ) -> list[SentMessage]:
        """Send `text` from a user and return the bot's replies as the user receives them."""
        seen = len(self.queued(chat_id))
        self.botapi.push_message(chat_id, text, **kwargs)
        await self.until(lambda: len(self.queued(chat_id)) >= seen + replies)
        return await self.deliver()

    async def say(self, chat_id: int, text: str, **kwargs: Any) -> str:
        """The plain text of the single reply to `text`."""
        out = await self.command(chat_id, text, **kwargs)
        return "\n".join(m.plain for m in out)


@asynccontextmanager
async def running(
    botapi: BotAPIServer,
    tmp_path: Path,
    *,
    admins: frozenset[int] = frozenset({ADMIN}),
    default_language: str = "en",
) -> AsyncIterator[Harness]:
    """The chat front end, polling `botapi`, until the block ends."""
    botapi.relax()  # pacing is the relay's business; these tests are about the commands
    conn = open_db(tmp_path / "w.db")
    clock = Clock()
    replier = OutboxReplier(conn, clock)
    rules = SpyRulebook(tmp_path / "rules", conn)
    admin = FakeAdmin(conn, clock)
    services = ChatServices(
        conn=conn,
        admins=admins,
        default_language=default_language,
        supports_language=LANGS.__contains__,
        replier=replier,
        rules=rules,
        admin=admin,
        clock=clock,
    )
    app = Application.builder().token(botapi.token).base_url(botapi.base_url).build()
    app.add_handlers(build_handlers(services))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield Harness(botapi, app, conn, clock, replier, rules, admin)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        conn.close()
