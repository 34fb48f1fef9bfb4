"""Matching semantics: words, scripts, languages, guards, groups, windows, lazy language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analyze.engine import Document, RuleSet
from bot.analyze.rules import load_ruleset, parse_rules_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    """The shipped entities and example rules, compiled once for this module."""
    return load_ruleset([ROOT / "rules"])


def compile_rules(text: str, *, with_shipped: bool = True) -> RuleSet:
    """Rules written inline, compiled with the shipped entities."""
    _, shipped_entities = parse_rules_text((ROOT / "rules" / "entities.yaml").read_text("utf-8"))
    head = (ROOT / "rules" / "entities.yaml").read_text("utf-8") if with_shipped else ""
    rules, entities = parse_rules_text(head + "\n" + text)
    return RuleSet.compile(rules, entities or shipped_entities)


def matched(rs: RuleSet, title: str, content: str = "", **kw: object) -> tuple[str, ...]:
    return rs.match(Document(title=title, content=content), **kw).matched  # type: ignore[arg-type]


KW = compile_rules(
    """rules:
  - {id: rusia, any: [Rusia]}
  - {id: iran, any: [Iran]}
  - {id: iran-star, any: ["Iran*"]}
  - {id: rossiya, any: ["Росси*"]}
  - {id: chosen, any: [北朝鮮]}
  - {id: bukhan, any: [북한]}
  - {id: thai, any: [รัสเซีย]}
""",
    with_shipped=False,
)


def test_keywords_hit_whole_words_only() -> None:
    """`Rusia` does not hit `berusia`; `Iran` does not hit `Irani` unless written `Iran*`."""
    assert "rusia" not in matched(KW, "Anak itu berusia lima tahun")
    assert "rusia" in matched(KW, "Rusia-nya menolak")
    assert "iran" not in matched(KW, "Irani cuisine")
    assert "iran-star" in matched(KW, "Irani cuisine")
    assert "iran" in matched(KW, "Iran's navy")


def test_trailing_star_matches_any_word_ending() -> None:
    """`Росси*` hits `России` and `Россией` (Russian inflects)."""
    assert "rossiya" in matched(KW, "в России")
    assert "rossiya" in matched(KW, "с Россией")


def test_chinese_japanese_thai_aliases_hit_anywhere() -> None:
    """Scripts without spaces: an alias hits inside a longer run of text."""
    assert "chosen" in matched(KW, "きょう北朝鮮が発射した")
    assert "thai" in matched(KW, "ทหารรัสเซียเข้าร่วม")


def test_chinese_keywords_hit_either_script() -> None:
    """A keyword written in simplified Chinese finds the traditional spelling and the other way
    round; the key line bolds the characters as the outlet wrote them."""
    rs = compile_rules("rules:\n  - {id: tariff, any: [关税]}\n  - {id: taiwan, any: [臺灣]}")
    report = rs.match(Document(title="新聞", content="美國對華加徵關稅。台湾回应。"))
    assert report.matched == ("tariff", "taiwan")
    lines = report.key_lines()
    assert [line.text[a:b] for line in lines for a, b in line.spans] == ["關稅", "台湾"]
    assert matched(rs, "美国对华加征关税") == ("tariff",)


def test_explanations_name_the_alias_as_plainly_written() -> None:
    """Names that fold alike are one pattern; the explanation shows `Chile`, not another
    locale's `Chilè`, and a case-sensitive spelling as written (`ÁO`, `TRUMP`)."""
    rs = compile_rules('rules:\n  - {id: cl, all: ["@chile"]}\n  - {id: t, all: ["@donald-trump"]}')
    text = rs.match(Document(title="TRUMP MEETS BORIC", content="Chile talks."), language="en")
    assert "'Chile' -> @chile via Chile [en]" in text.explain()
    assert "'TRUMP' -> @donald-trump via TRUMP" in text.explain()


def test_korean_aliases_hit_at_word_start() -> None:
    """`북한` hits `북한은` (particle attached) but not inside another word."""
    assert "bukhan" in matched(KW, "북한은 오늘 미사일을 발사했다")
    assert "bukhan" not in matched(KW, "탈북한 사람들")


def test_language_scoped_aliases_hit_only_in_that_language(shipped: RuleSet) -> None:
    """Indonesian `Rusia` counts in an Indonesian article, the Spanish name in Spanish only."""
    rs = compile_rules('rules:\n  - {id: ru, all: ["@russia"]}')
    assert "ru" in matched(rs, "Rusia menolak", language="id")
    assert "ru" in matched(rs, "Rusia menolak", language="ms")  # id and ms are one group
    assert "ru" not in matched(rs, "Rusya açıkladı", language="en")
    assert "ru" in matched(rs, "Rusya açıkladı", language="tr")


def test_short_common_word_aliases_are_guarded() -> None:
    """`AS` (Indonesian for the US) and `US` hit only as written: ordinary text is safe."""
    rs = compile_rules('rules:\n  - {id: us, all: ["@united-states"]}')
    assert "us" not in matched(rs, "Biarkan kami pergi as soon as possible", language="id")
    assert "us" not in matched(rs, "Join us as we celebrate", language="en")
    assert "us" in matched(rs, "Presiden AS bertemu Xi", language="id")
    assert "us" in matched(rs, "US sanctions widen", language="en")


def test_guard_on_indonesian_ri() -> None:
    """`RI` (Republic of Indonesia) hits only as written, never the name `Ri`."""
    rs = compile_rules('rules:\n  - {id: ri, all: ["@indonesia"]}')
    assert "ri" in matched(rs, "Presiden RI membuka sidang", language="id")
    assert "ri" not in matched(rs, "Menteri Ri Yong Ho datang", language="id")


def test_exclude_names_cancel_inner_alias() -> None:
    """`俄` means Russia, but `俄亥俄` is Ohio."""
    rs = compile_rules('rules:\n  - {id: ru, all: ["@russia"]}')
    assert "ru" not in matched(rs, "俄亥俄州选举", language="zh")
    assert "ru" in matched(rs, "中俄关系", language="zh")


def test_language_is_asked_only_when_a_verdict_depends_on_it(shipped: RuleSet) -> None:
    """No hit, no language detection; a language-specific hit asks once per document."""
    calls: list[int] = []

    def detect() -> str:
        calls.append(1)
        return "id"

    report = shipped.match(Document(title="Cuaca cerah di Jakarta"), language=detect)
    assert report.matched == ()
    assert calls == []
    assert report.language is None
    report = shipped.match(
        Document(title="Korea Utara kirim pasukan", content="Korut dan Rusia. Korut."),
        language=detect,
    )
    assert calls == [1]
    assert report.language == "id"


def test_star_aliases_hit_without_asking_language() -> None:
    """A `"*"` alias decides alone: the detector is never called."""
    rs = compile_rules('rules:\n  - {id: nk, all: ["@north-korea"]}')

    def boom() -> str:
        raise AssertionError("language detection should not run")

    assert matched(rs, "Kim Jong Un visits a factory", language=boom) == ("nk",)


def test_near_sentence_requires_all_items_in_one_sentence() -> None:
    """`near: sentence`: both entities in one sentence, not one in each."""
    rs = compile_rules('rules:\n  - {id: nkru, all: ["@north-korea", "@russia"], near: sentence}')
    assert "nkru" in matched(
        rs, "", "Pyongyang sent troops to Russia. Nothing else.", language="en"
    )
    assert "nkru" not in matched(
        rs, "", "Pyongyang sent troops. Russia said nothing.", language="en"
    )


def test_near_words_window() -> None:
    """`near: 3`: the items within three words of each other."""
    rs = compile_rules("rules:\n  - {id: w, all: [oil, price], near: 3}", with_shipped=False)
    assert "w" in matched(rs, "oil and gas price rises")
    assert "w" not in matched(rs, "oil is what everyone talks about when the price moves")


def test_nested_groups_fields_languages_and_sources() -> None:
    """`- any:` inside `all`, `none` vetoes, and the field, language and source filters apply."""
    rs = compile_rules(
        """rules:
  - id: r
    all: ["@russia", {any: [troops, pasukan]}]
    none: [football]
    fields: [title]
    languages: [en]
    sources: [wire]
"""
    )
    assert matched(rs, "Russia moves troops", source_id="wire", language="en") == ("r",)
    assert (
        matched(rs, "Russia moves troops to football match", source_id="wire", language="en") == ()
    )
    assert matched(rs, "Russia moves", "troops", source_id="wire", language="en") == ()
    assert matched(rs, "Russia moves troops", source_id="other", language="en") == ()
    assert matched(rs, "Rusia kirim pasukan", source_id="wire", language="id") == ()


def test_regex_keywords_and_their_time_bound() -> None:
    """`re:` items match as regular expressions; one that times out is a non-hit, explained."""
    rs = compile_rules(
        'rules:\n  - {id: rx, any: ["re:missiles? launch(ed)?"]}\n'
        '  - {id: slow, any: ["re:(a|aa)+$"]}',
        with_shipped=False,
    )
    assert matched(rs, "Missile launched at dawn") == ("rx",)
    report = rs.match(Document(title="a" * 5000 + "b"), language="en")
    assert "slow" not in report.matched
    assert "timed out" in report.explain()


def test_regex_keywords_ignore_diacritics_and_case_like_every_other_item() -> None:
    """`re:` runs on folded text, so its own letters are folded too: `re:café` finds "CAFÉ" and
    "cafe", `re:Росси[яи]` finds "РОССИИ"; the syntax (backslash-d, backslash-D) keeps its
    meaning."""
    rs = compile_rules(
        r"""rules:
  - {id: cafe, any: ['re:café\s+\d+']}
  - {id: ru, any: ['re:Росси[яи]']}
  - {id: nondigit, any: ['re:^\D+$']}
""",
        with_shipped=False,
    )
    assert matched(rs, "CAFÉ 24 buka") == ("cafe",)
    assert matched(rs, "cafe 7") == ("cafe",)
    assert matched(rs, "Визит в РОССИИ") == ("ru", "nondigit")
    assert matched(rs, "Россия 2024") == ("ru",)


def test_key_lines_bold_hits_in_the_original_text() -> None:
    """Key lines are the sentences with hits, in article order, spans on the original letters."""
    rs = compile_rules('rules:\n  - {id: ru, all: ["@russia"]}')
    content = "Cuaca cerah. Ｒｕｓｉａ menolak. Lalu Moskow diam."
    report = rs.match(Document(title="Berita", content=content), language="id")
    lines = report.key_lines()
    assert [line.text for line in lines] == ["Ｒｕｓｉａ menolak.", "Lalu Moskow diam."]
    assert [lines[0].text[a:b] for a, b in lines[0].spans] == ["Ｒｕｓｉａ"]
    assert [lines[1].text[a:b] for a, b in lines[1].spans] == ["Moskow"]


def test_personal_rules_compile_with_the_same_engine(shipped: RuleSet) -> None:
    """`/watch "Korea Utara" + Rusia` becomes a rule of a new set; the old set is unchanged."""
    from bot.analyze.watch import PersonalRule, parse_watch

    personal = PersonalRule("watch:42:1", 42, parse_watch('"Korea Utara" + Rusia'))
    rs = shipped.with_personal([personal])
    doc = Document(title="Korea Utara dan Rusia bertemu")
    assert "watch:42:1" in rs.match(doc, language="id").matched
    assert "watch:42:1" not in shipped.match(doc, language="id").matched
    assert len(rs.with_personal([]).rules) == len(shipped.rules)


def test_cost_follows_hits_not_rules() -> None:
    """Only rules whose items were hit are evaluated: an unrelated article evaluates none."""
    many = "\n".join(f"  - {{id: r{i}, any: [word{i}]}}" for i in range(300))
    rs = compile_rules("rules:\n" + many, with_shipped=False)
    report = rs.match(Document(title="nothing relevant here"), language="en")
    assert report.matched == ()
    assert report.hits == {}
    assert rs.always == ()


def test_rules_that_match_without_hits_are_always_evaluated() -> None:
    """A rule of only `none` items matches articles with no hits at all."""
    rs = compile_rules("rules:\n  - {id: quiet, all: [{none: [football]}]}", with_shipped=False)
    assert matched(rs, "Weather is fine") == ("quiet",)
    assert matched(rs, "football tonight") == ()


def test_guards_hold_in_text_that_is_not_ascii() -> None:
    """`AS` is checked as written whether the text folds to the same length (curly quotes) or
    not (`ß` folds to `ss`): `as` in such text still does not hit."""
    rs = compile_rules('rules:\n  - {id: us, all: ["@united-states"]}')
    for extra in ("“kutipan” — ", "Straße: "):
        assert "us" in matched(rs, extra + "Presiden AS bertemu Xi", language="id")
        assert "us" not in matched(rs, extra + "as soon as possible, kata dia", language="id")


def test_a_known_language_changes_no_verdict() -> None:
    """With the language given up front the engine scans only aliases that can count in it:
    the same verdicts and key lines as scanning every alias, and every hit still explained."""
    rs = compile_rules(
        """rules:
  - {id: nk-ru, all: ["@north-korea", "@russia"]}
  - {id: us-cn, all: ["@united-states"], any: ["@china", "@xi-jinping"]}
  - {id: nk, all: ["@north-korea"], none: [football]}
"""
    )
    cases = [
        ("Korea Utara dan Rusia teken pakta", "id"),
        ("北, 러시아에 파병", "ko"),
        ("北朝鮮がロシアに部隊", "ja"),
        ("КНДР и Россия: военные учения. Пхеньян молчит.", "ru"),
        ("Presiden AS bertemu Xi di Beijing", "id"),
        ("La Russie et Pyongyang", "fr"),
        ("North Korea and Russia", None),
    ]
    hits = 0
    for title, language in cases:
        doc = Document(title=title, content=title)
        narrow = rs.match(doc, language=language)
        every = rs.match(doc, language=language, every_hit=True)
        assert narrow.matched == every.matched, title
        assert narrow.key_lines() == every.key_lines(), title
        hits += len(narrow.matched)
    assert hits >= 10  # the cases do match: the comparison is not between two empty answers
    ko_in_ja = rs.match(Document(title="北朝鮮と北"), language="ja", every_hit=True)
    assert "not counted: alias of another language" in ko_in_ja.explain()


def test_a_name_of_two_entities_counts_for_both() -> None:
    """`includes` makes one name count for two entities (a leader and the country): each rule
    sees its own hit, in `near`, in the key lines and in the explanation."""
    rs = compile_rules(
        """entities:
  lula:
    aliases: {"*": [Lula]}
  brasil:
    aliases: {"*": [Brasil]}
    includes: [lula]
rules:
  - {id: leader, all: ["@lula"]}
  - {id: country-vote, all: ["@brasil", eleição], near: sentence}
""",
        with_shipped=False,
    )
    one = Document(title="", content="Lula vence a eleição. Mercado reage.")
    two = Document(title="", content="Lula discursa. Depois, a eleição foi marcada.")
    report = rs.match(one, language="pt")
    assert report.matched == ("leader", "country-vote")
    assert report.key_lines()[0].text == "Lula vence a eleição."
    assert rs.match(two, language="pt").matched == ("leader",)
    explained = rs.match(one, language="pt").explain()
    assert "'Lula' -> @lula via Lula" in explained
    assert "'Lula' -> @brasil via Lula" in explained
