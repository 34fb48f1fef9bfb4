"""The local Bot API server behaves like Telegram's, as seen through python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import telegram
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.servers.botapi import BotAPIServer

os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, no warning

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def bot(botapi: BotAPIServer) -> AsyncIterator[telegram.Bot]:
    request = HTTPXRequest(connection_pool_size=64, read_timeout=5.0)
    async with telegram.Bot(botapi.token, base_url=botapi.base_url, request=request) as b:
        yield b


def _seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def test_get_me_and_wrong_token(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """The bot learns its own identity; a wrong token is refused as Unauthorized."""
    assert bot.id == botapi.bot_id
    assert bot.username == "warta_test_bot"
    wrong = telegram.Bot("999:WRONG", base_url=botapi.base_url)
    try:
        with pytest.raises(InvalidToken, match="rejected"):
            await wrong.initialize()
    finally:
        await wrong.shutdown()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_send_message_records_html_markup_thread_and_preview(
    botapi: BotAPIServer, bot: telegram.Bot
) -> None:
    """An accepted HTML message comes back parsed and is recorded with its button and topic."""
    button = telegram.InlineKeyboardButton("Open", url="https://example.org/a")
    botapi.push_message(-100123, "/start", chat_type="supergroup", title="Forum")
    message = await bot.send_message(
        -100123,
        "<b>Korut</b> &amp; <a href='https://example.org/a?x=1&amp;y=2'>link</a>",
        parse_mode="HTML",
        message_thread_id=7,
        reply_markup=telegram.InlineKeyboardMarkup([[button]]),
        link_preview_options=telegram.LinkPreviewOptions(is_disabled=True),
    )
    assert message.text == "Korut & link"
    assert message.entities[1].url == "https://example.org/a?x=1&y=2"
    (sent,) = botapi.sent(-100123)
    assert sent.thread_id == 7
    assert sent.disable_preview
    assert sent.reply_markup == {
        "inline_keyboard": [[{"text": "Open", "url": "https://example.org/a"}]]
    }
    assert sent.message_id == message.message_id


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<foo>x</foo>", 'unsupported start tag "foo" at byte offset 0'),
        ("é<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("ü<b>x</i>", 'unmatched end tag at byte offset 6, expected "</b>", found "</i>"'),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "unclosed start tag at byte offset 0"),
    ],
)
async def test_invalid_html_is_refused_with_telegram_text(
    botapi: BotAPIServer, bot: telegram.Bot, text: str, error: str
) -> None:
    """Invalid HTML answers 400 "can't parse entities" with TDLib's message and UTF-8 offsets."""
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(1, text, parse_mode="HTML")
    assert caught.value.message.lower() == f"can't parse entities: {error}".lower()
    assert botapi.sent() == []


async def test_length_is_counted_after_entity_parsing(
    botapi: BotAPIServer, bot: telegram.Bot
) -> None:
    """4096 visible characters pass even when the HTML is longer; 4097 are "message is too long"."""
    await bot.send_message(1, "&amp;" * 4096, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(2, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(3, "<b> </b>", parse_mode="HTML")
    assert len(botapi.sent()) == 1


async def test_per_chat_burst_then_429(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """A chat takes a burst of 3; the 4th within 3 s is 429 with retry_after; later it passes."""
    for i in range(3):
        await bot.send_message(42, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "too soon")
    assert 1 <= _seconds(caught.value) <= 3
    assert botapi.too_many_requests == 1
    botapi.advance(3.0)
    await bot.send_message(42, "later")
    assert [m.text for m in botapi.sent(42)] == ["m0", "m1", "m2", "later"]


async def test_global_limit_30_per_second(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """The 31st message within one second, to any chat, is refused with 429."""
    await asyncio.gather(*(bot.send_message(1000 + i, "x") for i in range(30)))
    with pytest.raises(RetryAfter):
        await bot.send_message(2000, "x")
    botapi.advance(1.0)
    await bot.send_message(2000, "x")
    assert len(botapi.sent()) == 31


async def test_group_limit_20_per_minute(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """A group gets at most 20 messages in any 60 s window, however they are spaced."""
    for i in range(20):
        if i and i % 3 == 0:
            botapi.advance(3.0)
        await bot.send_message(-77, f"g{i}")
    botapi.advance(3.0)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-77, "21st")
    assert _seconds(caught.value) > 3
    botapi.advance(_seconds(caught.value))
    await bot.send_message(-77, "21st")
    botapi.relax()
    await asyncio.gather(*(bot.send_message(-78, f"r{i}") for i in range(25)))
    assert len(botapi.sent(-78)) == 25


async def test_blocked_migrated_and_unknown_chats(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """403 for a blocked user, 400 + migrate_to_chat_id for an upgraded group, chat not found."""
    botapi.block(5)
    botapi.migrate(-6, -1006)
    botapi.set_unknown(7)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(5, "x")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-6, "x")
    assert migrated.value.new_chat_id == -1006
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(7, "x")
    botapi.unblock(5)
    await bot.send_message(5, "back")
    await bot.send_message(-1006, "moved")
    assert [m.chat_id for m in botapi.sent()] == [5, -1006]


async def test_injected_faults(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """Injected 5xx and 429-without-retry_after surface as network errors; a hang as a timeout."""
    botapi.fail_next("sendMessage", 2, status=500)
    botapi.fail_next("sendMessage", 1, status=429)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(1, "x")
    with pytest.raises(NetworkError, match="Too Many Requests"):
        await bot.send_message(1, "x")
    botapi.fail_next("sendMessage", 1, hang=True)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "x", read_timeout=0.3)
    await bot.send_message(1, "fine")
    assert [m.text for m in botapi.sent()] == ["fine"]


async def test_injected_retry_after_bans_the_chat(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """After a 429 with retry_after, calls to that chat before it ends get 429 again."""
    botapi.fail_next("sendMessage", 1, status=429, retry_after=4)
    with pytest.raises(RetryAfter) as first:
        await bot.send_message(9, "x")
    assert _seconds(first.value) == 4
    botapi.advance(2.0)
    with pytest.raises(RetryAfter):
        await bot.send_message(9, "x")
    await bot.send_message(10, "other chats are fine")
    botapi.advance(2.0)
    await bot.send_message(9, "x")
    assert botapi.too_many_requests == 2


async def test_long_polling_wakes_on_new_update(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """getUpdates waits for an update and returns as soon as one arrives; offset confirms."""
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, lambda: botapi.push_message(5, "/help me", language_code="id"))
    started = loop.time()
    updates = await bot.get_updates(timeout=30)
    assert loop.time() - started < 10
    assert updates[0].message is not None
    assert updates[0].message.text == "/help me"
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.language_code == "id"
    assert updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_chat_members_commands_and_edit(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """Admins and creators are reported as such; commands are stored; edits change the text."""
    botapi.set_admins(-50, [11], creator=12)
    statuses = [(await bot.get_chat_member(-50, u)).status for u in (11, 12, 13)]
    assert statuses == ["administrator", "creator", "member"]
    chat = await bot.get_chat(-50)
    assert chat.type == "group"
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert botapi.commands[1]["command"] == "help"
    sent = await bot.send_message(3, "<b>one</b>", parse_mode="HTML")
    await bot.edit_message_text(
        "<b>two</b>", chat_id=3, message_id=sent.message_id, parse_mode="HTML"
    )
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>two</b>", chat_id=3, message_id=sent.message_id, parse_mode="HTML"
        )
    assert [(m.text, m.edited) for m in botapi.sent(3)] == [("<b>two</b>", True)]


async def test_wait_sent_reports_what_it_saw(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """wait_sent returns once enough messages arrived, and a timeout names what was seen."""
    asyncio.get_running_loop().call_later(0.1, asyncio.ensure_future, bot.send_message(1, "a"))
    assert [m.text for m in await botapi.wait_sent(1, timeout=5)] == ["a"]
    with pytest.raises(TimeoutError, match="saw 1"):
        await botapi.wait_sent(2, timeout=0.2)


async def test_http_control_endpoints(botapi: BotAPIServer, bot: telegram.Bot) -> None:
    """Out-of-process harnesses can inject updates, block chats and read what was sent."""
    async with aiohttp.ClientSession(botapi.api_root) as http:
        async with http.post("/_test/update", json={"chat_id": 4, "text": "/start"}) as r:
            assert r.status == 200
        async with http.post("/_test/block", json={"chat_id": 8}) as r:
            assert r.status == 200
        updates = await bot.get_updates(timeout=0)
        assert updates[0].message is not None
        assert updates[0].message.text == "/start"
        await bot.send_message(4, "hello")
        with pytest.raises(Forbidden):
            await bot.send_message(8, "x")
        async with http.get("/_test/sent") as r:
            sent = await r.json()
        assert [(m["chat_id"], m["text"]) for m in sent] == [(4, "hello")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_runs_stand_alone() -> None:
    """`python -m tests.servers.botapi --port N` serves the API and its control endpoints."""
    port = _free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - a short-lived child, reaped below
        [sys.executable, "-m", "tests.servers.botapi", "--port", str(port), "--token", "1:T"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 20)
        assert f"127.0.0.1:{port}" in line
        async with telegram.Bot("1:T", base_url=f"http://127.0.0.1:{port}/bot") as b:
            await b.send_message(1, "hi")
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/_test/stats") as r,
        ):
            assert json.loads(await r.text())["sent"] == 1
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
