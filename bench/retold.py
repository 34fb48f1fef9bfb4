"""Cross-language story merging (`bot.analyze.crosslang`) on real news: NTREX-128's 123 stories.

Two outlets telling one story, approximated from one story: outlet A has the story's headline as
its title (its text: the first three sentences), outlet B its lead sentence as title (its text:
sentences two to four). Both are read in one language, the human translations standing in for
the translation a chat gets. For each of the 18 reading languages it counts

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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analyze.crosslang import Headline, headline_terms, same_story  # noqa: E402
from bot.analyze.engine import Document, RuleSet  # noqa: E402
from bot.analyze.rules import Group, Rule, parse_rules_text  # noqa: E402
from bot.model import RuleId  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpora" / "ntrex-128"
LANGUAGES = {
    "eng": ("en", "src.eng"), "ind": ("id", "ref.ind"), "msa": ("ms", "ref.msa"),
    "kor": ("ko", "ref.kor"), "rus": ("ru", "ref.rus"), "ukr": ("uk", "ref.ukr"),
    "jpn": ("ja", "ref.jpn"), "zho-CN": ("zh", "ref.zho-CN"), "zho-TW": ("zh-TW", "ref.zho-TW"),
    "arb": ("ar", "ref.arb"), "fra": ("fr", "ref.fra"), "deu": ("de", "ref.deu"),
    "spa": ("es", "ref.spa"), "por": ("pt", "ref.por"), "vie": ("vi", "ref.vie"),
    "tha": ("th", "ref.tha"), "hin": ("hi", "ref.hin"), "tur": ("tr", "ref.tur"),
}  # fmt: skip


def every_entity() -> RuleSet:
    """The shipped entities, each a rule: an article's matches are the entities it names."""
    _, found = parse_rules_text((ROOT / "rules" / "entities.yaml").read_text("utf-8"))
    rules = [Rule(id=RuleId(e), name=e, all=Group("all", (f"@{e}",))) for e in found]
    return RuleSet.compile(rules, found)


def stories() -> list[tuple[int, str]]:
    """(the line number, 1-based, of each story's headline; the English headline)."""
    with (CORPUS / "ntrex-headlines.derived.tsv").open(encoding="utf-8") as f:
        return [(int(r["line_no"]), r["eng"]) for r in csv.DictReader(f, delimiter="\t")]


def main() -> int:
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        return 0
    t0 = time.perf_counter()
    ruleset, starts = every_entity(), [line for line, _ in stories()]
    english = {i: headline for i, (_, headline) in enumerate(stories())}
    merged_apart: collections.Counter[tuple[int, int]] = collections.Counter()
    rules = frozenset({"r"})
    print("reading  same story: gated merged   different NTREX stories: gated merged")
    totals = [0, 0, 0, 0]
    for name, (code, file) in LANGUAGES.items():
        lines = (CORPUS / f"newstest2019-{file}.txt").read_text("utf-8").splitlines()
        outlets: list[tuple[int, Headline, Headline]] = []
        for index, start in enumerate(starts):
            text = lines[start - 1 : start + 4]  # headline, then the first sentences
            if len(text) < 5:
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
        print(f"{name:<8} {same[0]:>17} {same[1]:>6} {other[0]:>27} {other[1]:>6}")
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
