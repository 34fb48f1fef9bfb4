"""The rules in force: a reload swaps in a whole new set, a broken file keeps the old one."""

from __future__ import annotations

from pathlib import Path

from bot.analyze.engine import Document
from bot.rulebook import Rulebook
from bot.store import chats as chat_store
from bot.store.db import open_db

RULE = "rules:\n  - id: {id}\n    name: {name}\n    all: [{word}]\n"


def matched(book: Rulebook, text: str) -> tuple[str, ...]:
    return book.current().match(Document(title=text), language="en").matched


def test_reload_swaps_in_the_new_rules(tmp_path: Path) -> None:
    """After editing a rules file, /reload makes the new rule match and the old one stop."""
    path = tmp_path / "r.yaml"
    path.write_text(RULE.format(id="volcano", name="Volcanoes", word="volcano"), encoding="utf-8")
    book = Rulebook([tmp_path])
    assert matched(book, "A volcano erupts") == ("volcano",)
    path.write_text(RULE.format(id="flood", name="Floods", word="flood"), encoding="utf-8")
    assert book.reload() == []
    assert matched(book, "A volcano erupts") == ()
    assert matched(book, "Flood in Jakarta") == ("flood",)


def test_a_broken_file_keeps_the_old_rules_and_says_where(tmp_path: Path) -> None:
    """A reload that meets a YAML error reports FILE:LINE:COL and keeps matching as before."""
    path = tmp_path / "r.yaml"
    path.write_text(RULE.format(id="volcano", name="Volcanoes", word="volcano"), encoding="utf-8")
    book = Rulebook([tmp_path])
    path.write_text("rules:\n  - id: [broken\n", encoding="utf-8")
    problems = book.reload()
    assert problems
    assert str(problems[0]).startswith(f"{path}:")
    assert matched(book, "A volcano erupts") == ("volcano",)


def test_personal_rules_come_from_storage_and_follow_changes(tmp_path: Path) -> None:
    """A chat's /watch rule matches once stored and recompiled, and stops once removed."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.yaml").write_text(RULE.format(id="x", name="X", word="zzz"), encoding="utf-8")
    conn = open_db(tmp_path / "w.db")
    chat_store.ensure_chat(conn, 7, now=0.0)
    book = Rulebook([rules], conn)
    watch_id = chat_store.add_watch(conn, 7, '"Korea Utara" + Rusia', thread_id=None, now=0.0)
    book.watches_changed()
    text = "Korea Utara kirim pasukan ke Rusia"
    assert book.current().match(Document(title=text), language="id").matched == (
        f"watch:7:{watch_id}",
    )
    chat_store.remove_watch(conn, watch_id)
    book.watches_changed()
    assert book.current().match(Document(title=text), language="id").matched == ()
    conn.close()
