"""Subscriber commands in private chats and forum topics, through PTB and the local Bot API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.chat.turn import help_in
from bot.model import RenderedMessage
from bot.store import chats, outbox
from tests.integration.chat_harness import running
from tests.servers.botapi import BotAPIServer

USER = 4242


async def test_subscribe_list_unsubscribe_in_private(botapi: BotAPIServer, tmp_path: Path) -> None:
    """A user subscribes to a rule and a tag, sees them in /list, and unsubscribes again."""
    async with running(botapi, tmp_path) as h:
        assert "Subscribed to nk-russia" in await h.say(USER, "/subscribe nk-russia")
        assert "Subscribed to economy" in await h.say(USER, "/subscribe #Economy")
        assert "already receives nk-russia" in await h.say(USER, "/subscribe NK-Russia")
        listing = await h.say(USER, "/list")
        assert "Subscriptions: economy, nk-russia" in listing
        assert "Not muted" in listing
        assert "Language: English (en)" in listing

        assert "Unsubscribed from nk-russia" in await h.say(USER, "/unsubscribe nk-russia")
        assert [s.target for s in chats.subscriptions(h.conn, USER)] == ["economy"]
        reply = await h.say(USER, "/unsubscribe rupiah")
        assert "not subscribed to rupiah" in reply
        assert "economy" in reply
        assert "Unsubscribed from economy" in await h.say(USER, "/unsubscribe all")
        assert "Subscriptions: none" in await h.say(USER, "/list")


async def test_subscribe_unknown_target_suggests_and_changes_nothing(
    botapi: BotAPIServer, tmp_path: Path
) -> None:
    """An unknown rule or tag gets a reply naming real ids and tags; nothing is subscribed."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(USER, "/subscribe rupiah <b>nope</b>")
        assert "No rule or tag named <b>nope</b>" in reply  # shown literally, not as HTML
        assert "nk-russia" in reply
        assert "geopolitics" in reply
        assert "all" in reply
        assert chats.subscriptions(h.conn, USER) == []
        assert "Usage: /subscribe" in await h.say(USER, "/subscribe")


async def test_rules_lists_ids_names_and_tags_escaped(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/rules shows every rule's id, name and tags, with names shown literally."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(USER, "/rules")
        assert "nk-russia — North Korea & Russia  #geopolitics #korea" in reply
        assert "china-taiwan — China <-> Taiwan" in reply


async def test_indonesian_user_gets_indonesian_replies(
    botapi: BotAPIServer, tmp_path: Path
) -> None:
    """A private chat whose user's Telegram language is Indonesian starts in Indonesian."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(USER, "/start", language_code="id")
        assert "memantau sumber berita" in reply
        chat = chats.get_chat(h.conn, USER)
        assert chat is not None
        assert chat.language == "id"
        assert "Berlangganan rupiah" in await h.say(USER, "/subscribe rupiah", language_code="id")
        other = USER + 1
        reply = await h.say(other, "/start", language_code="tlh")  # not supported: default
        assert "watches news sources" in reply
        chat = chats.get_chat(h.conn, other)
        assert chat is not None
        assert chat.language is None


async def test_a_korean_user_gets_the_help_in_korean(botapi: BotAPIServer, tmp_path: Path) -> None:
    """The help is in the chat's language for every language alerts are written in; replies
    the bot has only in English and Indonesian stay English (not half translated)."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(USER, "/start", language_code="ko")
        assert "뉴스 출처를 지켜보다가" in reply
        assert "/subscribe ID|TAG|all" in reply
        assert "Subscribed" in await h.say(USER, "/subscribe rupiah", language_code="ko")
        assert "뉴스 출처" in await h.say(USER, "/help", language_code="ko")
        german = USER + 2
        assert "beobachtet Nachrichtenquellen" in await h.say(german, "/start", language_code="de")
    assert "acompanha fontes" in (help_in("pt-BR", admin=False) or "")  # Brazil reads pt
    assert help_in("en", admin=False) is None  # English and Indonesian: the catalogue's


async def test_the_help_follows_the_chat_not_the_default_language(
    botapi: BotAPIServer, tmp_path: Path
) -> None:
    """With Korean as the deployment's default, an English-speaking user still gets the help
    in English, like every other reply; a user with no language gets the Korean default."""
    async with running(botapi, tmp_path, default_language="ko") as h:
        assert "watches news sources" in await h.say(USER, "/start", language_code="en")
        assert "뉴스 출처" in await h.say(USER + 1, "/start", language_code="tlh")


async def test_lang_validates_and_switches_reply_language(
    botapi: BotAPIServer, tmp_path: Path
) -> None:
    """/lang accepts supported codes and off, refuses others with usage, and shows the current."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(USER, "/lang xx")
        assert "xx is not a language I can translate into" in reply
        assert "Usage: /lang" in reply
        chat = chats.get_chat(h.conn, USER)
        assert chat is not None
        assert chat.language == "en"
        assert "translated into English (en)" in await h.say(USER, "/lang")
        assert "translated into Korean (ko)" in await h.say(USER, "/lang KO")
        assert "diterjemahkan ke Indonesia (id)" in await h.say(USER, "/lang id")
        assert "Peringatan diterjemahkan ke Indonesia (id)" in await h.say(USER, "/lang")
        reply = await h.say(USER, "/lang off", language_code="id")
        assert "tidak akan diterjemahkan" in reply
        chat = chats.get_chat(h.conn, USER)
        assert chat is not None
        assert chat.language == chats.LANG_OFF
        assert "Language: off" in await h.say(USER, "/list", language_code="en")


async def test_tz_validates_with_zoneinfo(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/tz takes a real Area/City (any case, stored canonically) and refuses anything else."""
    async with running(botapi, tmp_path) as h:
        assert "Mars/Olympus is not a time zone" in await h.say(USER, "/tz Mars/Olympus")
        assert "Usage: /tz" in await h.say(USER, "/tz")
        assert "not a time zone" in await h.say(USER, "/tz ../../etc/passwd")
        assert "shown in Asia/Jakarta" in await h.say(USER, "/tz asia/jakarta")
        chat = chats.get_chat(h.conn, USER)
        assert chat is not None
        assert chat.timezone == "Asia/Jakarta"


async def test_mute_then_unmute_releases_digest(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/mute holds alerts until a time shown in the chat's zone; /unmute sends them as a digest."""
    async with running(botapi, tmp_path) as h:
        await h.say(USER, "/tz Asia/Jakarta")
        assert "Usage: /mute" in await h.say(USER, "/mute forever")
        assert "Usage: /mute" in await h.say(USER, "/mute 90d")
        reply = await h.say(USER, "/mute 2h")
        assert "Muted until 2025-06-16 00:06 WIB" in reply  # 15 June 15:06 UTC + 2 h, UTC+7
        chat = chats.get_chat(h.conn, USER)
        assert chat is not None
        assert chat.muted_until == h.clock.now + 7200
        assert "Muted until" in await h.say(USER, "/list")
        for title in ("Alert one", "Alert two"):  # what the pipeline enqueues for a muted chat
            outbox.enqueue(
                h.conn, chat_id=USER, message=RenderedMessage(text=title), now=h.clock(), held=True
            )
        out = await h.command(USER, "/unmute", replies=2)
        assert "2 held alert(s) follow as a digest" in out[0].plain
        assert "Alert one" in out[1].plain
        assert "Alert two" in out[1].plain
        chat = chats.get_chat(h.conn, USER)
        assert chat is not None
        assert chat.muted_until is None
        assert "not muted" in await h.say(USER, "/unmute")


async def test_forum_topic_routes_alerts_and_replies(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/subscribe inside a forum topic stores that topic for the alerts and answers in it."""
    group, admin, topic = -1_001_234_567_890, 77, 42
    botapi.set_admins(group, [admin])
    async with running(botapi, tmp_path) as h:
        kw: dict[str, Any] = {"user_id": admin, "chat_type": "supergroup", "title": "Newsroom"}
        out = await h.command(group, "/subscribe geopolitics", thread_id=topic, **kw)
        assert "will arrive in this topic" in out[0].plain
        assert out[0].thread_id == topic
        assert chats.subscriptions(h.conn, group)[0].thread_id == topic
        out = await h.command(group, "/subscribe rupiah", **kw)  # the General topic
        assert out[0].thread_id is None
        targets = {s.target: s.thread_id for s in chats.subscriptions(h.conn, group)}
        assert targets == {"geopolitics": topic, "rupiah": None}
        assert "geopolitics (topic 42)" in await h.say(group, "/list", **kw)


async def test_start_unblocks_a_blocked_chat(botapi: BotAPIServer, tmp_path: Path) -> None:
    """A chat that blocked the bot gets alerts again only after /start; other commands say so."""
    async with running(botapi, tmp_path) as h:
        await h.say(USER, "/subscribe all")
        chats.set_blocked(h.conn, USER, True, h.clock())
        assert "Send /start" in await h.say(USER, "/subscribe rupiah")
        assert chats.subscriptions(h.conn, USER) == []
        out = await h.command(USER, "/start", replies=2)
        assert "Welcome back" in out[0].plain
        chat = chats.get_chat(h.conn, USER)
        assert chat is not None
        assert not chat.blocked
        assert "Subscribed to rupiah" in await h.say(USER, "/subscribe rupiah")


async def test_group_migration_moves_subscriptions(botapi: BotAPIServer, tmp_path: Path) -> None:
    """When a group becomes a supergroup, its subscriptions and queued replies follow it."""
    group, supergroup, admin = -555, -1_000_000_000_555, 78
    botapi.set_admins(group, [admin])
    async with running(botapi, tmp_path) as h:
        kw: dict[str, Any] = {"user_id": admin, "chat_type": "group", "title": "Club"}
        await h.say(group, "/subscribe nk-russia", **kw)
        outbox.enqueue(h.conn, chat_id=group, message=RenderedMessage(text="queued"), now=0.0)
        botapi._push_update(  # what Telegram sends in the old group when it migrates
            {
                "message": {
                    "message_id": 99,
                    "date": 0,
                    "chat": {"id": group, "type": "group", "title": "Club"},
                    "from": {"id": admin, "is_bot": False, "first_name": "A"},
                    "migrate_to_chat_id": supergroup,
                }
            }
        )
        await h.until(lambda: chats.get_chat(h.conn, supergroup) is not None)
        assert chats.get_chat(h.conn, group) is None
        assert [s.target for s in chats.subscriptions(h.conn, supergroup)] == ["nk-russia"]
        assert [r.message.text for r in h.queued(supergroup)] == ["queued"]
