"""Admin commands (telegram.admins only): /sources /addsource /removesource /refresh /reload
/test /stats /pause /resume. What they do is the app's (`AdminOps`); here: arguments and replies."""

from __future__ import annotations

import asyncio
import html
import re
from urllib.parse import urlsplit

from bot.chat.turn import MAX_MESSAGE, Turn, split_message

SOURCE_ID = re.compile(r"[a-z0-9-]+")
MAX_TEST_TEXT = 20_000  # characters of /test text given to the matcher


def send_plain(turn: Turn, text: str) -> None:
    """Reply with plain text from the app, escaped, in <pre> blocks that each fit a message."""
    escaped = html.escape(text.strip() or "-", quote=False)
    for part in split_message(escaped, MAX_MESSAGE - len("<pre></pre>")):
        turn.services.replier.reply(turn.chat_id, f"<pre>{part}</pre>", thread_id=turn.thread_id)


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


async def sources(turn: Turn) -> None:
    if turn.args:
        turn.say("no_arguments", command="sources")
        return
    send_plain(turn, turn.services.admin.sources_report())


async def addsource(turn: Turn) -> None:
    args = turn.args
    if not 1 <= len(args) <= 2 or not _valid_url(args[0]):
        turn.say("addsource_usage")
        return
    source_id = args[1].lower() if len(args) == 2 else None
    if source_id is not None and not SOURCE_ID.fullmatch(source_id):
        turn.say("addsource_usage")
        return
    send_plain(turn, await turn.services.admin.add_source(args[0], source_id))


async def removesource(turn: Turn) -> None:
    if len(turn.args) != 1 or not SOURCE_ID.fullmatch(turn.args[0].lower()):
        turn.say("removesource_usage")
        return
    send_plain(turn, await turn.services.admin.remove_source(turn.args[0].lower()))


async def refresh(turn: Turn) -> None:
    if len(turn.args) > 1 or (turn.args and not SOURCE_ID.fullmatch(turn.args[0].lower())):
        turn.say("refresh_usage")
        return
    source_id = turn.args[0].lower() if turn.args else None
    send_plain(turn, await turn.services.admin.refresh(source_id))


async def reload(turn: Turn) -> None:
    if turn.args:
        turn.say("no_arguments", command="reload")
        return
    send_plain(turn, await turn.services.admin.reload())


async def test(turn: Turn) -> None:
    text = turn.text
    replied = turn.message.reply_to_message
    if not text and replied is not None:
        text = replied.text or replied.caption or ""
    if not text.strip():
        turn.say("test_usage")
        return
    # matching (language detection included) is CPU work in third-party code: off the event loop
    report = await asyncio.to_thread(
        turn.services.rules.explain, text[:MAX_TEST_TEXT], chat_id=turn.chat_id
    )
    send_plain(turn, report)


async def stats(turn: Turn) -> None:
    if turn.args:
        turn.say("no_arguments", command="stats")
        return
    send_plain(turn, turn.services.admin.stats())


async def pause(turn: Turn) -> None:
    if turn.args:
        turn.say("no_arguments", command="pause")
        return
    turn.services.admin.pause()
    turn.say("paused")


async def resume(turn: Turn) -> None:
    if turn.args:
        turn.say("no_arguments", command="resume")
        return
    turn.services.admin.resume()
    turn.say("resumed")
