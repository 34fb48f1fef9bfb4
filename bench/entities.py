"""Recall and precision of `@north-korea` and `@russia` per language on NTREX-128.

The labels (`ntrex-entity-silver-labels.derived.tsv`) come from the English side of each line and
are approximate: a translator may drop a name ("Pyongyang" -> "it") or add one. Run with `--show`
to print every miss and false alarm for inspection.

    .venv/bin/python bench/entities.py [--show]
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analyze.engine import Document, RuleSet  # noqa: E402
from bot.analyze.rules import Group, Rule, parse_rules_text  # noqa: E402
from bot.model import RuleId  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpora" / "ntrex-128"
LANGUAGES = {
    "eng": "en", "ind": "id", "msa": "ms", "kor": "ko", "rus": "ru", "ukr": "uk", "jpn": "ja",
    "zho-CN": "zh-CN", "zho-TW": "zh-TW", "arb": "ar", "fra": "fr", "deu": "de", "spa": "es",
    "por": "pt", "vie": "vi", "tha": "th", "tur": "tr", "hin": "hi",
}  # fmt: skip
TARGETS = {"north-korea": "en_north_korea", "russia": "en_russia"}


def main() -> int:
    show = "--show" in sys.argv
    labels_path = CORPUS / "ntrex-entity-silver-labels.derived.tsv"
    if not labels_path.exists():
        print(f"corpus not found at {CORPUS}; nothing to measure")
        return 0
    t0 = time.perf_counter()
    _, entities = parse_rules_text((ROOT / "rules" / "entities.yaml").read_text("utf-8"))
    rules = [Rule(id=RuleId(e), name=e, all=Group("all", (f"@{e}",))) for e in TARGETS]
    ruleset = RuleSet.compile(rules, entities)
    with labels_path.open(encoding="utf-8") as f:
        labels = list(csv.DictReader(f, delimiter="\t"))
    print(f"built in {time.perf_counter() - t0:.1f} s; {len(labels)} labelled lines")
    print(f"{'lang':7} {'entity':12} {'recall':>7} {'precision':>9}  tp  fn  fp")
    worst = 1.0
    for code, lang in LANGUAGES.items():
        name = "src.eng" if code == "eng" else f"ref.{code}"
        lines = (CORPUS / f"newstest2019-{name}.txt").read_text("utf-8").splitlines()
        matched = [set(ruleset.match(Document(title=t), language=lang).matched) for t in lines]
        for entity, column in TARGETS.items():
            tp = fn = fp = 0
            for row in labels:
                i = int(row["line_no"]) - 1
                truth, got = row[column] == "1", entity in matched[i]
                tp, fn, fp = (
                    tp + (truth and got),
                    fn + (truth and not got),
                    fp + (got and not truth),
                )
                if show and truth != got:
                    print(
                        f"  {'MISS' if truth else 'FALSE'} {lang} {entity} {i + 1}: {lines[i][:90]}"
                    )
            recall = tp / (tp + fn) if tp + fn else 1.0
            precision = tp / (tp + fp) if tp + fp else 1.0
            worst = min(worst, recall, precision)
            print(f"{lang:7} {entity:12} {recall:7.3f} {precision:9.3f} {tp:3} {fn:3} {fp:3}")
    print(f"worst figure: {worst:.3f}; total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
