"""The compiled rule set: one automaton over every alias and keyword, one pass per field.

`RuleSet.compile` turns rules and entities into atoms (`@entity`, keyword, `re:` pattern) and
patterns (each folded alias string with its guards). `match` scans each field once, keeps the
hits that pass their boundary and guard checks, and evaluates only the rules whose atoms were hit.
The article's language is asked for (lazily, at most once) only when a verdict depends on it.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import ahocorasick_rs
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
    languages: frozenset[str] | None = None  # language groups it hits in; None: every article
    star: bool = False  # the last word may go on (`Rusia*`)
    verify: regex.Pattern[str] | None = None  # stars inside a phrase: checked at the hit
    exact: bool = False
    title_only: bool = False
    exclude: bool = False  # a longer name that cancels hits of its entity inside it
    start_kind: str = "word"  # script class of the first character: how the hit may start
    end_bounded: bool = True  # the hit must end at a word end


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
        self.automaton = _Automaton(self.patterns)

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
            if all(t[1:] in self.entities for t in _terms(p.expr.group) if t.startswith("@"))
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
            found = [p for alias in entity.all_aliases() for p in _patterns(index, alias)]
            found += [p for alias in entity.exclude for p in _patterns(index, alias, exclude=True)]
            self.patterns.extend(_merge(found))
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
        pids_of = self.automaton.pids
        for key, start, end in self.automaton.find(s):
            for pid in pids_of[key]:
                p = self.patterns[pid]
                stop = _accept(p, s, start, end, name, folded)
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


class _Automaton:
    """Every pattern key in one Aho-Corasick automaton (ahocorasick-rs: scans in Rust)."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        by_key: dict[str, list[int]] = {}
        for pid, p in enumerate(patterns):
            by_key.setdefault(p.key, []).append(pid)
        self.keys = list(by_key)
        self.pids = [tuple(by_key[k]) for k in self.keys]
        self._ac = ahocorasick_rs.AhoCorasick(self.keys) if self.keys else None

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(key index, start, end) of every occurrence, overlapping ones included."""
        if self._ac is None:
            return []
        return self._ac.find_matches_as_indexes(text, overlapping=True)


def _patterns(atom: int, alias: Alias, *, exclude: bool = False) -> list[Pattern]:
    """The automaton patterns of one alias: hyphen/space variants, star handling."""
    text = unicodedata.normalize("NFC", alias.text.strip())
    words = fold_str(text).split()
    if not words:
        return []
    verify = None
    if any(w.endswith("*") for w in words[:-1]):
        body = r"[\s\-]+".join(
            regex.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words
        )
        verify = regex.compile(body + ("" if words[-1].endswith("*") else r"(?!\w)"))
        keys = [words[0].rstrip("*")]
    else:
        keys = _variants([w.rstrip("*") for w in words])
    return [
        Pattern(
            atom=atom,
            key=k,
            source=text,
            languages=None if alias.language == ANY_LANGUAGE else frozenset([alias.language]),
            star=words[-1].endswith("*"),
            verify=verify,
            exact=alias.exact,
            title_only=alias.title_only,
            exclude=exclude,
            start_kind=script_class(k[0]),
            end_bounded=script_class(k[-1]) in ("word", "arabic"),
        )
        for k in keys
    ]


def _merge(patterns: list[Pattern]) -> list[Pattern]:
    """One pattern per key and guards, with the union of its languages (None wins)."""
    merged: dict[tuple[object, ...], Pattern] = {}
    for p in patterns:
        key = (p.key, p.star, p.verify, p.exact, p.title_only, p.exclude)
        old = merged.get(key)
        if old is None:
            merged[key] = p
        elif old.languages is not None:
            langs = None if p.languages is None else old.languages | p.languages
            merged[key] = replace(old, languages=langs)
    return list(merged.values())


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
    if start and p.start_kind != "anywhere" and not _start_ok(p.start_kind, s, start):
        return None
    if p.verify is not None:
        m = p.verify.match(s, start)
        if m is None:
            return None
        end = m.end()
    elif p.star:
        while end < len(s) and is_word_char(s[end]):
            end += 1
    elif p.end_bounded and end < len(s) and is_word_char(s[end]):
        return None
    if p.exact and not _exact(p, folded, start, end):
        return None
    return end


def _start_ok(kind: str, s: str, start: int) -> bool:
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


@dataclass(frozen=True, slots=True)
class Hit:
    """An atom found in a field; offsets are in the folded text. `pattern` -1: a `re:` hit."""

    atom: int
    field: Field
    start: int
    end: int
    pattern: int


Truth = Callable[[str], bool | None]


def _kleene(group: Group, truth: Truth) -> bool | None:
    """Three-valued `all`/`any`/`none`: None when the answer depends on unknown atoms."""
    unknown = False
    if group.kind == "all":
        for item in group.items:
            value = _kleene(item, truth) if isinstance(item, Group) else truth(item)
            if value is False:
                return False
            unknown = unknown or value is None
        return None if unknown else True
    for item in group.items:
        value = _kleene(item, truth) if isinstance(item, Group) else truth(item)
        if value:
            return group.kind == "any"
        unknown = unknown or value is None
    return None if unknown else group.kind == "none"


def _top(rule: Rule) -> Group:
    return Group("all", tuple(g for g in (rule.all, rule.any, rule.none) if g is not None))


def _true_when_empty(rule: Rule) -> bool:
    """Rules that could match an article without any hit must be evaluated for every article."""
    return _kleene(_top(rule), lambda _t: False) is not False


_UNRESOLVED = object()


class MatchReport:
    """The outcome of matching one document, able to explain itself."""

    def __init__(
        self, ruleset: RuleSet, doc: Document, *, source_id: str | None, language: LanguageArg
    ) -> None:
        self.ruleset = ruleset
        self.doc = doc
        self.source_id = source_id
        self._language_arg = language
        self._language: object = _UNRESOLVED if callable(language) else language
        self.folded: dict[Field, Folded] = {}
        self.hits: dict[int, list[Hit]] = {}
        self.regex_timeouts: set[int] = set()
        self.matched: tuple[RuleId, ...] = ()
        self._sentences: dict[Field, tuple[int, ...]] = {}
        self._cache: dict[tuple[str, Field], tuple[int, ...]] = {}
        self._truths: dict[tuple[str, tuple[Field, ...]], bool | None] = {}

    def add_hit(self, hit: Hit) -> None:
        self.hits.setdefault(hit.atom, []).append(hit)

    @property
    def language(self) -> str | None:
        """The language used: None if it was never needed, or is unknown."""
        return None if self._language is _UNRESOLVED else self._language  # type: ignore[return-value]

    def _resolve(self) -> str | None:
        if self._language is _UNRESOLVED:
            assert callable(self._language_arg)
            self._language = self._language_arg()
            self._truths.clear()
        return self.language

    def _group_of_language(self) -> str | None:
        lang = self._resolve()
        return language_group(lang) if lang else None

    # --- verdicts ------------------------------------------------------------------------------

    def evaluate(self, candidates: Sequence[int]) -> None:
        rules, needs, hit = self.ruleset.rules, self.ruleset.needs, self.hits.keys()
        self.matched = tuple(
            rules[i].id
            for i in candidates
            if all(not hit.isdisjoint(n) for n in needs[i])
            and self._verdict(rules[i], explain=False) is None
        )

    def _atom_hits(self, term: str) -> list[Hit]:
        atom = self.ruleset.atom_id(term)
        if atom in self.ruleset.regex_atoms and atom not in self.hits:
            self.hits[atom] = self._regex_hits(atom)
        return self.hits.get(atom, [])

    def _regex_hits(self, atom: int) -> list[Hit]:
        pattern = self.ruleset.atoms[atom].regex
        assert pattern is not None
        out: list[Hit] = []
        for name, folded in self.folded.items():
            try:
                for m in pattern.finditer(folded.text, timeout=REGEX_TIMEOUT):
                    if m.end() > m.start():
                        out.append(Hit(atom, name, m.start(), m.end(), -1))
            except TimeoutError:
                self.regex_timeouts.add(atom)
        return out

    def _counts(self, hit: Hit) -> bool | None:
        """Whether a hit counts: its alias's language against the article's (None: unknown yet)."""
        if hit.pattern < 0:
            return True
        langs = self.ruleset.patterns[hit.pattern].languages
        if langs is None:
            return True
        if self._language is _UNRESOLVED:
            return None
        return self._language is not None and language_group(str(self._language)) in langs

    def _truth(self, fields: tuple[Field, ...]) -> Truth:
        cache = self._truths

        def truth(term: str) -> bool | None:
            key = (term, fields)
            if key in cache:
                return cache[key]
            cache[key] = value = find(term)
            return value

        def find(term: str) -> bool | None:
            pending = False
            for h in self._atom_hits(term):
                if h.field in fields:
                    counts = self._counts(h)
                    if counts:
                        return True
                    pending = pending or counts is None
            return None if pending else False

        return truth

    def _verdict(self, rule: Rule, *, explain: bool = True) -> str | None:
        """None when the rule matches, else why not (just "no" unless `explain`)."""
        if rule.sources is not None and self.source_id not in (None, *rule.sources):
            return f"source {self.source_id} is not one of {sorted(rule.sources)}"
        top = self.ruleset.tops[rule.id]
        value = _kleene(top, self._truth(rule.fields))
        if value is None:
            self._resolve()
            value = _kleene(top, self._truth(rule.fields))
        if not value:
            return self._why_not(top, self._truth(rule.fields)) if explain else "no"
        if rule.near is not None and rule.all.items and not self._near_ok(rule):
            where = "one sentence" if rule.near == "sentence" else f"{rule.near} words"
            return f"`all` items hit, but not within {where}"
        if rule.languages is not None:
            lang = self._group_of_language()
            if lang not in rule.languages:
                return f"language {lang or 'unknown'} is not one of {sorted(rule.languages)}"
        return None

    def _why_not(self, group: Group, truth: Truth) -> str:
        for item in group.items:
            value = _kleene(item, truth) if isinstance(item, Group) else truth(item)
            if group.kind == "all" and not value:
                inner = self._why_not(item, truth) if isinstance(item, Group) else ""
                return inner or f"`all`: {_describe(item)} did not hit"
            if group.kind == "none" and value:
                return f"`none`: vetoed by {_describe(item)}"
        if group.kind == "any":
            return f"`any`: none of {', '.join(_describe(i) for i in group.items)} hit"
        return ""

    def _near_ok(self, rule: Rule) -> bool:
        places: dict[tuple[Field, int], set[str]] = {}
        terms = _terms(rule.all)
        for term in terms:
            for h in self._atom_hits(term):
                if h.field in rule.fields and self._counts(h) is None:
                    self._resolve()
                if h.field in rule.fields and self._counts(h):
                    for place in self._places(h, rule.near):
                        places.setdefault(place, set()).add(term)
        return any(_kleene(rule.all, lambda t, s=found: t in s) for found in places.values())  # type: ignore[misc]

    def _places(self, hit: Hit, near: int | str | None) -> list[tuple[Field, int]]:
        if near == "sentence":
            return [(hit.field, self._sentence_of(hit)[0])]
        assert isinstance(near, int)
        words = self._words(hit.field)
        pos = max(0, bisect.bisect_right(words, hit.start) - 1)
        # a window of `near` words starting at any word covers this hit
        return [(hit.field, w) for w in range(max(0, pos - near), pos + 1)]

    def _words(self, name: Field) -> tuple[int, ...]:
        key = ("words", name)
        if key not in self._cache:
            self._cache[key] = word_starts(self.folded[name].text)
        return self._cache[key]

    def _sentence_of(self, hit: Hit) -> tuple[int, int, int]:
        """(sentence index, original start, original end) of a hit."""
        folded = self.folded[hit.field]
        if hit.field not in self._sentences:
            self._sentences[hit.field] = sentence_bounds(folded.original)
        a, b = folded.to_original(hit.start, hit.end)
        return sentence_index(self._sentences[hit.field], a), a, b

    # --- output --------------------------------------------------------------------------------

    def _counted_hits(self, atoms: set[int] | None = None) -> list[Hit]:
        out: list[Hit] = []
        for atom, hits in self.hits.items():
            if atoms is None or atom in atoms:
                out.extend(h for h in hits if self._counts(h))
        return sorted(out, key=lambda h: (FIELDS.index(h.field), h.start))

    def key_lines(self, limit: int = 3) -> tuple[KeyLine, ...]:
        """Sentences holding hits of the matched rules, in article order, hits as spans.

        Summary and content sentences come first; the title only when nothing else hit.
        """
        rules = {r.id: i for i, r in enumerate(self.ruleset.rules)}
        atoms = {a for rid in self.matched for a in self.ruleset.rule_atoms[rules[rid]]}
        if not atoms:
            return ()
        hits = self._counted_hits(atoms)
        body = [h for h in hits if h.field != "title"]
        lines: dict[tuple[Field, int], list[tuple[int, int]]] = {}
        for h in body or hits:
            index, a, b = self._sentence_of(h)
            lines.setdefault((h.field, index), []).append((a, b))
        out: list[KeyLine] = []
        seen: set[str] = set()
        for (name, index), spans in lines.items():
            line = self._key_line(name, index, spans)
            if line.text and line.text not in seen:
                seen.add(line.text)
                out.append(line)
            if len(out) == limit:
                break
        return tuple(out)

    def _key_line(self, name: Field, index: int, spans: list[tuple[int, int]]) -> KeyLine:
        original = self.folded[name].original
        starts = self._sentences[name]
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(original)
        raw = original[start:end]
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        merged: list[tuple[int, int]] = []
        for a, b in sorted((a - start - lead, b - start - lead) for a, b in spans):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((max(0, a), min(b, len(text))))
        return KeyLine(text=text, spans=tuple(merged))

    def explain(self) -> str:
        """Language, every hit (alias -> entity, field, sentence) and every rule's verdict."""
        lang = self._resolve()
        out = [f"language: {lang or 'unknown'}"]
        best: dict[tuple[Field, int, int], Hit] = {}  # one line per place: the longest that counts
        for hits in self.hits.values():
            for h in hits:
                key = (h.field, h.start, h.atom)
                old = best.get(key)
                rank = (bool(self._counts(h)), h.end - h.start)
                if old is None or rank > (bool(self._counts(old)), old.end - old.start):
                    best[key] = h
        all_hits = sorted(best.values(), key=lambda h: (FIELDS.index(h.field), h.start, h.atom))
        out.append(f"hits: {len(all_hits)}" if all_hits else "hits: none")
        out.extend(f"  {self._describe_hit(h)}" for h in all_hits)
        out.append("rules:")
        for rule in self.ruleset.rules:
            why = self._verdict(rule)
            out.append(f"  {rule.id}: {'MATCH' if why is None else 'no: ' + why}")
        for atom in sorted(self.regex_timeouts):
            out.append(f"note: {self.ruleset.atoms[atom].text} timed out (counted as no hit)")
        return "\n".join(out)

    def _describe_hit(self, h: Hit) -> str:
        folded = self.folded[h.field]
        _, a, b = self._sentence_of(h)
        index = self._sentence_of(h)[0]
        starts = self._sentences[h.field]
        end = starts[index + 1] if index + 1 < len(starts) else len(folded.original)
        sentence = folded.original[starts[index] : end].strip()
        atom = self.ruleset.atoms[h.atom].text
        if h.pattern < 0:
            via = "regex"
        else:
            p = self.ruleset.patterns[h.pattern]
            via = p.source + (" (a name that excludes)" if p.exclude else "")
            if p.languages is not None:
                lang = self.language and language_group(self.language)
                via += f" [{lang}]" if lang in p.languages else f" [{_langs(p.languages)}]"
        note = "" if self._counts(h) else " (not counted: alias of another language)"
        return f"{h.field}: {folded.original[a:b]!r} -> {atom} via {via}{note} in {sentence!r}"


def _langs(languages: frozenset[str]) -> str:
    shown = sorted(languages)
    return ", ".join(shown[:4]) + (f", +{len(shown) - 4}" if len(shown) > 4 else "")


def _terms(group: Group) -> list[str]:
    out: list[str] = []
    for item in group.items:
        out.extend(_terms(item) if isinstance(item, Group) else [item])
    return out


def _describe(item: str | Group) -> str:
    if isinstance(item, Group):
        return f"{item.kind}[{', '.join(_describe(i) for i in item.items)}]"
    return f'"{item}"'
