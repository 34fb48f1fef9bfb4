"""A change of script is a word boundary: Latin names written against CJK, kana or Hangul hit."""

from __future__ import annotations

import pytest

from bot.analyze.engine import Document, RuleSet
from bot.analyze.rules import parse_rules_text

ENTITIES = """
entities:
  g7:
    aliases:
      "*": [G7]
  nato:
    aliases:
      "*": [NATO]
  russia:
    aliases:
      id: ["Rusia*"]
"""


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    _, entities = parse_rules_text(ENTITIES, "entities.yaml")
    return RuleSet.naming(entities)


@pytest.mark.parametrize(
    ("text", "language", "entity"),
    [
        ("G7サミットで合意", "ja", "g7"),  # kana right after the name
        ("与G7会面", "zh", "g7"),  # Han on both sides
        ("NATO는 훈련을 시작했다", "ko", "nato"),  # a Korean particle attached
        ("Rusia-nya menolak", "id", "russia"),
    ],
)
def test_latin_name_next_to_another_script_hits(
    ruleset: RuleSet, text: str, language: str, entity: str
) -> None:
    """Newsrooms in Japanese, Chinese and Korean attach Latin abbreviations to their words."""
    assert ruleset.match(Document(title=text), language=language).matched == (entity,)


@pytest.mark.parametrize("text", ["G7x launch", "Serbian NATOism", "berusia 20 tahun"])
def test_latin_name_inside_a_latin_word_does_not_hit(ruleset: RuleSet, text: str) -> None:
    """Within one script, whole words still rule: a name inside a longer word is no hit."""
    assert ruleset.match(Document(title=text), language="id").matched == ()
