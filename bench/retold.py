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

Needs `../shared/corpora/ntrex-128` (skips cleanly without it). Prints figures; asserts nothing.

    .venv/bin/python bench/retold.py
"""

from __future__ import annotations

import collections
import csv
import time

import ntrex
from ntrex import CORPUS, FILES

from bot.analyze.crosslang import Headline, headline_terms, same_story
from bot.analyze.engine import Document


def stories() -> list[tuple[int, str]]:
    """(the line number, 1-based, of each story's headline; the English headline)."""
    with (CORPUS / "ntrex-headlines.derived.tsv").open(encoding="utf-8") as f:
        return [(int(r["line_no"]), r["eng"]) for r in csv.DictReader(f, delimiter="\t")]


def main() -> int:
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        return 0
    t0 = time.perf_counter()
    ruleset, told = ntrex.every_entity(), stories()
    starts = [line for line, _ in told]
    english = {i: headline for i, (_, headline) in enumerate(told)}
    merged_apart: collections.Counter[tuple[int, int]] = collections.Counter()
    rules = frozenset({"r"})
    print("reading  same story: gated merged   different NTREX stories: gated merged")
    totals = [0, 0, 0, 0]
    for code in FILES:
        lines = ntrex.lines(code)
        outlets: list[tuple[int, Headline, Headline]] = []
        for index, start in enumerate(starts):
            end = starts[index + 1] - 1 if index + 1 < len(starts) else len(lines)
            text = lines[start - 1 : min(start + 4, end)]  # headline, then its first sentences
            if len(text) < 5:  # a story of fewer lines (never the next story's headline)
                continue
            a_title, a_body = text[0], " ".join(text[1:4])
            b_title, b_body = text[1], " ".join(text[2:5])
            sides = []
            for language, title, body in (("a", a_title, a_body), ("b", b_title, b_body)):
                entities = ruleset.match(Document(title=title, content=body), language=code)
                sides.append(
                    Headline(
                        language,
                        rules,
                        frozenset(entities.matched),
                        headline_terms(ruleset, title, code),
                    )
                )
            outlets.append((index, sides[0], sides[1]))
        same = [0, 0]
        other = [0, 0]
        for i, a, _ in outlets:
            for j, _, b in outlets:
                gated = len(a.entities & b.entities) >= 2
                if not gated:
                    continue
                counts = same if i == j else other
                merged = same_story(a, b)
                counts[0] += 1
                counts[1] += merged
                if merged and i != j:
                    merged_apart[i, j] += 1
        print(f"{code:<8} {same[0]:>17} {same[1]:>6} {other[0]:>27} {other[1]:>6}")
        for k, v in enumerate((*same, *other)):
            totals[k] += v
    print(f"{'all':<8} {totals[0]:>17} {totals[1]:>6} {totals[2]:>27} {totals[3]:>6}")
    recall = totals[1] / totals[0] if totals[0] else 0.0
    print(
        f"same-story pairs merged: {recall:.0%} of those past the entity gate; "
        f"different-story pairs merged: {totals[3]} of {totals[2]} past the gate; "
        f"{time.perf_counter() - t0:.1f} s"
    )
    print("pairs of different NTREX stories merged (in how many reading languages), to judge:")
    for (i, j), n in merged_apart.most_common():
        print(f"  {n:>2}  {english[i][:58]}  ||  {english[j][:58]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
