"""The outcome of matching one document: verdicts, key lines and explanations.

Verdicts are three-valued (`kleene`): an alias of a given language counts only once the
article's language is known, which is asked for (lazily, at most once) only when it matters.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.analyze.automaton import Automaton, Hit
from bot.analyze.entities import language_group
from bot.analyze.rules import Group, Rule
from bot.analyze.text import Folded, sentence_bounds, sentence_index, word_starts
from bot.model import FIELDS, Field, KeyLine, RuleId

if TYPE_CHECKING:
    from bot.analyze.engine import Document, LanguageArg, RuleSet

REGEX_TIMEOUT = 0.05  # seconds per `re:` search; a timeout counts as no hit and is explained


Truth = Callable[[str], bool | None]


def kleene(group: Group, truth: Truth) -> bool | None:
    """Three-valued `all`/`any`/`none`: None when the answer depends on unknown atoms."""
    unknown = False
    if group.kind == "all":
        for item in group.items:
            value = kleene(item, truth) if isinstance(item, Group) else truth(item)
            if value is False:
                return False
            unknown = unknown or value is None
        return None if unknown else True
    for item in group.items:
        value = kleene(item, truth) if isinstance(item, Group) else truth(item)
        if value:
            return group.kind == "any"
        unknown = unknown or value is None
    return None if unknown else group.kind == "none"


_UNRESOLVED = object()

# A field's scan: its name, the automaton used, its plain hits as the automaton's
# (start, end, key) tuples, and its other hits.
_Scan = tuple[Field, Automaton, list[tuple[int, int, int]], list[Hit]]


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
        self._scans: list[_Scan] = []
        self._hits: dict[int, list[Hit]] | None = None
        self._regex: dict[int, list[Hit]] = {}
        self.regex_timeouts: set[int] = set()
        self.matched: tuple[RuleId, ...] = ()
        self._sentences: dict[Field, tuple[int, ...]] = {}
        self._cache: dict[tuple[str, Field], tuple[int, ...]] = {}
        self._truths: dict[tuple[str, tuple[Field, ...]], bool | None] = {}

    def add_scan(
        self,
        name: Field,
        automaton: Automaton,
        plain: list[tuple[int, int, int]],
        hits: list[Hit],
    ) -> None:
        """A field's hits as the engine found them: `plain` as `automaton`'s (start, end, key)
        tuples, made into `Hit`s only if a verdict or an explanation asks for them."""
        self._scans.append((name, automaton, plain, hits))

    @property
    def hits(self) -> dict[int, list[Hit]]:
        """Every hit, by atom (of `re:` atoms, those a verdict has searched for)."""
        if self._hits is None:
            self._hits = {}
            for name, automaton, plain, hits in self._scans:
                for hit in (*automaton.hits(name, plain), *hits):
                    self._hits.setdefault(hit.atom, []).append(hit)
            self._hits.update(self._regex)
        return self._hits

    def _hits_of(self, atom: int) -> list[Hit]:
        """One atom's hits: a verdict asks for a few atoms, so only theirs become `Hit`s."""
        if self._hits is not None:
            return self._hits.get(atom, [])
        out: list[Hit] = []
        for name, automaton, plain, hits in self._scans:
            keys = automaton.keys_of_atom.get(atom)
            if keys:
                out += automaton.hits(name, [t for t in plain if t[2] in keys], atom)
            out += [h for h in hits if h.atom == atom]
        return out

    def entities(self) -> tuple[str, ...]:
        """The rule entities the document names (hits that count), as sorted ids."""
        atoms, found = self.ruleset.atoms, set()
        for atom, hits in self.hits.items():
            if atoms[atom].text.startswith("@"):
                if any(self._counts(h) is None for h in hits):
                    self._resolve()
                if any(self._counts(h) for h in hits):
                    found.add(atoms[atom].text[1:])
        return tuple(sorted(found))

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

    def evaluate(self, candidates: Sequence[int], hit: set[int]) -> None:
        """Settle the candidate rules; `hit` holds (at least) every atom hit."""
        rules, needs = self.ruleset.rules, self.ruleset.needs
        matched = []
        for i in candidates:
            for need in needs[i]:  # a plain loop: this runs for dozens of candidates per article
                if hit.isdisjoint(need):
                    break
            else:
                if self._verdict(rules[i], explain=False) is None:
                    matched.append(rules[i].id)
        self.matched = tuple(matched)

    def _atom_hits(self, term: str) -> list[Hit]:
        atom = self.ruleset.atom_id(term)
        if atom not in self.ruleset.regex_atoms:
            return self._hits_of(atom)
        if atom not in self._regex:
            self._regex[atom] = self._regex_hits(atom)
            if self._hits is not None:
                self._hits[atom] = self._regex[atom]
        return self._regex[atom]

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
        if rule.sources is not None and self.source_id not in rule.sources:
            # delivery always knows the source: a text from none reaches no such rule
            if self.source_id is None:
                return f"only for sources {sorted(rule.sources)}, and this text has no source"
            return f"source {self.source_id} is not one of {sorted(rule.sources)}"
        top = self.ruleset.tops[rule.id]
        value = kleene(top, self._truth(rule.fields))
        if value is None:
            self._resolve()
            value = kleene(top, self._truth(rule.fields))
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
            value = kleene(item, truth) if isinstance(item, Group) else truth(item)
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
        terms = group_terms(rule.all)
        for term in terms:
            for h in self._atom_hits(term):
                if h.field in rule.fields and self._counts(h) is None:
                    self._resolve()
                if h.field in rule.fields and self._counts(h):
                    for place in self._places(h, rule.near):
                        places.setdefault(place, set()).add(term)
        return any(kleene(rule.all, lambda t, s=found: t in s) for found in places.values())  # type: ignore[misc]

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
            label = f"/watch {rule.name}" if rule.id.startswith("watch:") else rule.id
            out.append(f"  {label}: {'MATCH' if why is None else 'no: ' + why}")
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


def group_terms(group: Group) -> list[str]:
    out: list[str] = []
    for item in group.items:
        out.extend(group_terms(item) if isinstance(item, Group) else [item])
    return out


def _describe(item: str | Group) -> str:
    if isinstance(item, Group):
        return f"{item.kind}[{', '.join(_describe(i) for i in item.items)}]"
    return f'"{item}"'
