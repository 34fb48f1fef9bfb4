"""NTREX-128 as the benchmarks read it: the corpus folder, each language's file, and the
shipped entities as rules (a text's matches are the entities it names).

Line i of every file is the same sentence. The corpus is read from `../shared`, never copied.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analyze.engine import RuleSet  # noqa: E402
from bot.analyze.rules import parse_rules_text  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpora" / "ntrex-128"
FILES = {
    "en": "src.eng", "id": "ref.ind", "ms": "ref.msa", "ko": "ref.kor", "ru": "ref.rus",
    "uk": "ref.ukr", "ja": "ref.jpn", "zh": "ref.zho-CN", "zh-TW": "ref.zho-TW", "ar": "ref.arb",
    "fr": "ref.fra", "de": "ref.deu", "es": "ref.spa", "pt": "ref.por", "vi": "ref.vie",
    "th": "ref.tha", "tr": "ref.tur", "hi": "ref.hin",
}  # fmt: skip


def path(language: str) -> Path:
    """The file of `language` (a key of FILES)."""
    return CORPUS / f"newstest2019-{FILES[language]}.txt"


def available() -> bool:
    return all(path(lang).exists() for lang in FILES)


def lines(language: str) -> list[str]:
    return path(language).read_text("utf-8").splitlines()


def every_entity(only: list[str] | None = None) -> RuleSet:
    """The shipped entities (or the ones named in `only`), each a rule of its own id."""
    _, entities = parse_rules_text((ROOT / "rules" / "entities.yaml").read_text("utf-8"))
    return RuleSet.naming(entities, only)
