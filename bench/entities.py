"""Recall and precision of `@north-korea` and `@russia` per language on NTREX-128.

The labels (`ntrex-entity-silver-labels.derived.tsv`) come from the English side of each line and
are approximate: a translator may drop a name ("Pyongyang" -> "it") or add one. Run with `--show`
to print every miss and false alarm for inspection. Every disagreement has been read by hand:
`bench/ntrex-review.tsv` says what each is, its claims are checked against the corpus on every
run, and a second table scores without the cells it shows to be mislabelled.

    .venv/bin/python bench/entities.py [--show]
"""

from __future__ import annotations

import csv
import re
import sys
import time

import ntrex
from ntrex import CORPUS, FILES, ROOT

from bot.analyze.engine import Document, RuleSet

REVIEW = ROOT / "bench" / "ntrex-review.tsv"
TARGETS = {"north-korea": "en_north_korea", "russia": "en_russia"}


def main() -> int:
    show = "--show" in sys.argv
    labels_path = CORPUS / "ntrex-entity-silver-labels.derived.tsv"
    if not labels_path.exists():
        print(f"corpus not found at {CORPUS}; nothing to measure")
        return 0
    t0 = time.perf_counter()
    ruleset = ntrex.every_entity(list(TARGETS))
    with labels_path.open(encoding="utf-8") as f:
        labels = list(csv.DictReader(f, delimiter="\t"))
    print(f"built in {time.perf_counter() - t0:.1f} s; {len(labels)} labelled lines")
    texts = {lang: ntrex.lines(lang) for lang in FILES}
    reviewed, problems = load_review(texts, ruleset)
    for problem in problems:
        print(f"review: {problem}")
    cells: dict[tuple[str, str], tuple[int, int, int, int, int, int]] = {}
    for lang, lines in texts.items():
        matched = [named(ruleset, t, lang) for t in lines]
        for entity, column in TARGETS.items():
            raw = [0, 0, 0]
            fixed = [0, 0, 0]
            for row in labels:
                i = int(row["line_no"]) - 1
                truth, got = row[column] == "1", entity in matched[i]
                kind = 0 if truth and got else 1 if truth else 2 if got else -1
                if kind < 0:
                    continue
                raw[kind] += 1
                if (i + 1, entity, lang) not in reviewed:
                    fixed[kind] += 1
                if show and truth != got:
                    print(
                        f"  {'MISS' if truth else 'FALSE'} {lang} {entity} {i + 1}: {lines[i][:90]}"
                    )
            cells[lang, entity] = (*raw, *fixed)  # type: ignore[assignment]
    worst = table("against the silver labels as they are", cells, 0)
    print(f"worst figure: {worst:.3f}")
    worst = table(f"without the {len(reviewed)} cells the review shows mislabelled", cells, 3)
    print(f"worst figure after review: {worst:.3f}; total {time.perf_counter() - t0:.1f} s")
    return 0


def table(title: str, cells: dict[tuple[str, str], tuple[int, ...]], at: int) -> float:
    print(f"\n{title}:")
    print(f"{'lang':7} {'entity':12} {'recall':>7} {'precision':>9}  tp  fn  fp")
    worst = 1.0
    for (lang, entity), counts in cells.items():
        tp, fn, fp = counts[at : at + 3]
        recall = tp / (tp + fn) if tp + fn else 1.0
        precision = tp / (tp + fp) if tp + fp else 1.0
        worst = min(worst, recall, precision)
        print(f"{lang:7} {entity:12} {recall:7.3f} {precision:9.3f} {tp:3} {fn:3} {fp:3}")
    return worst


NO_SPACES = re.compile(r"[\u0600-\u06ff]{20,}")  # several words, no space


def load_review(
    texts: dict[str, list[str]], ruleset: RuleSet
) -> tuple[set[tuple[int, str, str]], list[str]]:
    """The reviewed cells (line, entity, language), each claim checked against the corpus:
    a `named` name is in that language's line, the quoted English is in the English line, a
    `no-spaces` line has a run of 20 Arabic letters, a `dropped` name is not found in the
    line by the engine. A claim that fails is not used."""
    cells: set[tuple[int, str, str]] = set()
    problems: list[str] = []
    rows = [r for r in REVIEW.read_text("utf-8").splitlines() if r and not r.startswith("#")]
    for row in csv.DictReader(rows, delimiter="\t"):
        line, entity = int(row["line"]), row["entity"]
        if row["evidence"] not in texts["en"][line - 1]:
            problems.append(f"line {line}: the English does not say {row['evidence']!r}")
            continue
        for item in row["languages"].split(";"):
            lang, _, written = item.partition("=")
            text = texts[lang][line - 1]
            if row["finding"] == "named" and written not in text:
                problems.append(f"line {line} {lang}: {written!r} is not in the line")
            elif row["finding"] == "no-spaces" and not NO_SPACES.search(text):
                problems.append(f"line {line} {lang}: no run of words without spaces")
            elif row["finding"] == "dropped" and entity in named(ruleset, text, lang):
                problems.append(f"line {line} {lang}: the line names {entity}")
            else:
                cells.add((line, entity, lang))
    return cells, problems


def named(ruleset: RuleSet, text: str, language: str) -> set[str]:
    return set(ruleset.match(Document(title=text), language=language).matched)


if __name__ == "__main__":
    raise SystemExit(main())
