"""Rules files: every problem reported with FILE:LINE:COL, the shipped files valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analyze.engine import Document
from bot.analyze.rules import check_rules, load_ruleset
from bot.errors import RulesError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(problems: list[object]) -> list[str]:
    return [str(p) for p in problems]


def test_every_problem_is_reported_with_its_position(tmp_path: Path) -> None:
    """Unknown key, unknown entity, bad regex, bad `near`: all reported, not just the first."""
    path = write(
        tmp_path,
        "a.yaml",
        """entities:
  nk:
    country: KP
    colour: red
    includes: [kim, nobody]
  kim:
    aliases: {"*": [Kim Jong Un]}
rules:
  - id: one
    all: ["@nk", "@nowhere", "re:("]
    near: often
    feilds: [title]
""",
    )
    found = messages(check_rules([path]))
    known = "aliases, country, exclude, includes, short"
    assert f"{path}:4:5: entity nk: unknown key 'colour' (known: {known})" in found
    assert f"{path}:5:21: includes: unknown entity 'nobody'" in found
    assert f"{path}:10:18: unknown entity '@nowhere'" in found
    assert any(m.startswith(f"{path}:10:30: bad regular expression '('") for m in found)
    assert f"{path}:11:11: near must be `sentence` or a positive number of words" in found
    assert any(m.startswith(f"{path}:12:5: rule: unknown key 'feilds'") for m in found)
    assert len(found) == 6


def test_ids_are_unique_across_files(tmp_path: Path) -> None:
    """The same rule id or entity id in two files is an error naming the second place."""
    write(
        tmp_path, "a.yaml", "entities:\n  x: {aliases: {en: [x]}}\nrules:\n  - {id: r, any: [a]}\n"
    )
    write(
        tmp_path, "b.yaml", "entities:\n  x: {aliases: {en: [y]}}\nrules:\n  - {id: r, any: [b]}\n"
    )
    found = messages(check_rules([tmp_path]))
    assert found == [
        f"{tmp_path / 'b.yaml'}:2:3: entity 'x' is defined twice",
        f"{tmp_path / 'b.yaml'}:4:10: duplicate rule id 'r'",
    ]


def test_entities_may_be_used_from_another_file(tmp_path: Path) -> None:
    """Entities are shared by all rules files."""
    write(tmp_path, "a.yaml", "rules:\n  - {id: r, all: ['@x']}\n")
    write(tmp_path, "b.yaml", "entities:\n  x: {aliases: {'*': [Ex]}}\n")
    assert check_rules([tmp_path]) == []


def test_yaml_syntax_errors_carry_line_and_column(tmp_path: Path) -> None:
    """A YAML syntax error is one problem at the place the parser stopped."""
    path = write(tmp_path, "bad.yaml", "rules:\n  - id: r\n    any: [a, b\n")
    (problem,) = check_rules([path])
    assert (problem.line, problem.col) == (4, 1)
    assert problem.message.startswith("YAML syntax")


def test_load_raises_with_all_problems(tmp_path: Path) -> None:
    """`load_ruleset` refuses a broken set and the error lists every problem."""
    path = write(tmp_path, "r.yaml", "rules:\n  - {id: Bad_Id, any: [a]}\n  - {any: [b]}\n")
    with pytest.raises(RulesError) as info:
        load_ruleset([path])
    assert [p.line for p in info.value.problems] == [2, 3]


def test_star_only_at_word_ends_and_groups_not_empty(tmp_path: Path) -> None:
    """`Ru*sia` and empty `any` are refused; a rule without `all`/`any` is refused."""
    path = write(
        tmp_path,
        "r.yaml",
        "rules:\n  - {id: a, any: [Ru*sia]}\n  - {id: b, any: []}\n  - {id: c, none: [x]}\n",
    )
    found = messages(check_rules([path]))
    assert f"{path}:2:19: 'Ru*sia': `*` may only end a word" in found
    assert f"{path}:3:18: `any` must be a non-empty list" in found
    assert f"{path}:4:5: rule needs `all` or `any`" in found


def test_alias_options_and_bad_languages(tmp_path: Path) -> None:
    """Alias options are checked; a language key must look like a language code."""
    path = write(
        tmp_path,
        "e.yaml",
        "entities:\n  x:\n    aliases:\n      english: [a]\n      en: [{text: US, exact: maybe}]\n",
    )
    found = messages(check_rules([path]))
    assert any("'english' is not a language code" in m for m in found)
    assert f"{path}:5:30: exact must be true or false" in found


def test_shipped_rules_are_valid_and_cover_the_un() -> None:
    """The shipped entities name every UN member by its English slug, plus EU, NATO and UN."""
    ruleset = load_ruleset([ROOT / "rules"])
    countries = [e for e in ruleset.entities.values() if e.country]
    assert len(countries) >= 193
    for eid in ("north-korea", "russia", "united-states", "south-korea", "china", "ukraine"):
        assert ruleset.entities[eid].country
    for eid in ("european-union", "nato", "united-nations"):
        assert eid in ruleset.entities
    assert "nk-russia" in [r.id for r in ruleset.rules]


def test_country_pulls_cldr_names_in_many_languages() -> None:
    """`country: KP` brings North Korea's name in CLDR's languages (북한, 北朝鮮, КНДР...)."""
    from bot.analyze.entities import cldr_aliases

    names = {(a.language, a.text) for a in cldr_aliases("KP")}
    assert {("ko", "북한"), ("ja", "北朝鮮"), ("ru", "КНДР"), ("id", "Korea Utara")} <= names
    assert len({lang for lang, _ in names}) > 100


@pytest.mark.parametrize(
    ("language", "headline", "rule"),
    [
        ("ja", "ロシア軍、ウクライナ東部で攻勢", "ukraine-war"),
        ("de", "Russland greift Kiew mit Drohnen an", "ukraine-war"),
        ("ko", "러시아, 우크라이나에 미사일 공격", "ukraine-war"),
        ("zh", "美国对华加征关税", "us-china-trade"),
        ("en", "Trump raises tariffs on Chinese imports", "us-china-trade"),
        ("ko", "미·중 관세 전쟁 격화", "us-china-trade"),
    ],
)
def test_example_rules_catch_everyday_headlines(language: str, headline: str, rule: str) -> None:
    """The shipped example rules match the way newsrooms write these stories in each language."""
    rs = load_ruleset([ROOT / "rules"])
    assert rule in rs.match(Document(title=headline), language=language).matched


def test_shipped_example_rules_fire_for_any_source_and_language() -> None:
    """A new chat subscribes to the shipped rules first: nk-russia alerts on an English wire
    story and a Russian one alike, whatever the outlet (fails before this change: it was
    limited to cnbc-indonesia and to Indonesian and English)."""
    ruleset = load_ruleset([ROOT / "rules"])
    assert all(r.sources is None and r.languages is None for r in ruleset.rules)
    english = Document(title="North Korean troops arrive in Russia", content="")
    russian = Document(title="Войска КНДР прибыли в Россию", content="")
    assert "nk-russia" in ruleset.match(english, source_id="reuters", language="en").matched
    assert "nk-russia" in ruleset.match(russian, source_id="tass", language="ru").matched
