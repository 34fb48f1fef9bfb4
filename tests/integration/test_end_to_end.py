"""The walking skeleton, end to end: `warta run` as a real process against local servers.

A chat subscribes through the Bot API server, a matching article appears in a feed, exactly one
translated alert with the article's link arrives; a second poll sends nothing; a restart of the
service sends nothing again. The service talks to the servers through its real clients
(python-telegram-bot, aiohttp, the LibreTranslate client) and keeps its state in real SQLite.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from tests.servers.botapi import BotAPIServer
from tests.servers.feeds import FeedServer
from tests.servers.translate import TranslateServer

ROOT = Path(__file__).resolve().parents[2]
ADMIN, READER = 4242, 777


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for(condition: Callable[[], Awaitable[bool]], *, within: float, what: str) -> None:
    """Poll a condition until it holds, failing with `what` after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class Service:
    """One `warta run` process with its output captured."""

    def __init__(self, config: Path, token: str, listen: str) -> None:
        self.config, self.token, self.listen = config, token, listen
        self.proc: asyncio.subprocess.Process | None = None
        self.output = b""

    async def start(self) -> None:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": self.token}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "-c", str(self.config),
            env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())

        async def healthy() -> bool:
            assert self.proc is not None
            if self.proc.returncode is not None:
                raise AssertionError(f"warta exited early:\n{self.output.decode()}")
            try:
                async with (
                    aiohttp.ClientSession() as s,
                    s.get(f"http://{self.listen}/healthz") as r,
                ):
                    return r.status == 200
            except aiohttp.ClientError:
                return False

        await wait_for(healthy, within=20, what="/healthz")

    async def first_fetch_done(self) -> None:
        """Wait until every source had its first fetch (which records what exists as seen)."""
        db = self.config.parent / "warta.db"

        async def done() -> bool:
            conn = sqlite3.connect(db)
            try:
                row = conn.execute("SELECT COUNT(*) FROM sources WHERE initialized = 0").fetchone()
                return int(row[0]) == 0
            finally:
                conn.close()

        await wait_for(done, within=20, what="the first fetch of every source")

    async def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        while chunk := await self.proc.stdout.read(4096):
            self.output += chunk

    async def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), 10)
        await self._reader
        return code


@pytest.fixture
async def setup(
    tmp_path: Path, botapi: BotAPIServer, feed_server: FeedServer, translate_server: TranslateServer
) -> AsyncIterator[tuple[Service, Path]]:
    feed_server.add_item(
        "/news.xml", "Rupiah menguat terhadap dolar", "http://news.example/rupiah", lang="id"
    )
    listen = f"127.0.0.1:{free_port()}"
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
telegram:
  token: ${{TELEGRAM_BOT_TOKEN}}
  api_base_url: {botapi.api_root}
  admins: [{ADMIN}]
storage:
  path: {tmp_path / "warta.db"}
sources:
  - id: local-news
    url: {feed_server.url("/news.xml")}
    interval: 1h
    allow_private: true
rules:
  paths: [{ROOT / "rules"}]
translation:
  default_language: en
  timeout: 5s
  providers:
    - type: libre
      url: {translate_server.url}
http:
  listen: {listen}
polling:
  max_failures: 2
""",
        encoding="utf-8",
    )
    service = Service(config, botapi.token, listen)
    yield service, tmp_path / "warta.db"
    if service.proc is not None and service.proc.returncode is None:
        service.proc.kill()
        await service.proc.wait()


def queued_for(db: Path, chat_id: int) -> int:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status IN ('queued', 'held')",
            (chat_id,),
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


async def command(botapi: BotAPIServer, user: int, text: str) -> str:
    """Send a command from a user's private chat and return the bot's reply."""
    before = len(botapi.sent(user))
    botapi.push_message(user, text, user_id=user)
    sent = await botapi.wait_sent(before + 1, chat_id=user, timeout=20)
    return sent[before].text


async def test_one_article_reaches_the_chat_once_translated(
    setup: tuple[Service, Path], botapi: BotAPIServer, feed_server: FeedServer
) -> None:
    """Subscribe, publish a matching article: one translated alert with the link, never again."""
    service, db = setup
    await service.start()
    await service.first_fetch_done()
    reply = await command(botapi, READER, "/subscribe all")
    assert "subscribed" in reply.lower()  # an English-speaking user gets English replies

    feed_server.add_item(
        "/news.xml",
        "Korea Utara kirim ribuan pasukan ke Rusia",
        "http://news.example/korut-rusia?utm_source=rss",
        description="Intelijen Korea Selatan: Korea Utara mengirim pasukan ke Rusia.",
        published=datetime.now(UTC),
        lang="id",
    )
    await command(botapi, ADMIN, "/refresh local-news")
    alerts = (await botapi.wait_sent(2, chat_id=READER, timeout=20))[1:]
    (alert,) = alerts
    assert alert.parse_mode == "HTML"
    assert "[en] Korea Utara kirim ribuan pasukan ke Rusia" in alert.text  # translated headline
    assert "Korea Utara kirim ribuan pasukan ke Rusia" in alert.text.replace("[en] ", "", 1)
    assert 'href="http://news.example/korut-rusia?utm_source=rss"' in alert.text
    assert "North Korea, any language" in alert.text  # the rule that matched, by name

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://{service.listen}/metrics") as r:
            exposition = await r.text()
        async with http.get(f"http://{service.listen}/healthz") as r:
            health = await r.json()
    assert 'warta_sends_total{outcome="sent"}' in exposition
    assert 'warta_fetches_total{outcome="ok"}' in exposition
    assert health["storage"] == "ok"
    assert "outbox_depth" in health

    await command(botapi, ADMIN, "/refresh local-news")  # a second poll: nothing new
    assert queued_for(db, READER) == 0
    assert len(botapi.sent(READER)) == 2

    assert await service.stop() == 0
    await service.start()  # a restart fetches every source once at start
    await command(botapi, ADMIN, "/refresh local-news")
    assert queued_for(db, READER) == 0
    assert len(botapi.sent(READER)) == 2
    assert await service.stop() == 0
    assert botapi.token.encode() not in service.output  # the token never reaches the logs


async def test_a_failing_source_is_disabled_admins_told_once_and_reload_retries_it(
    setup: tuple[Service, Path], botapi: BotAPIServer, feed_server: FeedServer
) -> None:
    """Two failures in a row disable a source: one notice to the admin, /sources says why."""
    service, _ = setup
    await service.start()
    await service.first_fetch_done()
    feed_server.set_status("/news.xml", 500)
    assert "500" in await command(botapi, ADMIN, "/refresh local-news")
    before = len(botapi.sent(ADMIN))
    await command(botapi, ADMIN, "/refresh local-news")  # the second failure disables it
    notices = await botapi.wait_sent(before + 2, chat_id=ADMIN, timeout=20)
    texts = [m.text for m in notices[before:]]
    assert sum("disabled after 2 failures" in t for t in texts) == 1
    report = await command(botapi, ADMIN, "/sources")
    assert "disabled" in report
    assert "500" in report

    feed_server.clear_fault("/news.xml")
    reply = await command(botapi, ADMIN, "/reload")
    assert "Reloaded" in reply
    await wait_for(
        lambda: _source_enabled(service), within=20, what="the source to be fetched again"
    )
    assert "[ok]" in await command(botapi, ADMIN, "/sources")
    assert await service.stop() == 0


async def _source_enabled(service: Service) -> bool:
    conn = sqlite3.connect(service.config.parent / "warta.db")
    try:
        row = conn.execute("SELECT enabled, error_count FROM sources").fetchone()
        return tuple(row) == (1, 0)
    finally:
        conn.close()


async def test_a_reader_who_is_not_admin_cannot_run_admin_commands(
    setup: tuple[Service, Path], botapi: BotAPIServer
) -> None:
    """/addsource from an ordinary user is refused and adds nothing."""
    service, db = setup
    await service.start()
    reply = await command(botapi, READER, "/addsource http://example.org/feed.xml")
    assert "admin" in reply.lower()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 1
    conn.close()
    assert await service.stop() == 0


async def test_telegram_down_at_start_delays_chat_but_not_polling(
    setup: tuple[Service, Path], botapi: BotAPIServer
) -> None:
    """getMe failing at start is retried: /healthz answers meanwhile, commands work after."""
    service, _ = setup
    botapi.fail_next("getMe", 2, status=502)
    await service.start()  # healthy while Telegram is still failing
    await service.first_fetch_done()
    reply = await command(botapi, READER, "/subscribe all")
    assert "subscribed" in reply.lower()
    assert await service.stop() == 0


async def test_a_token_telegram_refuses_stops_with_status_one(
    setup: tuple[Service, Path],
) -> None:
    """A wrong token is not retried forever: the process exits 1 and says why."""
    service, _ = setup
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "999:not-the-servers-token"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "-c", str(service.config),
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert b"refused the bot token" in output
    assert b"not-the-servers-token" not in output
