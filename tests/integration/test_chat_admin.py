"""Admin commands: arguments checked, the app's answers shown escaped and split to fit."""

from __future__ import annotations

from pathlib import Path

from tests.integration.chat_harness import ADMIN, running
from tests.servers.botapi import BotAPIServer


async def test_sources_report_is_escaped(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/sources shows the report text literally, even with <, > and &."""
    async with running(botapi, tmp_path) as h:
        out = await h.command(ADMIN, "/sources")
        assert out[0].plain == h.admin.report
        assert out[0].text.startswith("<pre>")


async def test_long_report_is_split_under_the_limit(botapi: BotAPIServer, tmp_path: Path) -> None:
    """A report longer than one message arrives as several, each accepted, none cut mid-line."""
    lines = [f"source-{n:04d} ok items=<{n}> & last fetch 12:00" for n in range(400)]
    async with running(botapi, tmp_path) as h:
        h.admin.report = "\n".join(lines)
        seen = len(h.queued(ADMIN))
        botapi.push_message(ADMIN, "/sources")
        await h.until(lambda: len(h.queued(ADMIN)) > seen + 1)
        out = await h.deliver()
        assert len(out) >= 5
        assert all(len(m.plain) <= 4096 for m in out)
        assert "\n".join(m.plain for m in out).split("\n") == lines


async def test_source_commands_check_arguments(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/addsource, /removesource and /refresh pass valid arguments on and answer usage otherwise."""
    async with running(botapi, tmp_path) as h:
        for bad in ("/addsource", "/addsource ftp://x.org/feed", "/addsource https://x.org a_b"):
            assert "Usage: /addsource URL [ID]" in await h.say(ADMIN, bad)
        reply = await h.say(ADMIN, "/addsource https://news.example/rss Antara")
        assert reply == "added antara from https://news.example/rss"
        assert "Usage: /removesource ID" in await h.say(ADMIN, "/removesource")
        assert await h.say(ADMIN, "/removesource antara") == "removed antara"
        assert await h.say(ADMIN, "/refresh") == "refreshed all"
        assert await h.say(ADMIN, "/refresh antara") == "refreshed antara"
        assert "Usage: /refresh [ID]" in await h.say(ADMIN, "/refresh a b")
        assert "Usage: /stats (no arguments)" in await h.say(ADMIN, "/stats now")
        assert h.admin.calls == [
            ("add", ("https://news.example/rss", "antara")),
            ("remove", "antara"),
            ("refresh", None),
            ("refresh", "antara"),
        ]


async def test_test_command_explains_text(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/test TEXT shows what the matcher says about exactly that text, escaped."""
    async with running(botapi, tmp_path) as h:
        reply = await h.say(ADMIN, "/test Pasukan Korut <tiba> di Rusia\nbaris kedua")
        assert h.rules.explained == ["Pasukan Korut <tiba> di Rusia\nbaris kedua"]
        assert "nk-russia: MATCH" in reply  # the engine's verdict on exactly that text
        assert "china-taiwan: no" in reply
        assert "Pasukan Korut <tiba> di Rusia" in reply  # shown literally, not as HTML
        assert "Usage: /test TEXT" in await h.say(ADMIN, "/test")


async def test_reload_and_stats_show_the_app_answer(botapi: BotAPIServer, tmp_path: Path) -> None:
    """/reload and /stats reply with what the app reports."""
    async with running(botapi, tmp_path) as h:
        assert await h.say(ADMIN, "/reload") == "rules: 3, sources: 1"
        assert await h.say(ADMIN, "/stats") == "sources 1\nalerts 0"


async def test_test_command_judges_this_chats_watch_rules(
    botapi: BotAPIServer, tmp_path: Path
) -> None:
    """/test in a chat also judges that chat's /watch rules, which delivery would alert it on,
    and no other chat's (fails before this change: only the rules files were judged)."""
    other = 900_777
    async with running(botapi, tmp_path) as h:
        await h.say(ADMIN, '/watch "Korea Utara" + Rusia')
        await h.say(other, "/watch Rusia + pasukan")
        reply = await h.say(ADMIN, "/test Korea Utara kirim pasukan ke Rusia")
        assert '/watch "Korea Utara" + Rusia: MATCH' in reply
        assert "pasukan: MATCH" not in reply  # the other chat's rule is not this chat's
        assert "nk-russia: no:" in reply
