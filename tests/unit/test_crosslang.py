"""Whether two headlines, read in one language, tell one story (`bot.analyze.crosslang`)."""

from __future__ import annotations

import pytest

from bot.analyze.crosslang import Headline, headline_terms, same_story, similar_terms, terms
from bot.analyze.engine import RuleSet
from bot.analyze.text import fold_str
from tests.unit.test_engine import compile_rules

RULES = compile_rules('rules:\n  - {id: nk, all: ["@north-korea"]}\n  - {id: ru, all: ["@russia"]}')


def test_terms_are_long_words_numbers_and_character_pairs() -> None:
    """Short words carry no story; 3,000 and 3.000 are one number; dense scripts pair up."""
    assert terms(fold_str("Kim to visit Moscow in May, 3,000 troops")) == {
        "visit", "moscow", "3000", "troops",
    }  # fmt: skip
    assert "3000" in terms(fold_str("kirim 3.000 pasukan"))
    assert terms(fold_str("병력 추가 파병")) == {"병력", "추가", "파병"}
    assert terms(fold_str("朝鲜向俄罗斯派兵")) >= {"派兵", "朝鲜"}


def test_entity_names_are_taken_out_of_the_headline() -> None:
    """Two stories about the same countries share their names: those are not evidence."""
    found = headline_terms(RULES, "North Korea sends troops to Russia", "en")
    assert found == {"sends", "troops"}
    assert headline_terms(RULES, "북한, 러시아에 병력 파병", "ko") == {"병력", "파병"}


def headline(language: str, title: str, read_in: str, rules: RuleSet = RULES) -> Headline:
    return Headline(
        language,
        frozenset({"nk"}),
        frozenset({"north-korea", "russia"}),
        headline_terms(rules, title, read_in),
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "North Korea sends thousands more troops to Russia, South Korean intelligence says",
            'NIS: "North Korea sends 3,000 more troops to Russia"',
        ),
        (
            "North Korea sends thousands more troops to Russia, South Korean intelligence says",
            "North Korea sends about 3,000 more troops to Russia, Seoul's spy agency says",
        ),
    ],
)
def test_one_story_from_two_languages_read_in_english(first: str, second: str) -> None:
    assert same_story(headline("id", first, "en"), headline("ko", second, "en"))


@pytest.mark.parametrize(
    "other",
    [
        "North Korea and Russia hold a summit in Vladivostok",
        "North Korea sends more artillery shells to Russia",
        "Russia and North Korea sign a treaty on mutual defence",
    ],
)
def test_another_story_about_the_same_countries_is_not_merged(other: str) -> None:
    troops = headline("id", "North Korea sends thousands more troops to Russia", "en")
    assert not same_story(headline("ko", other, "en"), troops)


def test_the_other_evidence_is_required_too() -> None:
    """Same language (the simhash's case), no common rule, or one shared entity: no merge."""
    a = headline("id", "North Korea sends 3,000 more troops to Russia", "en")
    b = headline("ko", "North Korea sends about 3,000 more troops to Russia", "en")
    assert same_story(a, b)
    assert not same_story(a, Headline("id", b.rules, b.entities, b.terms))
    assert not same_story(a, Headline("ko", frozenset({"other"}), b.entities, b.terms))
    assert not same_story(a, Headline("ko", b.rules, frozenset({"north-korea"}), b.terms))


def test_terms_are_similar_with_three_shared_and_a_quarter_or_half_the_shorter() -> None:
    """ "Sends more" is not a story: two common words are not enough. Three are, when they are
    a quarter of all the terms, or half of a headline compared with a wordier one."""
    assert not similar_terms({"sends", "more"}, {"sends", "more"})
    assert similar_terms({"troops", "sends", "more"}, {"troops", "sends", "more", "3000"})
    lead = {"troops", "sends", "more", "kursk", "region", "month", "since", "start"}
    assert similar_terms({"troops", "sends", "more", "3000", "seoul"}, lead)  # 3 of the 5
    wordy = {"troops", "sends", "more", "3000", "seoul", "spies", "agency", "said"}
    assert not similar_terms(wordy, lead)  # 3 of 13 in all, 3 of the shorter 8
