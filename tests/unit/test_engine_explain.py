"""Golden explanations: what `warta match` and `/test` print, for a dozen multilingual cases.

The expected outputs live in tests/data/explain/NAME.txt. After a deliberate change, rewrite them
with `WARTA_UPDATE_GOLDEN=1 pytest tests/unit/test_engine_explain.py` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.analyze.engine import Document, RuleSet
from bot.analyze.rules import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "explain"

# name: (title, content, language, source)
CASES: dict[str, tuple[str, str, str, str | None]] = {
    "id-nk-russia": (
        "Korea Utara kirim pasukan ke Rusia",
        "Pyongyang mengirim pasukan ke Rusia-nya. Anak itu berusia lima tahun.",
        "id",
        "wire",
    ),
    "ko-particles": ("북한은 러시아와 병력 파견 합의", "", "ko", None),
    "ru-inflection": (
        "КНДР направила войска в Россию",
        "Москва подтвердила. Северной Кореей довольны.",
        "ru",
        None,
    ),
    "ja-substring": ("北朝鮮がロシアに部隊を派遣", "平壌は沈黙した。", "ja", None),
    "zh-ohio-is-not-russia": ("俄亥俄州选举结果", "美国制裁仍在继续。", "zh", None),
    "en-us-guard": ("Join us as we look back", "US sanctions on Russia widen.", "en", "wire"),
    "th-spaces": ("เกาหลีเหนือส่งทหาร ไปรัสเซีย", "", "th", None),
    "ar-attached-prefix": ("قوات كوريا الشمالية وروسيا", "", "ar", None),
    "vi-exact-nga": ("Tai nạn ở ngã ba", "Quân đội Triều Tiên tới Nga.", "vi", None),
    "de-none-veto": ("Nordkorea und Russland: Truppen beim Fußball", "", "de", None),
    "hi-near-fails": ("उत्तर कोरिया ने सैनिक भेजे।", "रूस ने चुप्पी साधी।", "hi", None),
    "fr-language-filter": (
        "La Russie et Pyongyang",
        "Des militaires nord-coréens en Russie.",
        "fr",
        "local",
    ),
}


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    """Shipped entities plus the golden rules, compiled once."""
    return load_ruleset([ROOT / "rules" / "entities.yaml", DATA / "rules.yaml"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_explanation_matches_golden_file(ruleset: RuleSet, name: str) -> None:
    """The explanation names the language, each hit with its alias and sentence, each verdict."""
    title, content, language, source = CASES[name]
    report = ruleset.match(
        Document(title=title, content=content),
        source_id=source,
        language=language,
        every_hit=True,
    )
    text = report.explain() + "\n"
    path = DATA / f"{name}.txt"
    if os.environ.get("WARTA_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
