"""Delivery benchmark: 600 alerts to 200 chats (50 of them groups) through a strict local Bot API.

The server runs in its own process (`python -m tests.servers.botapi`) and enforces Telegram's
limits (30/s overall, 1/s per chat with a burst of 3, 20/min per group), answering 429 when they
are exceeded. The relay delivers from a real SQLite outbox with python-telegram-bot.

Printed: the time from the first to the last accepted message, the theoretical minimum the limits
allow for the same messages (a zero-latency greedy schedule under the same windows), their ratio,
the 429s the bot provoked, and the duplicates/losses seen by the server. Asserts nothing.

    .venv/bin/python bench/deliver.py [--alerts 600] [--chats 200] [--groups 50] [--in-flight 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.deliver.format import render_alert  # noqa: E402
from bot.deliver.pacing import Limits, Pacer  # noqa: E402
from bot.deliver.relay import Relay  # noqa: E402
from bot.deliver.telegram import TelegramSender, make_bot  # noqa: E402
from bot.model import (  # noqa: E402
    Article,
    ChatId,
    ChatPrefs,
    KeyLine,
    RuleId,
    RuleRef,
    SourceId,
    Story,
)
from bot.store import outbox  # noqa: E402
from bot.store.db import open_db, transaction  # noqa: E402

TOKEN = "424242:BENCH-TOKEN"


def _chats(total: int, groups: int) -> list[int]:
    return [-(100 + i) for i in range(groups)] + [1000 + i for i in range(total - groups)]


def _story(i: int) -> Story:
    article = Article(
        source_id=SourceId("bench"),
        source_name="Bench News",
        guid=f"g{i}",
        url=f"https://news.example/{i}",
        link=f"https://news.example/{i}?utm=x&id={i}",
        title=f"Korut dan Rusia <{i}> menandatangani pakta",
        published=datetime(2025, 6, 15, 7, 30, tzinfo=UTC),
    )
    line = KeyLine(text="Pasukan Korut tiba di Rusia, kata sumber.", spans=((8, 13), (22, 27)))
    rule = RuleRef(id=RuleId("nk-russia"), name="North Korea and Russia")
    return Story(article=article, language="id", rules=(rule,), key_lines=(line,))


def theoretical_minimum(order: list[int]) -> float:
    """Span first..last accepted for `order` under the limits with zero latency and margin."""
    pending = list(order)
    pacer = Pacer(Limits(margin=0.0))
    now = 0.0
    while pending:
        times = [(pacer.earliest(c, now), i) for i, c in enumerate(pending)]
        at, index = min(times)
        now = at
        pacer.record(pending.pop(index), now)
    return now


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - our own local server
        return json.loads(r.read())


async def _deliver(api_root: str, db: Path, total: int, in_flight: int) -> float:
    conn = open_db(db)
    bot = make_bot(TOKEN, api_root)
    async with bot:
        relay = Relay(conn, TelegramSender(bot), max_in_flight=in_flight)
        started = time.perf_counter()
        task = asyncio.create_task(relay.run())
        while relay.sent + relay.failed < total:  # noqa: ASYNC110 - polls its own counters
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        await relay.stop()
        await task
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=600)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--in-flight", type=int, default=1)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.botapi", "--port", str(port), "--token", TOKEN],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()
        api_root = f"http://127.0.0.1:{port}"
        chats = _chats(args.chats, args.groups)
        order = [chats[i % len(chats)] for i in range(args.alerts)]
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            conn = open_db(db)
            with transaction(conn):
                for i, chat in enumerate(order):
                    prefs = ChatPrefs(chat_id=ChatId(chat), language="en")
                    message = render_alert(_story(i), None, prefs)
                    outbox.enqueue(conn, chat_id=chat, message=message, now=time.time())
            conn.close()
            elapsed = asyncio.run(_deliver(api_root, db, args.alerts, args.in_flight))
        sent = _get(f"{api_root}/_test/sent")
        stats = _get(f"{api_root}/_test/stats")
    finally:
        server.terminate()
        server.wait(10)
    assert isinstance(sent, list)
    assert isinstance(stats, dict)
    at = sorted(m["at"] for m in sent)
    span = at[-1] - at[0] if at else float("nan")
    minimum = theoretical_minimum(order)
    keys = Counter((m["chat_id"], m["text"]) for m in sent)
    print(f"alerts {args.alerts} to {args.chats} chats ({args.groups} groups)")
    print(f"in flight            {args.in_flight}")
    print(f"accepted             {len(sent)}")
    print(f"first->last accepted {span:.2f} s")
    print(f"relay wall time      {elapsed:.2f} s")
    print(f"theoretical minimum  {minimum:.2f} s")
    print(f"ratio                {span / minimum:.3f}")
    print(f"429s provoked        {stats['too_many_requests']}")
    print(f"duplicates           {sum(n - 1 for n in keys.values())}")
    print(f"lost                 {args.alerts - len(keys)}")


if __name__ == "__main__":
    main()
