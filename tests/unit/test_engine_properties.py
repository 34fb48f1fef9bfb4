"""Properties of matching that must hold for any text (hypothesis)."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analyze.engine import Document, RuleSet
from bot.analyze.rules import parse_rules_text

RULES, ENTITIES = parse_rules_text(
    """entities:
  ru: {aliases: {"*": [Rusia, "Росси*", Moskow*]}}
rules:
  - {id: ru, all: ["@ru"]}
  - {id: iran, any: [Iran, "kim jong un"]}
"""
)
RS = RuleSet.compile(RULES, ENTITIES)
WORDS = st.sampled_from(
    ["Rusia", "rusia", "Iran", "Kim Jong Un", "kim jong-un", "berita", "Россией", "moskow", "lagi"]
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)


def widen(text: str) -> str:
    """Full-width forms of ASCII letters and digits."""
    return "".join(
        chr(ord(c) + 0xFEE0) if c in string.ascii_letters + string.digits else c for c in text
    )


@settings(max_examples=200)
@given(SENTENCE, st.sampled_from([str.upper, str.lower, str.title, widen, str.swapcase]))
def test_matching_is_unchanged_by_case_and_width(text: str, change: object) -> None:
    """Upper case, lower case, title case or full-width: the same rules match."""
    assert callable(change)
    before = RS.match(Document(title=text)).matched
    assert RS.match(Document(title=change(text))).matched == before


AFFIXES = st.text(alphabet=string.ascii_letters + "áéñü", min_size=1, max_size=3)
NOISE = st.lists(st.sampled_from(["berita", "lagi", "hari", "ini", "kata"]), max_size=5)


@settings(max_examples=200)
@given(NOISE, AFFIXES, st.sampled_from(["Rusia", "Iran"]), st.sampled_from(["pre", "post", "both"]))
def test_words_inside_longer_words_never_hit(
    noise: list[str], affix: str, word: str, where: str
) -> None:
    """`berusia`, `Irani`, `xRusia`: an alias glued to other letters is not the alias."""
    trap = (affix if where != "post" else "") + word + (affix if where != "pre" else "")
    text = " ".join([*noise, trap, *noise])
    assert RS.match(Document(title=text)).matched == (), text
