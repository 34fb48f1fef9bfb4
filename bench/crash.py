"""Crash test: SIGKILL `warta run` in the middle of sending 200 alerts, start it again, count.

Prints how many alerts went out before the kill, how many chats got theirs in the end, and how
many got it twice (at most one: the send in flight). Runs the same scenario as
tests/integration/test_crash.py, against the local Bot API and feed servers.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.test_crash import crash_scenario
from tests.servers.botapi import BotAPIServer
from tests.servers.feeds import FeedServer


async def main() -> None:
    botapi, feeds = BotAPIServer(), FeedServer()
    await botapi.start()
    await feeds.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            f = await crash_scenario(Path(tmp), botapi, feeds)
    finally:
        await feeds.close()
        await botapi.close()
    print(f"alerts queued:            {f.chats}")
    print(f"sent before SIGKILL:      {f.sent_before_kill}")
    print(f"chats that got the alert: {f.delivered_chats}/{f.chats}")
    print(f"duplicates:               {f.duplicates} (at most 1 allowed)")
    print(f"restart to all delivered: {f.seconds_after_restart} s")
    print(f"429s answered by the server: {botapi.too_many_requests}")


if __name__ == "__main__":
    asyncio.run(main())
