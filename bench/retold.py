"""Cross-language story merging (`bot.analyze.crosslang`) on real news: NTREX-128's stories.

Two outlets telling one story, approximated from one story: outlet A has the story's headline as
its title (its text: the first three sentences), outlet B its lead sentence as title (its text:
sentences two to four); a story of fewer than five lines is left out. Both are read in one
language, the human translations standing in for the translation a chat gets. For each of the
18 reading languages it counts

- same story (A and B of one story): pairs that pass the entity gate (two shared entities of
  the shipped set) and how many of those the rule merges;
- different stories (A of one, B of another): pairs that pass the entity gate and how many the
  rule merges, listed by their English headlines: NTREX holds several reports of some events (a
  rally, a referendum, a speech), so a merge across two of its stories may be right; the others
  are false merges, which would fold one story's headline into another's alert.

Then the pairs that must NOT merge beside those that must, for both rules that fold two articles
into one alert: across languages (`same_story`) and within one (`bot.stories`: near-duplicate
titles). Must not merge: the different NTREX stories past the entity gate (less the reports of one
event, labelled by hand in `ONE_EVENT`), and template-made headlines: a story's headline against
itself with one or two words put in from another story's headline, or a number changed (the
seen case: reports alike but for who, what, where and the report's number). Must merge, within
one language: a headline against itself with an outlet's name, a kicker or other punctuation.
Printed: pairs, merged, precision and recall of merging.

Needs `../shared/corpora/ntrex-128` (skips cleanly without it). Prints figures; asserts nothing.

    .venv/bin/python bench/retold.py
"""

from __future__ import annotations

import collections
import csv
import time

import ntrex
import regex
from ntrex import CORPUS, FILES

from bot.analyze.crosslang import Headline, headline_terms, same_story
from bot.analyze.dedup import title_simhash
from bot.analyze.engine import Document, RuleSet
from bot.analyze.text import fold_str
from bot.stories import Telling, same_telling

# NTREX documents that report one event (the same rally, referendum or speech), by the line of
# their headline: a merge between two of them is not a wrong one, so they are counted apart
ONE_EVENT = ({17, 488}, {383, 543, 691}, {628, 745}, {1461, 1950})
_WORD = regex.compile(r"[\p{L}\p{M}]{4,}")
_NUMBER = regex.compile(r"\d+")


def stories() -> list[tuple[int, str]]:
    """(the line number, 1-based, of each story's headline; the English headline)."""
    with (CORPUS / "ntrex-headlines.derived.tsv").open(encoding="utf-8") as f:
        return [(int(r["line_no"]), r["eng"]) for r in csv.DictReader(f, delimiter="\t")]


RULES = frozenset({"r"})


def headline(
    ruleset: RuleSet, label: str, title: str, entities: frozenset[str], code: str
) -> Headline:
    return Headline(label, RULES, entities, headline_terms(ruleset, title, code))


def telling(ruleset: RuleSet, title: str, entities: frozenset[str], code: str) -> Telling:
    """A headline as `bot.stories` compares it within one language."""
    return Telling(title_simhash(title), headline(ruleset, code, title, entities, code))


def swapped(title: str, words: list[str], n: int) -> str | None:
    """`title` with its first `n` words of four letters or more (last ones first) replaced by
    `words` (another headline's), or None when it has too few; for scripts without spaces, a
    run of two characters stands for a word."""
    spans = [m.span() for m in _WORD.finditer(title)]
    if len(spans) < n + 2 or len(words) < n:
        return None
    out = title
    for (start, end), word in zip(reversed(spans[-n:]), words, strict=False):
        if fold_str(out[start:end]) == fold_str(word):
            return None
        out = out[:start] + word + out[end:]
    return out


def renumbered(title: str) -> tuple[str, str]:
    """Two reports alike but for a number: its first number and that plus one, or a report
    number appended where the headline has none."""
    if (m := _NUMBER.search(title)) is not None:
        other = str(int(m.group()) + 1)
        return title, title[: m.start()] + other + title[m.end() :]
    return f"{title} (12)", f"{title} (13)"


RETOLD = ("{} - Wire", "UPDATE: {}", "«{}»", "{}!")  # an outlet's suffix, a kicker, quotes


def main() -> int:
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        return 0
    t0 = time.perf_counter()
    ruleset, told = ntrex.every_entity(), stories()
    starts = [line for line, _ in told]
    english = {i: headline for i, (_, headline) in enumerate(told)}
    one_event = {(i, j) for g in ONE_EVENT for i in range(len(starts)) for j in range(len(starts))
                 if i != j and starts[i] in g and starts[j] in g}  # fmt: skip
    merged_apart: collections.Counter[tuple[int, int]] = collections.Counter()
    # rule -> set -> [pairs, merged]
    counts: dict[str, dict[str, list[int]]] = collections.defaultdict(
        lambda: collections.defaultdict(lambda: [0, 0])
    )
    print("reading  same story: gated merged   different NTREX stories: gated merged")
    totals = [0, 0, 0, 0]
    for code in FILES:
        lines = ntrex.lines(code)
        outlets: list[tuple[int, Headline, Headline, str, frozenset[str]]] = []
        for index, start in enumerate(starts):
            end = starts[index + 1] - 1 if index + 1 < len(starts) else len(lines)
            text = lines[start - 1 : min(start + 4, end)]  # headline, then its first sentences
            if len(text) < 5:  # a story of fewer lines (never the next story's headline)
                continue
            a_title, a_body = text[0], " ".join(text[1:4])
            b_title, b_body = text[1], " ".join(text[2:5])
            sides = []
            for label, title, body in (("a", a_title, a_body), ("b", b_title, b_body)):
                entities = ruleset.match(Document(title=title, content=body), language=code)
                sides.append(headline(ruleset, label, title, frozenset(entities.matched), code))
            outlets.append((index, sides[0], sides[1], a_title, sides[0].entities))
        same = [0, 0]
        other = [0, 0]
        for i, a, _, _, _ in outlets:
            for j, _, b, _, _ in outlets:
                gated = len(a.entities & b.entities) >= 2
                if not gated:
                    continue
                merged = same_story(a, b)
                kind = (
                    "must: headline and lead" if i == j
                    else "one event, two reports" if (i, j) in one_event
                    else "must not: another NTREX story"
                )  # fmt: skip
                tally = same if i == j else other
                tally[0] += 1
                tally[1] += merged
                counts["across languages"][kind][0] += 1
                counts["across languages"][kind][1] += merged
                if merged and i != j:
                    merged_apart[i, j] += 1
        print(f"{code:<8} {same[0]:>17} {same[1]:>6} {other[0]:>27} {other[1]:>6}")
        for k, v in enumerate((*same, *other)):
            totals[k] += v
        templates(ruleset, code, outlets, counts)
    print(f"{'all':<8} {totals[0]:>17} {totals[1]:>6} {totals[2]:>27} {totals[3]:>6}")
    recall = totals[1] / totals[0] if totals[0] else 0.0
    print(
        f"same-story pairs merged: {recall:.0%} of those past the entity gate; "
        f"different-story pairs merged: {totals[3]} of {totals[2]} past the gate"
    )
    print("pairs of different NTREX stories merged (in how many reading languages), to judge:")
    for (i, j), n in merged_apart.most_common():
        mark = "one event" if (i, j) in one_event else "DIFFERENT"
        print(f"  {n:>2} {mark:<9}  {english[i][:52]}  ||  {english[j][:52]}")
    summary(counts)
    print(f"{time.perf_counter() - t0:.1f} s")
    return 0


def templates(
    ruleset: RuleSet,
    code: str,
    outlets: list[tuple[int, Headline, Headline, str, frozenset[str]]],
    counts: dict[str, dict[str, list[int]]],
) -> None:
    """The template-made pairs of one reading language, for both rules."""
    for k, (_, _, _, title, entities) in enumerate(outlets):
        donor = outlets[(k + 1) % len(outlets)][3]
        words = [m.group() for m in _WORD.finditer(donor)]
        pairs: list[tuple[str, str, str]] = [
            ("must not: a number", *renumbered(title)),
        ]
        for n in (1, 2):
            if (variant := swapped(title, words, n)) is not None:
                pairs.append((f"must not: {n} word{'s' * (n > 1)}", title, variant))
        for form in RETOLD:
            pairs.append(("must: retold in one language", title, form.format(title)))
        for kind, first, second in pairs:
            a = telling(ruleset, first, entities, code)
            b = telling(ruleset, second, entities, code)
            merged = same_telling(a, b)
            counts["within a language"][kind][0] += 1
            counts["within a language"][kind][1] += merged
            if kind.startswith("must not") and len(entities) >= 2:
                x = headline(ruleset, "a", first, entities, code)
                y = headline(ruleset, "b", second, entities, code)
                counts["across languages"][kind][0] += 1
                counts["across languages"][kind][1] += same_story(x, y)


def summary(counts: dict[str, dict[str, list[int]]]) -> None:
    """Per rule: each set's pairs and merges; precision and recall of merging."""
    print("rule               set                              pairs  merged")
    for rule, sets in counts.items():
        good = bad = wanted = 0
        for kind, (pairs, merged) in sorted(sets.items()):
            print(f"{rule:<18} {kind:<32} {pairs:>6} {merged:>7}")
            if kind.startswith("must not"):
                bad += merged
            elif kind.startswith("must"):
                good, wanted = good + merged, wanted + pairs
        precision = good / (good + bad) if good + bad else 1.0
        recall = good / wanted if wanted else 0.0
        print(f"{rule:<18} precision {precision:.3f}  recall {recall:.3f}  "
              f"({bad} different-event pairs merged)")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
