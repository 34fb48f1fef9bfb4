"""The compiled rule set: one automaton over every alias and keyword, one pass per field.

`RuleSet.compile` turns rules and entities into atoms (`@entity`, keyword, `re:` pattern) and
patterns (each folded alias string with its guards). `match` scans each field once, keeps the
hits that pass their boundary and guard checks, and evaluates only the rules whose atoms were hit.
The article's language is asked for (lazily, at most once) only when a verdict depends on it;
when it is known up front, the scan skips the aliases that could not count in it.

Patterns and the automaton are in `bot.analyze.automaton`, the report (verdicts, key lines,
explain) in `bot.analyze.report`; `MatchReport` is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import regex

from bot.analyze.automaton import (
    END_WORD,
    START_WORD,
    Automaton,
    Hit,
    Pattern,
    accept,
    alias_patterns,
    merge_patterns,
)
from bot.analyze.entities import Alias, Entity, dotted_pairs, language_group
from bot.analyze.report import MatchReport, group_terms, kleene
from bot.analyze.rules import Group, Rule
from bot.analyze.text import CONTINUES, Folded, fold, fold_str
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
    """Rules compiled for matching; immutable (its per-language automata are built on first use,
    then kept), so a reload swaps in a whole new one. `automaton` holds every pattern: for
    articles whose language is not known before matching."""

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
        # Built now, so a set that cannot be compiled fails at reload (the old one stays); the
        # smaller per-language ones, built on first use, hold a subset of its keys.
        self.automaton = Automaton(self.patterns)
        self._by_language: dict[str | None, Automaton] = {}
        self._groups = frozenset(g for p in self.patterns for g in p.languages or ())
        # The rules an atom's hit makes candidates: through one `needs` set per rule, the one
        # its aliases make least likely to be hit, so a common entity does not wake every rule
        # that names it when their other needs (a rarer keyword) were not hit.
        aliases: dict[int, int] = {}
        for p in self.patterns:
            aliases[p.atom] = aliases.get(p.atom, 0) + 1
        self.atom_rules: dict[int, list[int]] = {}
        for index, atoms in enumerate(self.rule_atoms):
            needs = self.needs[index]
            if needs:
                atoms = tuple(min(needs, key=lambda n: sum(aliases.get(a, 1) for a in n)))
            for a in atoms:
                self.atom_rules.setdefault(a, []).append(index)
        self._triggers = frozenset(self.atom_rules)

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

    def automaton_for(self, language: str | None) -> Automaton:
        """The patterns that can count in an article of `language` (None: unknown): the ones
        for every language, the ones of its group, and every name that excludes. Built on first
        use, at most one per language group the aliases name (others share one)."""
        group = language_group(language) if language else None
        if group not in self._groups:
            group = None
        found = self._by_language.get(group)
        if found is None:
            chosen = [
                pid
                for pid, p in enumerate(self.patterns)
                if p.languages is None or p.exclude or (group is not None and group in p.languages)
            ]
            found = self._by_language[group] = Automaton(self.patterns, chosen)
        return found

    @classmethod
    def compile(cls, rules: Sequence[Rule], entities: Mapping[str, Entity]) -> RuleSet:
        """Compile rules that reference `entities` (already validated)."""
        return cls(rules, entities)

    @classmethod
    def naming(cls, entities: Mapping[str, Entity], only: Iterable[str] | None = None) -> RuleSet:
        """One rule per entity (or per id in `only`), named by the entity's id: a text's
        matches are the entities it names."""
        ids = list(entities) if only is None else list(only)
        rules = [Rule(id=RuleId(e), name=e, all=Group("all", (f"@{e}",))) for e in ids]
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
            self.atoms.append(Atom(term, compile_folded(term[3:])))
        elif term.startswith("@"):
            self.atoms.append(Atom(term))
            entity = self.entities[term[1:]]
            # an included entity's names and exclusions count as this one's (one level deep)
            parts = [entity, *(self.entities[i] for i in entity.includes if i in self.entities)]
            aliases = [a for e in parts for a in e.all_aliases()]
            aliases += dotted_pairs(entity, self.entities)
            found = [p for alias in aliases for p in alias_patterns(index, alias)]
            found += [
                p
                for e in parts
                for alias in e.exclude
                for p in alias_patterns(index, alias, exclude=True)
            ]
            self.patterns.extend(merge_patterns(found))
        else:
            self.atoms.append(Atom(term))
            self.patterns.extend(alias_patterns(index, Alias(text=term)))
        return index

    def match(
        self,
        doc: Document,
        *,
        source_id: str | None = None,
        language: LanguageArg = None,
        every_hit: bool = False,
    ) -> MatchReport:
        """Which rules match `doc`; `language` may be a callable, called only if needed.

        A language known up front (a string, or None: unknown) lets the scan skip the aliases
        that could not count in it; `every_hit` keeps them, for explanations that show them.
        """
        report = MatchReport(self, doc, source_id=source_id, language=language)
        if callable(language) or every_hit:
            automaton = self.automaton
        else:
            automaton = self.automaton_for(language)
        seen: set[int] = set()
        for name in FIELDS:
            text = doc.field_text(name)
            if text:
                folded = fold(text)
                report.folded[name] = folded
                plain, hits = self._scan(automaton, folded, name, seen)
                report.add_scan(name, automaton, plain, hits)
        candidates = set(self.always)
        atom_rules = self.atom_rules
        for atom in seen & self._triggers:
            candidates.update(atom_rules[atom])
        report.evaluate(sorted(candidates), seen)
        return report

    def _scan(
        self, automaton: Automaton, folded: Folded, name: Field, seen: set[int]
    ) -> tuple[list[tuple[int, int, int]], list[Hit]]:
        """The hits in one field: plain ones as the automaton's (start, end, key) tuples, the
        rest as `Hit`s; `seen` gets every atom hit (a superset when a name excludes)."""
        s = folded.text
        n = len(s)
        plain: list[tuple[int, int, int]] = []
        hits: list[Hit] = []
        excluded: list[Hit] = []
        continues, gates, atom_if_plain = CONTINUES, automaton.gates, automaton.atom_if_plain
        for found in automaton.find(s):
            start, end, key = found
            gate = gates[key]
            if gate:  # most raw hits are parts of longer words: settled here
                if gate & START_WORD and start and continues[s[start - 1]]:
                    continue
                if gate & END_WORD and end < n and continues[s[end]]:
                    continue
            atom = atom_if_plain[key]
            if atom >= 0:
                plain.append(found)
                seen.add(atom)
            else:
                self._settle(automaton, found, folded, name, seen, plain, hits, excluded)
        seen.update(h.atom for h in hits)
        if excluded:
            hits += automaton.hits(name, plain)
            hits = [h for h in hits if not any(_inside(h, x) for x in excluded)]
            plain = []
        return plain, hits

    def _settle(
        self,
        automaton: Automaton,
        found: tuple[int, int, int],
        folded: Folded,
        name: Field,
        seen: set[int],
        plain: list[tuple[int, int, int]],
        hits: list[Hit],
        excluded: list[Hit],
    ) -> None:
        """A raw hit the gate did not settle: a name of several atoms that the gate settles
        (`trump` is Trump and, through `includes`, the United States), a case-sensitive name
        compared as written (most `as`, `us`, `un` are not `AS`, `US`, `UN`), else each pattern
        checked by `accept`."""
        start, end, key = found
        wanted = automaton.literal[key]
        if wanted is None:
            if automaton.plain_pids[key]:
                plain.append(found)
                seen.update(automaton.plain_atoms[key])
                return
        elif folded.offsets is None:
            written = folded.original[start:end]
            if written == wanted:
                plain.append(found)
                seen.update(automaton.plain_atoms[key])
                return
            if written.isascii():  # else it may differ only in its normal form
                return
        for pid in automaton.pids[key]:
            p = self.patterns[pid]
            stop = accept(p, folded.text, start, end, name, folded)
            if stop is not None:
                (excluded if p.exclude else hits).append(Hit(p.atom, name, start, stop, pid))


def compile_folded(pattern: str) -> regex.Pattern[str]:
    """A `re:` pattern for folded text: its non-ASCII characters folded as the text is
    (`re:café` finds "Café", `re:Россия` "РОССИЯ"), its ASCII (the regex syntax) untouched and
    case ignored. A pattern that no longer compiles once folded (a lone combining mark in a
    class) is used as written."""
    folded = "".join(fold_str(ch) if not ch.isascii() else ch for ch in pattern)
    try:
        return regex.compile(folded, regex.IGNORECASE)
    except regex.error:
        return regex.compile(pattern, regex.IGNORECASE)


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
