"""What the automaton looks for and which of its hits count.

Each alias or keyword becomes one or more `Pattern`s (folded key, hyphen/space variants, star
handling, guards); `Automaton` finds every key in a text in one pass, and `accept` keeps the
hits that pass their boundary and guard checks.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final, NamedTuple

import daachorse
import regex

from bot.analyze.entities import ANY_LANGUAGE, Alias
from bot.analyze.text import (
    ARABIC_PREFIXES,
    Folded,
    continues_word,
    fold_str,
    is_word_char,
    script_class,
)
from bot.model import Field


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


class Hit(NamedTuple):
    """An atom found in a field; offsets are in the folded text. `pattern` -1: a `re:` hit.

    A named tuple rather than a dataclass: a thousand-rule set makes dozens per article."""

    atom: int
    field: Field
    start: int
    end: int
    pattern: int


# What every pattern of a key needs at a hit, so most raw hits are settled in one test.
START_WORD: Final = 1  # not inside a word of a spaced script (`Rusia` in `berusia`)
END_WORD: Final = 2  # not followed by more of the word (`Iran` in `Irani`)


class Automaton:
    """Every pattern key in one Aho-Corasick automaton (daachorse: a character-wise
    double-array automaton, in Rust; `bench/match.py` compares it with ahocorasick-rs).

    Per key: `pids`, its patterns; `gates`, the boundary checks they all share; `literal`, the
    exact text a lone case-sensitive pattern (`AS`, `RI`) wants written; `plain_pids` (and
    `plain_atoms`), its patterns when the gate, or the gate and the written text, are all they
    need (else empty): a hit kept as a bare (start, end, key) tuple stands for a hit of each,
    and `keys_of_atom` inverts that; `atom_if_plain`, the atom of a lone pattern that needs
    only the gate (else -1). Most raw hits are settled by these, without calling `accept`.
    """

    def __init__(self, patterns: Sequence[Pattern], chosen: Iterable[int] | None = None) -> None:
        """An automaton over `patterns` (or the ones numbered `chosen`): pattern ids stay
        those of `patterns`."""
        with _collector_paused():
            self._build(patterns, chosen)

    def _build(self, patterns: Sequence[Pattern], chosen: Iterable[int] | None) -> None:
        by_key: dict[str, list[int]] = {}
        for pid in range(len(patterns)) if chosen is None else chosen:
            by_key.setdefault(patterns[pid].key, []).append(pid)
        self.keys = list(by_key)
        self.pids = [tuple(by_key[k]) for k in self.keys]
        self.gates = [_gate([patterns[i] for i in pids]) for pids in self.pids]
        only = [pids[0] if len(pids) == 1 else -1 for pids in self.pids]
        gated = [all(_needs_nothing_more(patterns[i]) for i in pids) for pids in self.pids]
        self.literal = [
            patterns[pid].source if pid >= 0 and _only_exact(patterns[pid]) else None
            for pid in only
        ]
        self.plain_pids = [
            pids if ok or wanted is not None else ()
            for pids, ok, wanted in zip(self.pids, gated, self.literal, strict=True)
        ]
        self.plain_atoms = [tuple(patterns[i].atom for i in pids) for pids in self.plain_pids]
        self.keys_of_atom: dict[int, set[int]] = {}  # read only, like the lists
        for key, atoms in enumerate(self.plain_atoms):
            for atom in atoms:
                self.keys_of_atom.setdefault(atom, set()).add(key)
        self.atom_if_plain = [
            atoms[0] if ok and len(atoms) == 1 else -1
            for atoms, ok in zip(self.plain_atoms, gated, strict=True)
        ]
        self._ac = daachorse.CharwiseDoubleArrayAhoCorasick(self.keys) if self.keys else None

    def hits(self, name: Field, plain: Iterable[tuple[int, int, int]], atom: int = -1) -> list[Hit]:
        """The `Hit`s that plain (start, end, key) tuples found in field `name` stand for (only
        those of `atom`, when given)."""
        return [
            Hit(a, name, start, end, pid)
            for start, end, key in plain
            for a, pid in zip(self.plain_atoms[key], self.plain_pids[key], strict=True)
            if atom < 0 or a == atom
        ]

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, key index) of every occurrence, overlapping ones included."""
        if self._ac is None:
            return []
        return self._ac.find_overlapping(text)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Build without the cyclic garbage collector: the tens of thousands of tuples made here
    would set off full collections over every object the process holds (7x the build time
    in `bench/match.py`); they make no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _gate(patterns: list[Pattern]) -> int:
    gate = 0
    if all(p.start_kind == "word" for p in patterns):
        gate |= START_WORD
    if all(p.end_bounded and not p.star and p.verify is None for p in patterns):
        gate |= END_WORD
    return gate


def _needs_nothing_more(p: Pattern) -> bool:
    """Whether the gate's checks are all `accept` would do for this pattern."""
    plain = not (p.star or p.exact or p.title_only or p.exclude or p.verify is not None)
    return plain and p.start_kind in ("word", "anywhere")


def _only_exact(p: Pattern) -> bool:
    """Whether the gate and the written text are all `accept` would do for this pattern."""
    other = p.star or p.title_only or p.exclude or p.verify is not None
    return p.exact and not other and p.start_kind == "word" and p.end_bounded


def alias_patterns(atom: int, alias: Alias, *, exclude: bool = False) -> list[Pattern]:
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


def merge_patterns(patterns: list[Pattern]) -> list[Pattern]:
    """One pattern per key and guards, with the union of its languages (None wins).

    Case-sensitive patterns merge only when written alike: `Áo` and `ÁO` fold to one key, but
    each is a spelling the hit must have. Of the others, explanations show the plainest
    spelling (`Chile`, not another locale's `Chilè`)."""
    merged: dict[tuple[object, ...], Pattern] = {}
    for p in patterns:
        key = (p.key, p.star, p.verify, p.exact and p.source, p.title_only, p.exclude)
        old = merged.get(key)
        if old is None:
            merged[key] = p
            continue
        new = old
        if old.languages is not None:
            langs = None if p.languages is None else old.languages | p.languages
            new = replace(new, languages=langs)
        if _plainness(p.source) > _plainness(old.source):
            new = replace(new, source=p.source)
        merged[key] = new
    return list(merged.values())


def _plainness(source: str) -> tuple[bool, bool]:
    """How plainly an alias is written: as it folds (no accents, width or case to fold), ASCII."""
    return unicodedata.normalize("NFC", source).casefold() == fold_str(source), source.isascii()


def _variants(words: list[str]) -> list[str]:
    """`kim jong un` also as `kim jong-un`, `kim-jong-un`, ... (up to three joints)."""
    if len(words) == 1 or len(words) > 4:
        return [" ".join(words)]
    out = []
    for joints in itertools.product(" -", repeat=len(words) - 1):
        out.append(words[0] + "".join(j + w for j, w in zip(joints, words[1:], strict=True)))
    return out


def accept(p: Pattern, s: str, start: int, end: int, name: Field, folded: Folded) -> int | None:
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
    elif p.star:  # the word goes on in the script it is written in
        goes_on = continues_word if continues_word(s[end - 1]) else is_word_char
        while end < len(s) and goes_on(s[end]):
            end += 1
    elif p.end_bounded and end < len(s) and continues_word(s[end]):
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
    if kind == "hangul":
        return not is_word_char(s[start - 1])
    return not continues_word(s[start - 1])


def _exact(p: Pattern, folded: Folded, start: int, end: int) -> bool:
    a, b = folded.to_original(start, end)
    written = unicodedata.normalize("NFC", folded.original[a:b])
    wanted = p.source.rstrip("*")
    return written.startswith(wanted) if p.star else written == wanted
