"""The bot's own texts: complete in every language, valid Telegram HTML, menus Telegram accepts."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.analyze.rules import parse_rules_text
from bot.analyze.watch import parse_watch
from bot.chat import ADMIN_COMMANDS, COMMANDS
from bot.chat.i18n import LANGUAGES, catalogue, language_name, t
from bot.chat.turn import split_message
from tests.integration.chat_harness import running
from tests.servers.botapi import BotAPIServer
from tests.servers.botapi_html import parse_html

ROOT = Path(__file__).resolve().parents[2]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_reply_exists_in_every_language(key: str) -> None:
    """Each reply has an Indonesian text with the same placeholders, and both are valid HTML."""
    en, id_ = catalogue()[key]
    assert _fields(en) == _fields(id_)
    assert en != id_ or key == "help_admin"
    for lang in LANGUAGES:
        values = dict.fromkeys(_fields(en), "<x> & y")
        text = t(lang, key, **values)
        plain, _ = parse_html(text)  # raises like Telegram's "can't parse entities"
        assert len(plain) <= 4096
        if values:
            assert "<x> & y" in plain  # user text shown literally, never as markup


def test_language_names_in_the_reply_language() -> None:
    """Language codes are shown with their name in the reader's language."""
    assert language_name("id", "en") == "Indonesian (id)"
    assert language_name("ko", "id") == "Korea (ko)"
    assert language_name("qq-zz", "en") == "qq-zz"


def test_command_menus_fit_telegram_rules() -> None:
    """Every menu entry has a valid command name and a 1-256 character description."""
    for menus in (COMMANDS, ADMIN_COMMANDS):
        assert set(menus) == set(LANGUAGES)
        for commands in menus.values():
            for c in commands:
                assert re.fullmatch(r"[a-z0-9_]{1,32}", c.command)
                assert 1 <= len(c.description) <= 256
    assert {c.command for c in COMMANDS["en"]} < {c.command for c in ADMIN_COMMANDS["en"]}
    assert "pause" not in {c.command for c in COMMANDS["id"]}


async def test_menus_are_accepted_by_the_bot_api(botapi: BotAPIServer, tmp_path: Path) -> None:
    """setMyCommands accepts the menu per language and getMyCommands returns it."""
    async with running(botapi, tmp_path) as h:
        for lang, commands in COMMANDS.items():
            assert await h.app.bot.set_my_commands(commands, language_code=lang)
        got = await h.app.bot.get_my_commands(language_code="id")
        assert [c.command for c in got] == [c.command for c in COMMANDS["id"]]
        assert got[0].description == COMMANDS["id"][0].description


_line = st.text(alphabet=st.sampled_from("ab &<>;x\u00e9\U0001f600"), max_size=300)


@given(st.lists(_line, max_size=60), st.integers(min_value=40, max_value=4096))
def test_split_message_keeps_every_line_under_the_limit(lines: list[str], limit: int) -> None:
    """Split replies fit the limit and, joined again, give back the text."""
    escaped = "\n".join(line.replace("&", "&amp;").replace("<", "&lt;") for line in lines)
    parts = split_message(escaped, limit)
    assert all(len(p) <= limit for p in parts)
    for part in parts:
        parse_html(part)  # no entity was cut in half
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", escaped)


def test_the_help_in_every_language_names_every_command() -> None:
    """/start's help in each language of the shipped entities: valid HTML, each command the
    English help names (and the admin ones), within one message."""
    from bot.chat.help_texts import HELP
    from bot.deliver.catalogue import CATALOGUE

    assert set(HELP) | set(LANGUAGES) == set(CATALOGUE)  # the languages alerts are written in
    english = set(re.findall(r"/[a-z]+", t("en", "help")))
    admin = set(re.findall(r"/[a-z]+", t("en", "help_admin")))
    _, entities = parse_rules_text((ROOT / "rules" / "entities.yaml").read_text("utf-8"))
    for lang, (text, admin_text) in HELP.items():
        assert set(re.findall(r"/[a-z]+", text)) == english, lang
        assert set(re.findall(r"/[a-z]+", admin_text)) == admin, lang
        plain, _ = parse_html(text + "\n" + admin_text)
        assert len(plain) <= 4096
        (example,) = re.findall(r"/watch .*?<code>(.*?)</code>", text)
        parse_watch(html.unescape(example), entities=entities)  # the example works as written
