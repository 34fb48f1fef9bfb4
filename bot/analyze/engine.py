"""The compiled rule set: one automaton over every alias and keyword, one pass per field.

`RuleSet.compile` turns rules and entities into atoms (`@entity`, keyword, `re:` pattern) and
patterns (each folded alias string with its guards). `match` scans each field once, keeps the
hits that pass their boundary and guard checks, and evaluates only the rules whose atoms were hit.
The article's language is asked for (lazily, at most once) only when a verdict depends on it.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import ahocorasick
import regex

from bot.analyze.entities import ANY_LANGUAGE, Alias, Entity, language_group
from bot.analyze.rules import Group, Rule
from bot.analyze.text import (
    ARABIC_PREFIXES,
    Folded,
    fold,
    fold_str,
    is_word_char,
    script_class,
    sentence_bounds,
    sentence_index,
    word_starts,
)
from bot.model import FIELDS, Field, KeyLine, RuleId

LanguageArg = str | None | Callable[[], str | None]
REGEX_TIMEOUT = 0.05  # seconds per `re:` search; a timeout counts as no hit and is explained


@dataclass(frozen=True, slots=True)
class Document:
    """The text to match, already plain (no HTML)."""

    title: str
    summary: str = ""
    content: str = ""

    def field_text(self, name: Field) -> str:
        return {"title": self.title, "summary": self.summary, "content": self.content}[name]


@dataclass(frozen=True, slots=True)
class Pattern:
    """One alias or keyword as the automaton sees it, with the checks a hit must pass."""

    atom: int
    key: str  # folded text looked up in the automaton
    source: str  # as written, for explanations
    language: str = ANY_LANGUAGE
    star: bool = False  # the last word may go on (`Rusia*`)
    verify: regex.Pattern[str] | None = None  # stars inside a phrase: checked at the hit
    exact: bool = False
    title_only: bool = False
    exclude: bool = False  # a longer name that cancels hits of its entity inside it


@dataclass(frozen=True, slots=True)
class Atom:
    """What rules refer to: `@entity`, a keyword, or `re:PATTERN`."""

    text: str
    regex: regex.Pattern[str] | None = None


class RuleSet:
    """Rules compiled for matching; immutable, so a reload swaps in a whole new one."""

    def __init__(self, rules: Sequence[Rule], entities: Mapping[str, Entity]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.entities: Mapping[str, Entity] = dict(entities)
        self._base_rules = self.rules
        self.atoms: list[Atom] = []
        self._atom_ids: dict[str, int] = {}
        self.patterns: list[Pattern] = []
        self.rule_atoms: list[tuple[int, ...]] = [self._collect(r) for r in self.rules]
        self.atom_rules: dict[int, list[int]] = {}
        for index, atoms in enumerate(self.rule_atoms):
            for a in atoms:
                self.atom_rules.setdefault(a, []).append(index)
        self.regex_atoms = frozenset(i for i, a in enumerate(self.atoms) if a.regex is not None)
        self.always = tuple(
            i
            for i, atoms in enumerate(self.rule_atoms)
            if self.regex_atoms.intersection(atoms) or _true_when_empty(self.rules[i])
        )
        self.automaton = _build_automaton(self.patterns)

    @classmethod
    def compile(cls, rules: Sequence[Rule], entities: Mapping[str, Entity]) -> RuleSet:
        """Compile rules that reference `entities` (already validated)."""
        return cls(rules, entities)

    def with_personal(self, personal: Sequence[_Personal]) -> RuleSet:
        """A new compiled set holding these rules plus the chats' `/watch` rules."""
        extra = [
            Rule(id=RuleId(p.id), name=p.expr.text, all=Group("all", (p.expr.group,)))
            for p in personal
        ]
        new = RuleSet((*self._base_rules, *extra), self.entities)
        new._base_rules = self._base_rules
        return new

    def atom_id(self, term: str) -> int:
        return self._atom_ids[_atom_key(term)]

    def _collect(self, rule: Rule) -> tuple[int, ...]:
        found: list[int] = []
        for group in (rule.all, rule.any, rule.none):
            if group is not None:
                found.extend(self._collect_group(group))
        return tuple(dict.fromkeys(found))

    def _collect_group(self, group: Group) -> list[int]:
        out: list[int] = []
        for item in group.items:
            out.extend(self._collect_group(item) if isinstance(item, Group) else [self._atom(item)])
        return out

    def _atom(self, term: str) -> int:
        key = _atom_key(term)
        if key in self._atom_ids:
            return self._atom_ids[key]
        index = len(self.atoms)
        self._atom_ids[key] = index
        if term.startswith("re:"):
            self.atoms.append(Atom(term, regex.compile(term[3:], regex.IGNORECASE)))
        elif term.startswith("@"):
            self.atoms.append(Atom(term))
            entity = self.entities[term[1:]]
            for alias in entity.all_aliases():
                self.patterns.extend(_patterns(index, alias))
            for alias in entity.exclude:
                self.patterns.extend(_patterns(index, alias, exclude=True))
        else:
            self.atoms.append(Atom(term))
            self.patterns.extend(_patterns(index, Alias(text=term)))
        return index

    def match(
        self, doc: Document, *, source_id: str | None = None, language: LanguageArg = None
    ) -> MatchReport:
        """Which rules match `doc`; `language` may be a callable, called only if needed."""
        report = MatchReport(self, doc, source_id=source_id, language=language)
        candidates = set(self.always)
        for name in FIELDS:
            text = doc.field_text(name)
            if text:
                folded = fold(text)
                report.folded[name] = folded
                found = self._scan(folded, name)
                for h in found:
                    report.add_hit(h)
                    candidates.update(self.atom_rules.get(h.atom, ()))
        report.evaluate(sorted(candidates))
        return report

    def _scan(self, folded: Folded, name: Field) -> list[Hit]:
        s = folded.text
        hits: list[Hit] = []
        excluded: list[Hit] = []
        for end, pids in self.automaton.iter(s):
            start = end + 1 - len(self.patterns[pids[0]].key)
            for pid in pids:
                p = self.patterns[pid]
                stop = _accept(p, s, start, end + 1, name, folded)
                if stop is not None:
                    (excluded if p.exclude else hits).append(Hit(p.atom, name, start, stop, pid))
        if excluded:
            hits = [h for h in hits if not any(_inside(h, x) for x in excluded)]
        return hits


def _atom_key(term: str) -> str:
    if term.startswith(("@", "re:")):
        return term
    return fold_str(term)


def _inside(h: Hit, x: Hit) -> bool:
    return h.atom == x.atom and x.start <= h.start and h.end <= x.end


def _build_automaton(patterns: Sequence[Pattern]) -> ahocorasick.Automaton:
    by_key: dict[str, list[int]] = {}
    for pid, p in enumerate(patterns):
        by_key.setdefault(p.key, []).append(pid)
    automaton = ahocorasick.Automaton()
    for key, pids in by_key.items():
        automaton.add_word(key, tuple(pids))
    if by_key:
        automaton.make_automaton()
    return automaton


def _patterns(atom: int, alias: Alias, *, exclude: bool = False) -> list[Pattern]:
    """The automaton patterns of one alias: hyphen/space variants, star handling."""
    text = unicodedata.normalize("NFC", alias.text.strip())
    words = fold_str(text).split()
    if not words:
        return []
    verify = None
    if any(w.endswith("*") for w in words[:-1]):
        first = words[0].rstrip("*")
        body = r"[\s\-]+".join(regex.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words)
        verify = regex.compile(body + ("" if words[-1].endswith("*") else r"(?!\w)"))
        keys = [first]
    else:
        keys = _variants([w.rstrip("*") for w in words])
    common = {
        "atom": atom,
        "source": text,
        "language": alias.language,
        "star": words[-1].endswith("*"),
        "verify": verify,
        "exact": alias.exact,
        "title_only": alias.title_only,
        "exclude": exclude,
    }
    return [Pattern(key=k, **common) for k in keys]  # type: ignore[arg-type]


def _variants(words: list[str]) -> list[str]:
    """`kim jong un` also as `kim jong-un`, `kim-jong-un`, ... (up to three joints)."""
    if len(words) == 1 or len(words) > 4:
        return [" ".join(words)]
    out = []
    for joints in itertools.product(" -", repeat=len(words) - 1):
        out.append(words[0] + "".join(j + w for j, w in zip(joints, words[1:], strict=True)))
    return out


def _accept(p: Pattern, s: str, start: int, end: int, name: Field, folded: Folded) -> int | None:
    """The hit's end if the hit passes its boundary and guard checks, else None."""
    if p.title_only and name != "title":
        return None
    if not _start_ok(p.key[0], s, start):
        return None
    if p.verify is not None:
        m = p.verify.match(s, start)
        if m is None:
            return None
        end = m.end()
    elif p.star:
        while end < len(s) and is_word_char(s[end]):
            end += 1
    elif end < len(s) and script_class(p.key[-1]) in ("word", "arabic") and is_word_char(s[end]):
        return None
    if p.exact and not _exact(p, folded, start, end):
        return None
    return end


def _start_ok(first: str, s: str, start: int) -> bool:
    if start == 0:
        return True
    kind = script_class(first)
    if kind == "anywhere":
        return True
    if kind == "arabic":
        i = start
        while i > 0 and is_word_char(s[i - 1]):
            i -= 1
        return s[i:start] in ARABIC_PREFIXES
    return not is_word_char(s[start - 1])


def _exact(p: Pattern, folded: Folded, start: int, end: int) -> bool:
    a, b = folded.to_original(start, end)
    written = unicodedata.normalize("NFC", folded.original[a:b])
    wanted = p.source.rstrip("*")
    return written.startswith(wanted) if p.star else written == wanted
