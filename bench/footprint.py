"""Footprint: `warta run` with 200 sources, the shipped rules and 1,000 personal rules.

Starts the local Bot API server and a feed server (200 feeds of 20 items, in its own process),
seeds 1,000 /watch rules, starts `warta run`, and prints the time until /healthz answers, the
RSS after the first poll of every source, the steady RSS while idling, and the peak (VmHWM).
Targets (issue 7): steady RSS <= 150 MB, ready in <= 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store import chats as chat_store  # noqa: E402
from bot.store.db import open_db  # noqa: E402
from tests.servers.botapi import BotAPIServer  # noqa: E402

WORDS = ["pasukan", "rudal", "tarif", "banjir", "gempa", "pemilu", "inflasi", "nuklir", "drone"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mem(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def seed(db: Path, watches: int) -> None:
    conn = open_db(db)
    for n in range(watches):
        chat = 50_000 + n // 5
        chat_store.ensure_chat(conn, chat, now=0.0, language="off")
        expr = (
            f'"Korea Utara" + {WORDS[n % len(WORDS)]}{n}' if n % 3 else f"@russia + {WORDS[n % 9]}"
        )
        chat_store.add_watch(conn, chat, expr, thread_id=None, now=0.0)
    conn.close()


def write_config(tmp: Path, api: str, feeds_port: int, listen: str, sources: int) -> Path:
    lines = [
        f"telegram:\n  token: ${{TELEGRAM_BOT_TOKEN}}\n  api_base_url: {api}\n",
        f"storage:\n  path: {tmp / 'w.db'}\n",
        f"rules:\n  paths: [{ROOT / 'rules'}]\n",
        "translation:\n  providers: []\n",
        f"http:\n  listen: {listen}\n",
        "sources:\n",
    ]
    for n in range(sources):
        lines.append(
            f"  - id: feed-{n}\n    url: http://127.0.0.1:{feeds_port}/feed/{n}.xml\n"
            "    interval: 10s\n    allow_private: true\n"
        )
    config = tmp / "config.yaml"
    config.write_text("".join(lines), encoding="utf-8")
    return config


async def polled(db: Path, sources: int) -> bool:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT COUNT(*) FROM sources WHERE last_ok_at IS NOT NULL").fetchone()
        return int(row[0]) >= sources
    finally:
        conn.close()


async def main(args: argparse.Namespace) -> None:
    botapi = BotAPIServer()
    await botapi.start()
    feeds_port = free_port()
    feeds = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.servers.feeds", "--port", str(feeds_port),
        "--generate", f"{args.sources}x20", cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        seed(tmp / "w.db", args.watches)
        listen = f"127.0.0.1:{free_port()}"
        config = write_config(tmp, botapi.api_root, feeds_port, listen, args.sources)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": botapi.token}
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "-c", str(config), env=env, cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(f"http://{listen}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if proc.returncode is not None:
                    raise SystemExit("warta exited before it was ready")
                await asyncio.sleep(0.02)
        ready = time.perf_counter() - started
        while not await polled(tmp / "w.db", args.sources):  # noqa: ASYNC110 - polls another process
            await asyncio.sleep(0.1)
        first_poll = time.perf_counter() - started
        after_poll, _ = mem(proc.pid)
        samples = []
        for _ in range(int(args.idle / 0.5)):
            await asyncio.sleep(0.5)
            samples.append(mem(proc.pid)[0])
        steady = sorted(samples)[len(samples) // 2]
        peak = mem(proc.pid)[1]
        proc.send_signal(signal.SIGTERM)
        code = await proc.wait()
    feeds.terminate()
    await feeds.wait()
    await botapi.close()
    print(f"sources: {args.sources}, personal rules: {args.watches}, shipped rules dir: rules/")
    print(f"time to ready (/healthz 200):  {ready:.2f} s   (target <= 3 s)")
    print(f"first poll of every source:    {first_poll:.2f} s after start")
    print(f"RSS after the first poll:      {after_poll:.1f} MB")
    print(f"steady RSS (median, {args.idle:.0f} s idle, polling every 10 s): {steady:.1f} MB"
          "   (target <= 150 MB)")  # fmt: skip
    print(f"peak RSS (VmHWM):              {peak:.1f} MB")
    print(f"exit status after SIGTERM:     {code}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--watches", type=int, default=1000)
    ap.add_argument("--idle", type=float, default=15.0, help="seconds to idle and poll")
    asyncio.run(main(ap.parse_args()))
