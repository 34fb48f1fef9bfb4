"""A relay killed with SIGKILL mid-queue loses nothing and resends at most the one in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.model import RenderedMessage
from bot.store import outbox
from bot.store.db import open_db, transaction
from tests.servers.botapi import BotAPIServer

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import asyncio, sys
from bot.deliver.relay import Relay
from bot.deliver.telegram import TelegramSender, make_bot
from bot.store.db import open_db

async def main() -> None:
    bot = make_bot(sys.argv[2], sys.argv[3])
    async with bot:
        await Relay(open_db(sys.argv[1]), TelegramSender(bot)).run()

asyncio.run(main())
"""


def _spawn(db: Path, server: BotAPIServer) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), server.token, server.api_root],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


@pytest.mark.slow
async def test_sigkill_mid_queue_then_restart(tmp_path: Path, botapi: BotAPIServer) -> None:
    """200 alerts, SIGKILL after some were sent, restart: all arrive, at most one twice."""
    db = tmp_path / "warta.db"
    conn = open_db(db)
    with transaction(conn):
        for i in range(200):
            message = RenderedMessage(text=f"<b>alert {i}</b>")
            outbox.enqueue(conn, chat_id=1000 + i % 150, message=message, now=time.time())
    conn.close()
    child = _spawn(db, botapi)
    try:
        await botapi.wait_sent(60, timeout=30)
    finally:
        child.send_signal(signal.SIGKILL)
        await asyncio.to_thread(child.wait, 10)
    killed_at = len(botapi.sent())
    child = _spawn(db, botapi)
    try:
        await botapi.wait_sent(200, timeout=60)
        # anything still in flight lands within the next windows; a sentinel marks the end
        conn = open_db(db)
        with transaction(conn):
            outbox.enqueue(
                conn, chat_id=1, message=RenderedMessage(text="sentinel"), now=time.time()
            )
        conn.close()
        await botapi.wait_sent(len(botapi.sent(1)) + 1, chat_id=1, timeout=30)
        texts = Counter(m.plain for m in botapi.sent() if m.chat_id != 1)
    finally:
        child.terminate()
        await asyncio.to_thread(child.wait, 10)
    assert killed_at < 200
    assert set(texts) == {f"alert {i}" for i in range(200)}
    assert sum(n - 1 for n in texts.values()) <= 1
