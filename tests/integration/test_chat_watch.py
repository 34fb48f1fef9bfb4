"""Personal rules: /watch and /unwatch, with their limits."""

from __future__ import annotations

from pathlib import Path

from bot.chat.watch import MAX_EXPR, MAX_WATCHES
from bot.store import chats
from tests.integration.chat_harness import ADMIN, running
from tests.servers.botapi import BotAPIServer

USER = 6060


def _exprs(h_conn: object, chat_id: int) -> list[str]:
    return [w.expr for w in chats.watches(h_conn, chat_id)]  # type: ignore[arg-type]


async def test_watch_add_list_unwatch(botapi: BotAPIServer, tmp_path: Path) -> None:
    """A personal rule is added (curly quotes straightened), numbered in /list, and removed by N."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(USER, "/watch “Korea Utara” + Rusia")
        assert 'Personal rule 1 added: "Korea Utara" + Rusia' in reply
        await h.say(USER, "/watch Rupiah | IHSG")
        assert h.rules.recompiled == 2
        listing = await h.say(USER, "/list")
        assert '1. "Korea Utara" + Rusia\n2. Rupiah | IHSG' in listing
        assert "already has that personal rule (2)" in await h.say(USER, "/watch Rupiah  |  IHSG")

        assert 'Personal rule 1 removed: "Korea Utara" + Rusia' in await h.say(USER, "/unwatch 1")
        assert _exprs(h.conn, USER) == ["Rupiah | IHSG"]
        assert h.rules.recompiled == 3
        for bad in ("/unwatch", "/unwatch 2", "/unwatch x", "/unwatch ２"):
            assert "Usage: /unwatch N" in await h.say(USER, bad)
        assert _exprs(h.conn, USER) == ["Rupiah | IHSG"]
        assert "All personal rules removed" in await h.say(USER, "/unwatch all")
        assert "no personal rules" in await h.say(USER, "/unwatch 1")


async def test_watch_limits(botapi: BotAPIServer, tmp_path: Path) -> None:
    """At most 20 personal rules per chat, each of bounded length; usage help when empty."""
    async with running(botapi, tmp_path) as h:
        assert "Usage: /watch EXPR" in await h.say(USER, "/watch")
        assert "too long" in await h.say(USER, "/watch " + "a" * (MAX_EXPR + 1))
        for n in range(MAX_WATCHES):
            chats.add_watch(h.conn, USER, f"word{n}", thread_id=None, now=h.clock())
        reply = await h.say(USER, "/watch one more")
        assert f"already has {MAX_WATCHES} personal rules" in reply
        assert len(chats.watches(h.conn, USER)) == MAX_WATCHES


async def test_invalid_watch_is_explained(botapi: BotAPIServer, tmp_path: Path) -> None:
    """An expression the rule engine rejects is not stored; the reply gives its error and usage."""
    async with running(botapi, tmp_path) as h:
        out = await h.command(USER, '/watch "Korea Utara + Rusia', replies=2)
        assert "not valid:" in out[0].plain
        assert "unclosed quote" in out[0].plain  # the rule engine's own words
        assert "Usage: /watch EXPR" in out[1].plain
        assert _exprs(h.conn, USER) == []
        assert h.rules.recompiled == 0


async def test_regex_watch_only_for_admins(botapi: BotAPIServer, tmp_path: Path) -> None:
    """`re:` in a personal rule is refused for users and accepted from a configured admin."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(USER, r"/watch Rusia + re:pasukan\w*")
        assert "re: patterns are for Warta's administrators only" in reply
        assert _exprs(h.conn, USER) == []
        reply = await h.say(ADMIN, r"/watch Rusia + re:pasukan\w*")
        assert "Personal rule 1 added" in reply
        assert _exprs(h.conn, ADMIN) == [r"Rusia + re:pasukan\w*"]


async def test_watch_in_topic_routes_there(botapi: BotAPIServer, tmp_path: Path) -> None:
    """A personal rule added inside a forum topic sends its alerts into that topic."""
    group, admin = -1_009_000_000_001, 91
    botapi.set_admins(group, [admin])
    async with running(botapi, tmp_path) as h:
        out = await h.command(
            group, "/watch Jakarta", user_id=admin, chat_type="supergroup", thread_id=7
        )
        assert out[0].thread_id == 7
        assert [w.thread_id for w in chats.watches(h.conn, group)] == [7]
