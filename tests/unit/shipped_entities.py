"""Every shipped entity of rules/entities.yaml compiled as a rule of the same name, for tests."""

from __future__ import annotations

import functools
from pathlib import Path

from bot.analyze.engine import Document, RuleSet
from bot.analyze.rules import parse_rules_text

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def shipped_entities() -> RuleSet:
    """Compiled once per test session (~1.5 s): a headline's matches are the entities it names."""
    _, found = parse_rules_text((ROOT / "rules" / "entities.yaml").read_text("utf-8"))
    return RuleSet.naming(found)


def named(rs: RuleSet, title: str, language: str, content: str = "") -> set[str]:
    """The entities a document names, read as an article in `language`."""
    return set(rs.match(Document(title=title, content=content), language=language).matched)
