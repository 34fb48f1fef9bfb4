"""The `/watch` expression language."""

from __future__ import annotations

import pytest

from bot.analyze.engine import Document, RuleSet
from bot.analyze.rules import Group
from bot.analyze.watch import MAX_LENGTH, PersonalRule, parse_watch
from bot.errors import WatchSyntaxError


def test_plus_is_and_quotes_make_phrases() -> None:
    """`"Korea Utara" + Rusia` needs both the phrase and the word."""
    expr = parse_watch('"Korea Utara" + Rusia')
    assert expr.group == Group("all", ("Korea Utara", "Rusia"))
    assert expr.terms() == ["Korea Utara", "Rusia"]


def test_or_binds_looser_than_and_and_minus_negates() -> None:
    """`a + b | c -d` is (a and b) or (c and not d)."""
    expr = parse_watch("a + b | c -d")
    assert expr.group == Group(
        "any", (Group("all", ("a", "b")), Group("all", ("c", Group("none", ("d",)))))
    )


def test_parentheses_and_entities() -> None:
    """`@north-korea + (Rusia | Moskow*)` parses with the entity and the group."""
    expr = parse_watch("@north-korea + (Rusia | Moskow*)")
    assert expr.terms() == ["@north-korea", "Rusia", "Moskow*"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty expression"),
        ('"Korea Utara + Rusia', "unclosed quote"),
        ("Rusia +", "ends where a term was expected"),
        ("(Rusia | Korut", "missing ')'"),
        ("-Rusia", "at least one term that is not negated"),
        ("re:Rus.*", "for admins only"),
        ("Ru*sia", "may only end a word"),
        ("x" * (MAX_LENGTH + 1), "too long"),
        ("| Rusia", "unexpected '|'"),
    ],
)
def test_errors_say_what_is_wrong(text: str, message: str) -> None:
    """Malformed expressions raise WatchSyntaxError with a message a user can act on."""
    with pytest.raises(WatchSyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_watch(text)


def test_regex_allowed_for_admins_and_checked() -> None:
    """`re:` terms are accepted with `allow_regex=True` and must compile."""
    assert parse_watch("re:missiles? + Korut", allow_regex=True).terms() == [
        "re:missiles?",
        "Korut",
    ]
    with pytest.raises(WatchSyntaxError, match="bad regular expression"):
        parse_watch("re:(", allow_regex=True)


def test_unknown_entity_is_refused_when_entities_are_given() -> None:
    """`@atlantis` is an error when the known entities are passed."""
    with pytest.raises(WatchSyntaxError, match="unknown entity '@atlantis'"):
        parse_watch("@atlantis", entities={"russia"})


def test_watch_rule_matches_like_a_rule() -> None:
    """A compiled /watch rule honours and, or and not on real text."""
    rs = RuleSet.compile([], {}).with_personal(
        [PersonalRule("watch:1:1", 1, parse_watch('"Korea Utara" + Rusia -sepakbola'))]
    )

    def hit(title: str) -> bool:
        return "watch:1:1" in rs.match(Document(title=title)).matched

    assert hit("Korea Utara kirim pasukan ke Rusia")
    assert not hit("Korea Utara kirim pasukan")
    assert not hit("Korea Utara dan Rusia main sepakbola")
