"""Cross-lingual agreement of every shipped entity on NTREX-128: each language against English.

Line i of every NTREX-128 file is the same sentence, so an entity named in a translation should,
most of the time, be named in the English line too, and the other way round. Each line is matched
(its language given) with one rule per entity of `rules/entities.yaml`; per language this prints
the lines, the entity hits, the share of them the English line agrees with, the share of the
English hits found, and the most frequent disagreeing (entity, alias) pairs with an example line
each: `+` an entity only the translation names (the alias that named it), `-` one only the English
names (the English alias). A disagreement is either a translation difference (a translator adds
or drops a name, writes "Washington" for the US government, a demonym for a country) or an alias
that names something else (a country's name inside another word or name): read the lines to
tell which. Each line is matched as a title, so `title_only` aliases are tried too. Prints
figures; asserts nothing.

    .venv/bin/python bench/agreement.py [--top N] [--lang zh,zh-TW] [--show]

`--show` prints every disagreeing line of the languages chosen, for review.
"""

from __future__ import annotations

import collections
import sys
import time
from dataclasses import dataclass, field

import ntrex
from ntrex import CORPUS, FILES

from bot.analyze.engine import Document, RuleSet

# What one line names: entity -> the alias that named it (its longest hit), as the automaton
# holds it: folded (lower case, no accents, simplified Chinese), `*` when any ending may follow.
Named = dict[str, str]


@dataclass
class Tally:
    """One language against English."""

    lines: int = 0
    hits: int = 0  # (line, entity) pairs the language names
    agreed: int = 0  # of those, named in the English line too
    english: int = 0  # (line, entity) pairs the English names
    # (sign, entity, alias) -> line numbers (1-based): "+" only this language, "-" only English
    pairs: dict[tuple[str, str, str], list[int]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )


def named(ruleset: RuleSet, text: str, language: str) -> Named:
    """The entities `text` names, read in `language`, each with the alias of its longest hit."""
    report = ruleset.match(Document(title=text), language=language)
    matched = {str(e) for e in report.matched}
    out: Named = {}
    for atom, hits in report.hits.items():
        entity = ruleset.atoms[atom].text[1:]
        if entity in matched:
            longest = max(hits, key=lambda h: (h.end - h.start, -h.start))
            p = ruleset.patterns[longest.pattern]
            out[entity] = p.key + ("*" if p.star else "")
    return out


def compare(mine: list[Named], english: list[Named]) -> Tally:
    tally = Tally(lines=len(mine))
    for number, (here, there) in enumerate(zip(mine, english, strict=True), start=1):
        tally.hits += len(here)
        tally.english += len(there)
        tally.agreed += len(here.keys() & there.keys())
        for sign, side, other in (("+", here, there), ("-", there, here)):
            for entity in side.keys() - other.keys():
                tally.pairs[sign, entity, side[entity]].append(number)
    return tally


def share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "  -  "


def main() -> int:
    args = sys.argv[1:]
    top = int(args[args.index("--top") + 1]) if "--top" in args else 8
    chosen = args[args.index("--lang") + 1].split(",") if "--lang" in args else list(FILES)
    show = "--show" in args
    if not ntrex.available():
        print(f"corpus not found at {CORPUS}; nothing to measure")
        return 0
    t0 = time.perf_counter()
    ruleset = ntrex.every_entity()
    texts = {lang: ntrex.lines(lang) for lang in FILES}
    english = [named(ruleset, line, "en") for line in texts["en"]]
    took = time.perf_counter() - t0
    print(f"{len(ruleset.rules)} entities, {len(english)} lines; built in {took:.1f} s")
    print(f"en: {sum(map(len, english))} entity hits (the reference)\n")
    print(f"{'lang':6} {'lines':>5} {'hits':>5} {'agreed':>6} {'found':>6}")
    tallies: dict[str, Tally] = {}
    for lang in (lg for lg in FILES if lg != "en" and lg in chosen):
        mine = [named(ruleset, line, lang) for line in texts[lang]]
        tally = tallies[lang] = compare(mine, english)
        found = share(tally.agreed, tally.english)
        print(
            f"{lang:6} {tally.lines:5} {tally.hits:5} {share(tally.agreed, tally.hits):>6} "
            f"{found:>6}"
        )
    hits, agreed = sum(t.hits for t in tallies.values()), sum(t.agreed for t in tallies.values())
    english_hits = sum(t.english for t in tallies.values())
    print(f"{'all':6} {'':5} {hits:5} {share(agreed, hits):>6} {share(agreed, english_hits):>6}")
    for lang, tally in tallies.items():
        print(f"\n{lang}: most frequent disagreements (+ only {lang} names it, - only English)")
        ranked = sorted(tally.pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        for (sign, entity, alias), numbers in ranked[:top]:
            i = numbers[0] - 1
            example = texts[lang][i] if sign == "+" else texts["en"][i]
            print(f"  {sign}{entity} via {alias!r} x{len(numbers)}  line {i + 1}: {example[:110]}")
        if show:
            print(f"  every disagreeing line of {lang}:")
            for (sign, entity, alias), numbers in sorted(tally.pairs.items()):
                for n in numbers:
                    print(f"    {sign}{entity} via {alias!r} line {n}")
                    print(f"      {lang}: {texts[lang][n - 1][:160]}")
                    print(f"      en: {texts['en'][n - 1][:160]}")
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
