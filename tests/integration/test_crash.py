"""A SIGKILL in the middle of a burst of alerts loses nothing and duplicates at most one.

`warta run` is started against the local servers with 200 subscribed chats; a matching article
queues 200 alerts; the process is killed with SIGKILL while they go out, then started again.
Every chat ends up with its alert, and at most one chat (the send in flight) gets it twice.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.store import chats as chat_store
from bot.store.db import open_db
from tests.integration.test_end_to_end import ADMIN, Service, command, free_port
from tests.servers.botapi import BotAPIServer
from tests.servers.feeds import FeedServer

ROOT = Path(__file__).resolve().parents[2]
CHATS = 200


@dataclass(frozen=True)
class CrashFigures:
    chats: int
    sent_before_kill: int
    delivered_chats: int
    duplicates: int
    seconds_after_restart: float


def _config(tmp: Path, botapi: BotAPIServer, feeds: FeedServer, listen: str) -> Path:
    config = tmp / "config.yaml"
    config.write_text(
        f"telegram:\n  token: ${{TELEGRAM_BOT_TOKEN}}\n  api_base_url: {botapi.api_root}\n"
        f"  admins: [{ADMIN}]\nstorage:\n  path: {tmp / 'warta.db'}\n"
        f"sources:\n  - id: wire\n    url: {feeds.url('/wire.xml')}\n    interval: 1h\n"
        f"    allow_private: true\nrules:\n  paths: [{ROOT / 'rules'}]\n"
        f"translation:\n  providers: []\nhttp:\n  listen: {listen}\n",
        encoding="utf-8",
    )
    conn = open_db(tmp / "warta.db")
    for chat_id in range(10_001, 10_001 + CHATS):
        chat_store.ensure_chat(conn, chat_id, now=0.0, language="off")
        chat_store.subscribe(conn, chat_id, "korean-peninsula", thread_id=None, now=0.0)
    conn.close()
    return config


async def crash_scenario(tmp: Path, botapi: BotAPIServer, feeds: FeedServer) -> CrashFigures:
    feeds.add_item("/wire.xml", "Weather in Jakarta", "http://wire.example/weather")
    listen = f"127.0.0.1:{free_port()}"
    service = Service(_config(tmp, botapi, feeds, listen), botapi.token, listen)
    await service.start()
    await service.first_fetch_done()
    feeds.add_item(
        "/wire.xml", "North Korea fires missile into the sea", "http://wire.example/nk",
        published=datetime.now(UTC),
    )  # fmt: skip
    botapi.push_message(ADMIN, "/refresh wire", user_id=ADMIN)
    alerts = list(range(10_001, 10_001 + CHATS))
    await botapi.wait_sent(60, timeout=30)  # mid-burst
    assert service.proc is not None
    service.proc.send_signal(signal.SIGKILL)
    await service.proc.wait()
    sent_before = sum(len(botapi.sent(c)) for c in alerts)
    started = asyncio.get_running_loop().time()
    await service.start()
    await botapi.wait_sent(CHATS + 1, timeout=60)  # 200 alerts and the admin's reply
    await command(botapi, ADMIN, "/stats")  # the service keeps answering after the burst
    elapsed = asyncio.get_running_loop().time() - started
    await service.stop()
    counts = [len(botapi.sent(c)) for c in alerts]
    return CrashFigures(
        chats=CHATS,
        sent_before_kill=sent_before,
        delivered_chats=sum(1 for n in counts if n >= 1),
        duplicates=sum(n - 1 for n in counts if n > 1),
        seconds_after_restart=round(elapsed, 2),
    )


async def test_sigkill_mid_burst_loses_nothing_and_duplicates_at_most_one(
    tmp_path: Path, botapi: BotAPIServer, feed_server: FeedServer
) -> None:
    """After SIGKILL and a restart, all 200 chats have the alert; at most one has it twice."""
    figures = await crash_scenario(tmp_path, botapi, feed_server)
    print(f"crash test: {figures}")
    assert 0 < figures.sent_before_kill < CHATS  # the kill really landed mid-burst
    assert figures.delivered_chats == CHATS
    assert figures.duplicates <= 1
