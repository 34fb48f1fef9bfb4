"""Who may give which command: group administrators, configured admins, everyone else refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.store import chats
from tests.integration.chat_harness import ADMIN, running
from tests.servers.botapi import BotAPIServer

GROUP = -4001
GROUP_ADMIN, MEMBER = 501, 502
IN_GROUP = {"chat_type": "group", "title": "Readers"}


def _refusals(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, int | None]]:
    return [
        (r.command, r.chat_id, r.user_id)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.getMessage() == "command refused"
    ]


async def test_group_member_refused_admin_allowed(
    botapi: BotAPIServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """In a group a plain member is refused (nothing changes, attempt logged); its admin is not."""
    botapi.set_admins(GROUP, [GROUP_ADMIN])
    caplog.set_level(logging.WARNING, logger="bot.chat")
    async with running(botapi, tmp_path) as h:
        reply = await h.say(GROUP, "/subscribe all", user_id=MEMBER, **IN_GROUP)
        assert "Only this group's administrators" in reply
        assert chats.subscriptions(h.conn, GROUP) == []
        assert "Only this group's administrators" in await h.say(
            GROUP, "/lang off", user_id=MEMBER, **IN_GROUP
        )
        chat = chats.get_chat(h.conn, GROUP)
        assert chat is not None
        assert chat.language is None
        assert _refusals(caplog) == [("subscribe", GROUP, MEMBER), ("lang", GROUP, MEMBER)]

        reply = await h.say(GROUP, "/subscribe all", user_id=GROUP_ADMIN, **IN_GROUP)
        assert "Subscribed to all" in reply
        assert [s.target for s in chats.subscriptions(h.conn, GROUP)] == ["all"]


async def test_group_creator_and_configured_admin_allowed(
    botapi: BotAPIServer, tmp_path: Path
) -> None:
    """The group's creator and a configured Warta admin may configure the group."""
    botapi.set_admins(GROUP, [], creator=GROUP_ADMIN)
    async with running(botapi, tmp_path) as h:
        await h.say(GROUP, "/subscribe rupiah", user_id=GROUP_ADMIN, **IN_GROUP)
        await h.say(GROUP, "/subscribe economy", user_id=ADMIN, **IN_GROUP)
        assert [s.target for s in chats.subscriptions(h.conn, GROUP)] == ["economy", "rupiah"]


async def test_admin_rights_are_rechecked_after_a_minute(
    botapi: BotAPIServer, tmp_path: Path
) -> None:
    """A demoted group admin keeps access for at most the cache time, then is refused."""
    botapi.set_admins(GROUP, [GROUP_ADMIN])
    async with running(botapi, tmp_path) as h:
        await h.say(GROUP, "/subscribe rupiah", user_id=GROUP_ADMIN, **IN_GROUP)
        lookups = sum(1 for m, _ in botapi.requests if m.lower() == "getchatmember")
        botapi.set_admins(GROUP, [])
        reply = await h.say(GROUP, "/subscribe economy", user_id=GROUP_ADMIN, **IN_GROUP)
        assert "Subscribed to economy" in reply  # cached: no second lookup yet
        assert sum(1 for m, _ in botapi.requests if m.lower() == "getchatmember") == lookups
        h.clock.now += 61
        reply = await h.say(GROUP, "/unsubscribe all", user_id=GROUP_ADMIN, **IN_GROUP)
        assert "Only this group's administrators" in reply
        assert len(chats.subscriptions(h.conn, GROUP)) == 2


async def test_private_chat_belongs_to_its_user(botapi: BotAPIServer, tmp_path: Path) -> None:
    """Anyone may configure their own private chat without being an admin anywhere."""
    async with running(botapi, tmp_path) as h:
        assert "Subscribed to all" in await h.say(31337, "/subscribe all")
        assert not any(m.lower() == "getchatmember" for m, _ in botapi.requests)


async def test_admin_commands_refused_for_non_admins(
    botapi: BotAPIServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Admin commands from anyone not in telegram.admins (group admins too) are refused, logged."""
    botapi.set_admins(GROUP, [GROUP_ADMIN])
    caplog.set_level(logging.WARNING, logger="bot.chat")
    async with running(botapi, tmp_path) as h:
        for text in ("/pause", "/addsource https://example.org/feed x", "/sources", "/test hi"):
            assert "for Warta's administrators only" in await h.say(31337, text)
        reply = await h.say(GROUP, "/reload", user_id=GROUP_ADMIN, **IN_GROUP)
        assert "for Warta's administrators only" in reply
        assert h.admin.calls == []
        assert not h.admin.paused
        assert h.rules.explained == []
        assert [c for c, _, _ in _refusals(caplog)] == [
            "pause",
            "addsource",
            "sources",
            "test",
            "reload",
        ]
        assert _refusals(caplog)[-1][1:] == (GROUP, GROUP_ADMIN)


async def test_configured_admin_runs_admin_commands(botapi: BotAPIServer, tmp_path: Path) -> None:
    """A configured admin pauses and resumes delivery and sees the admin section of /help."""
    async with running(botapi, tmp_path) as h:
        assert "Delivery paused" in await h.say(ADMIN, "/pause")
        assert h.admin.paused
        assert "Delivery resumed" in await h.say(ADMIN, "/resume")
        assert not h.admin.paused
        assert "/addsource URL [ID]" in await h.say(ADMIN, "/help")
        assert "/addsource" not in await h.say(31337, "/help")


async def test_channel_post_configures_the_channel(botapi: BotAPIServer, tmp_path: Path) -> None:
    """A command posted in a channel (only its administrators can post) subscribes the channel."""
    channel = -1_007_000_000_001
    async with running(botapi, tmp_path) as h:
        botapi._push_update(
            {
                "channel_post": {
                    "message_id": 5,
                    "date": 0,
                    "chat": {"id": channel, "type": "channel", "title": "Wire"},
                    "sender_chat": {"id": channel, "type": "channel", "title": "Wire"},
                    "text": "/subscribe rupiah",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
                }
            }
        )
        await h.until(lambda: bool(h.queued(channel)))
        assert "Subscribed to rupiah" in (await h.deliver())[0].plain
        assert [s.target for s in chats.subscriptions(h.conn, channel)] == ["rupiah"]
