"""One story told in two languages: whether a new alert repeats one a chat already has.

Headlines in different languages share no words, so they are compared in the chat's language,
where both exist anyway: the translation the chat reads, or the original when the article is in
the chat's language. All of this must hold (a missed merge costs a second alert; a wrong one
folds a different story into an earlier alert, which then shows its headline and link):

- the articles are in different languages (same-language retellings are the simhash's);
- they reached the chat through a common rule, within `WINDOW`;
- they name at least `MIN_SHARED_ENTITIES` of the same rule entities;
- their headlines in the chat's language, entity names taken out, share at least
  `MIN_SHARED_TERMS` terms, and either `MIN_OVERLAP` of all their terms (Jaccard) or
  `MIN_CONTAINED` of the shorter one's. Terms are words of four letters or more, numbers (3,000,
  3.000 and 3000 are one, in any digits), and the character pairs of Chinese, Japanese and Korean
  runs (triples in Thai, Lao, Khmer and Myanmar, whose pairs are mostly common syllables): those
  scripts inflect or run words together.

`bench/retold.py` measures this on NTREX-128's 123 stories read in each of 18 languages.

"North Korea sends 3,000 more troops to Russia" (English) and "Korea Utara kirim 3.000 pasukan
tambahan ke Rusia" (Indonesian, read in English) are one story; "North Korea and Russia hold a
summit" is another, though it names the same two countries.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import regex

from bot.analyze.engine import Document
from bot.analyze.text import HAN_KANA, HANGUL, SYLLABIC

if TYPE_CHECKING:
    from bot.analyze.engine import RuleSet

WINDOW: Final = 12 * 3600.0  # seconds
MIN_SHARED_ENTITIES: Final = 2
MIN_SHARED_TERMS: Final = 3
MIN_OVERLAP: Final = 0.25
MIN_CONTAINED: Final = 0.5

_TERM: Final = regex.compile(rf"([{HAN_KANA}{SYLLABIC}{HANGUL}]+)|(\d+)|[\p{{L}}\p{{M}}]+")
_SYLLABLES: Final = regex.compile(f"[{SYLLABIC}]")
_DIGIT_GROUP: Final = regex.compile(r"(?<=\d)[.,\u00a0\u202f ](?=\d{3}(?!\d))")


@dataclass(frozen=True, slots=True)
class Headline:
    """What is compared of an alert's story: read in one chat language."""

    language: str | None  # the article's
    rules: frozenset[str]
    entities: frozenset[str]
    terms: frozenset[str]


def terms(folded: str) -> frozenset[str]:
    """The terms of folded text (see the module docstring)."""
    out: set[str] = set()
    for m in _TERM.finditer(_DIGIT_GROUP.sub("", folded)):
        dense, number = m.group(1), m.group(2)
        if dense:
            n = 3 if _SYLLABLES.match(dense) else 2  # Thai pairs are mostly common syllables
            out.update(dense[i : i + n] for i in range(len(dense) - n + 1))
        elif number:
            out.add(str(int(number)))  # ٣٠٠٠ and 3000 are one number
        elif len(m.group()) >= 4:
            out.add(m.group())
    return frozenset(out)


def headline_terms(ruleset: RuleSet, title: str, language: str | None) -> frozenset[str]:
    """The terms of a headline written in `language`, the names of the rule set's entities
    taken out: they are compared on their own, and would make every story about two countries
    look alike."""
    report = ruleset.match(Document(title=title), language=language)
    folded = report.folded.get("title")
    if folded is None:
        return frozenset()
    chars = list(folded.text)
    for atom, hits in report.hits.items():
        if ruleset.atoms[atom].text.startswith("@"):
            for h in hits:
                chars[h.start : h.end] = " " * (h.end - h.start)
    return terms("".join(chars))


def similar_terms(a: Set[str], b: Set[str]) -> bool:
    """At least `MIN_SHARED_TERMS` shared, and `MIN_OVERLAP` of all terms (Jaccard) or
    `MIN_CONTAINED` of the shorter side's (a headline against a wordier one)."""
    shared = len(a & b)
    if shared < MIN_SHARED_TERMS:
        return False
    return shared >= MIN_OVERLAP * len(a | b) or shared >= MIN_CONTAINED * min(len(a), len(b))


def same_story(new: Headline, old: Headline) -> bool:
    """Whether `new` retells `old` in another language (the caller checks `WINDOW`)."""
    if new.language == old.language or not new.rules & old.rules:
        return False
    if len(new.entities & old.entities) < MIN_SHARED_ENTITIES:
        return False
    return similar_terms(new.terms, old.terms)
