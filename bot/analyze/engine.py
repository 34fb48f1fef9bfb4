"""The compiled rule set: one automaton over every alias and keyword, one pass per field.

`RuleSet.compile` turns rules and entities into atoms (`@entity`, keyword, `re:` pattern) and
patterns (each folded alias string with its guards). `match` scans each field once, keeps the
hits that pass their boundary and guard checks, and evaluates only the rules whose atoms were hit.
The article's language is asked for (lazily, at most once) only when a verdict depends on it.

Patterns and the automaton are in `bot.analyze.automaton`, the report (verdicts, key lines,
explain) in `bot.analyze.report`; `MatchReport` is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import regex

from bot.analyze.automaton import Automaton, Hit, Pattern, accept, alias_patterns, merge_patterns
from bot.analyze.entities import Alias, Entity
from bot.analyze.report import MatchReport, group_terms, kleene
from bot.analyze.rules import Group, Rule
from bot.analyze.text import Folded, fold, fold_str
from bot.model import FIELDS, Field, RuleId

__all__ = ["Atom", "Document", "LanguageArg", "MatchReport", "RuleSet"]

LanguageArg = str | None | Callable[[], str | None]


@dataclass(frozen=True, slots=True)
class Document:
    """The text to match, already plain (no HTML)."""

    title: str
    summary: str = ""
    content: str = ""

    def field_text(self, name: Field) -> str:
        return {"title": self.title, "summary": self.summary, "content": self.content}[name]


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
        self._term_ids: dict[str, int] = {}
        self.patterns: list[Pattern] = []
        self.rule_atoms: list[tuple[int, ...]] = [self._collect(r) for r in self.rules]
        self.tops: dict[RuleId, Group] = {r.id: _top(r) for r in self.rules}
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
        # For each rule, sets of atoms of which at least one must be hit for it to match: a
        # candidate failing one is settled without evaluating it (most candidates, in practice).
        self.needs: list[tuple[frozenset[int], ...]] = [
            tuple(self._needs(self.tops[r.id])) for r in self.rules
        ]
        self.automaton = Automaton(self.patterns)

    def _needs(self, group: Group) -> list[frozenset[int]]:
        plain = [i for i in group.items if isinstance(i, str) and not i.startswith("re:")]
        if group.kind == "all":
            out = [frozenset([self.atom_id(t)]) for t in plain]
            for item in group.items:
                if isinstance(item, Group):
                    out.extend(self._needs(item))
            return out
        if group.kind == "any" and group.items and len(plain) == len(group.items):
            return [frozenset(self.atom_id(t) for t in plain)]
        return []

    @classmethod
    def compile(cls, rules: Sequence[Rule], entities: Mapping[str, Entity]) -> RuleSet:
        """Compile rules that reference `entities` (already validated)."""
        return cls(rules, entities)

    def with_personal(self, personal: Sequence[_Personal]) -> RuleSet:
        """A new compiled set holding these rules plus the chats' `/watch` rules."""
        extra = [
            Rule(id=RuleId(p.id), name=p.expr.text, all=Group("all", (p.expr.group,)))
            for p in personal
            if all(t[1:] in self.entities for t in group_terms(p.expr.group) if t.startswith("@"))
        ]  # a /watch naming an entity that a reload removed is left out, not fatal
        new = RuleSet((*self._base_rules, *extra), self.entities)
        new._base_rules = self._base_rules
        return new

    def atom_id(self, term: str) -> int:
        """The atom of a rule item as written."""
        found = self._term_ids.get(term)
        if found is None:
            found = self._term_ids[term] = self._atom_ids[_atom_key(term)]
        return found

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
            found = [p for alias in entity.all_aliases() for p in alias_patterns(index, alias)]
            found += [
                p for alias in entity.exclude for p in alias_patterns(index, alias, exclude=True)
            ]
            self.patterns.extend(merge_patterns(found))
        else:
            self.atoms.append(Atom(term))
            self.patterns.extend(alias_patterns(index, Alias(text=term)))
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
        pids_of = self.automaton.pids
        for key, start, end in self.automaton.find(s):
            for pid in pids_of[key]:
                p = self.patterns[pid]
                stop = accept(p, s, start, end, name, folded)
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


class _Expr(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def group(self) -> Group: ...


class _Personal(Protocol):
    """What `with_personal` needs of a `/watch` rule (see `bot.analyze.watch.PersonalRule`)."""

    @property
    def id(self) -> str: ...
    @property
    def expr(self) -> _Expr: ...


def _top(rule: Rule) -> Group:
    return Group("all", tuple(g for g in (rule.all, rule.any, rule.none) if g is not None))


def _true_when_empty(rule: Rule) -> bool:
    """Rules that could match an article without any hit must be evaluated for every article."""
    return kleene(_top(rule), lambda _t: False) is not False
