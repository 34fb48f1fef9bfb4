"""Names of one country inside other words and names, in the shipped entities.

Each row is (language, text, entity, should_hit): the false hits that `exclude` entries, guards
and own aliases in `rules/entities.yaml` cancel, next to the true names that must still hit.
Most were found by `bench/agreement.py` (NTREX-128, each language against English); the Chinese
ones came in with traditional-to-simplified folding, which makes Taiwan's names (東加 Tonga,
馬利 Mali) hit simplified text too.
"""

from __future__ import annotations

import pytest

from bot.analyze.engine import RuleSet
from bot.analyze.entities import ANY_LANGUAGE
from bot.analyze.rules import parse_rules_text
from tests.unit.shipped_entities import ROOT, named, shipped_entities


@pytest.fixture(scope="module")
def entities() -> RuleSet:
    return shipped_entities()


CASES = [
    # Tonga: Taiwan's 東加 only as written in traditional characters, and not across 东 + 加
    ("zh", "广东加快发展", "tonga", False),
    ("zh", "中东加强合作", "tonga", False),
    ("zh-TW", "中東加強合作", "tonga", False),
    ("zh-TW", "廣東加快發展", "tonga", False),
    ("zh", "东加里曼丹省", "tonga", False),
    ("zh", "东加拉地区遭海啸袭击", "tonga", False),
    ("zh", "汤加国王", "tonga", True),
    ("zh-TW", "東加國王", "tonga", True),
    # Mali: inside Somalia, Maryland, Montgomery, Mario, Maliki, Mariupol, the Marianas
    ("zh", "索马里海盗", "mali", False),
    ("zh", "索马里海盗", "somalia", True),
    ("zh-TW", "索馬利亞海盜", "mali", False),
    ("zh-TW", "索馬利亞海盜", "somalia", True),
    ("zh", "马里兰州", "mali", False),
    ("zh", "蒙哥马利", "mali", False),
    ("zh-TW", "蒙哥馬利", "mali", False),
    ("zh", "超级马里奥", "mali", False),
    ("zh", "马利基政府", "mali", False),
    ("zh", "马里乌波尔", "mali", False),
    ("zh", "马利亚纳群岛", "mali", False),
    ("zh", "马里总统", "mali", True),
    ("zh-TW", "馬利總統", "mali", True),
    ("ja", "マリウポリ", "mali", False),
    ("ja", "マリ大統領", "mali", True),
    ("tr", "Mali yardım kesintileri", "mali", False),
    ("tr", "Mali'de darbe", "mali", True),
    ("ar", "دعم مالي للحملة", "mali", False),
    # other Chinese short names
    ("zh", "阿曼达", "oman", False),
    ("zh", "阿曼苏丹", "oman", True),
    ("zh", "古巴比伦", "cuba", False),
    ("zh", "古巴总统", "cuba", True),
    ("zh", "沿海地区", "haiti", False),
    ("zh", "地中海地区", "haiti", False),
    ("zh", "海地地震", "haiti", True),
    ("zh", "白俄罗斯总统", "russia", False),
    ("zh", "白俄罗斯总统", "belarus", True),
    ("zh", "埃塞俄比亚总理", "russia", False),
    ("zh", "俄罗斯总统", "russia", True),
    ("zh", "加纳利群岛", "ghana", False),
    ("zh", "加纳总统", "ghana", True),
    # Colombia's name is Columbia's too
    ("zh", "华盛顿哥伦比亚特区", "colombia", False),
    ("ja", "コロンビア特別区", "colombia", False),
    ("ru", "округ Колумбия", "colombia", False),
    ("hi", "डिस्ट्रिक्ट ऑफ़ कोलंबिया", "colombia", False),
    ("zh", "哥伦比亚总统", "colombia", True),
    # a country inside a longer country or territory name
    ("en", "Papua New Guinea", "guinea", False),
    ("en", "Equatorial Guinea", "guinea", False),
    ("fr", "Guinée-Bissau", "guinea", False),
    ("th", "แอร์นิวกินี", "guinea", False),
    ("zh-TW", "巴布亞紐幾內亞", "guinea", False),
    ("en", "Guinea's president", "guinea", True),
    ("en", "South Sudan", "sudan", False),
    ("en", "Sudan's army", "sudan", True),
    ("en", "American Samoa", "samoa", False),
    ("en", "Samoa votes", "samoa", True),
    ("es", "Islas Georgia del Sur", "georgia", False),
    ("id", "Republik Dominika", "dominica", False),
    ("ko", "도미니카 공화국", "dominica", False),
    ("es", "República Democrática del Congo", "congo", False),
    ("en", "Inner Mongolia", "mongolia", False),
    ("zh", "内蒙古", "mongolia", False),
    ("zh", "蒙古总统", "mongolia", True),
    ("en", "Northern Ireland", "ireland", False),
    ("ja", "北アイルランド", "ireland", False),
    ("en", "Ireland's prime minister", "ireland", True),
    ("zh", "捷克斯洛伐克", "czechia", False),
    ("zh", "捷克斯洛伐克", "slovakia", False),
    ("zh", "捷克总统", "czechia", True),
    ("ja", "アラブ首長国連邦", "united-nations", False),
    ("ja", "国連総会", "united-nations", True),
    ("th", "มาลาวี", "laos", False),
    ("th", "บาฮามาส", "hamas", False),
    ("ar", "سورينام", "syria", False),
    ("ar", "سوريا", "syria", True),
    # Japanese katakana inside words and names
    ("ja", "ローゼンスタイン副長官", "thailand", False),
    ("ja", "リヒテンシュタイン", "thailand", False),
    ("ja", "タイ政府", "thailand", True),
    ("ja", "デザートアイランドディスク", "iran", False),
    ("ja", "イラン大統領", "iran", True),
    ("ja", "スキューバダイビング", "cuba", False),
    ("ja", "サン・マルタン", "malta", False),
    # Thai without spaces
    ("th", "สภากาชาด", "chad", False),
    ("th", "ประเทศชาด", "chad", True),
    ("th", "เวลาว่าง", "laos", False),
    ("th", "ประเทศลาว", "laos", True),
    ("th", "แผงโซลาร์", "south-korea", False),
    ("th", "กรุงโซล", "south-korea", True),
    ("th", "กระทรวงมหาดไทย", "thailand", False),
    # the US dollar is a currency, not a US story
    ("de", "350.000 US-Dollar", "united-states", False),
    ("de", "US-Präsident", "united-states", True),
    ("en", "5 million US dollars", "united-states", False),
    ("ar", "مليون دولار أمريكي", "united-states", False),
    ("th", "2 พันล้านเหรียญสหรัฐ", "united-states", False),
    ("vi", "250 đô la Mỹ", "united-states", False),
    ("vi", "Mỹ La tinh", "united-states", False),
    ("ru", "миллионов долларов США", "united-states", False),
    ("ru", "президент США", "united-states", True),
    # ordinary words
    ("ms", "Mereka cuba masuk", "cuba", False),
    ("ms", "Cuba dan Amerika Syarikat", "cuba", True),
    ("ar", "سيول جارفة في اليمن", "south-korea", False),
    ("ar", "رئيس كوريا الجنوبية يزور سول", "south-korea", True),
    ("ar", "للمحيط الهندي", "india", False),
    ("tr", "çocuğu sudan çıkarmak", "sudan", False),
    ("tr", "Sudan'da çatışma", "sudan", True),
    ("tr", "Almanak: Geiger Sayacı", "germany", False),
    ("tr", "Alman Deniz Kuvvetleri", "germany", True),
    ("uk", "Тиждень моди в Парижі", "india", False),
    ("uk", "Моді відвідав Київ", "india", True),
    ("ru", "Моди посетил Москву", "india", True),
    ("ru", "республиканца Кита Ротфуса", "china", False),
    ("uk", "синього кита", "china", False),
    ("ru", "Китая и России", "china", True),
    ("uk", "Китаю та Росії", "china", True),
    ("de", "Desert Island Discs", "iceland", False),
    ("de", "Island und Norwegen", "iceland", True),
    ("vi", "Bộ Tư Pháp", "france", False),
    ("vi", "Pháp và Đức", "france", True),
    ("vi", "cầu thủ Áo Xanh", "austria", False),
    ("fr", "l'île Maurice", "mauritius", True),
]


@pytest.mark.parametrize(("language", "text", "entity", "should_hit"), CASES)
def test_name_inside_another_word(
    entities: RuleSet, language: str, text: str, entity: str, should_hit: bool
) -> None:
    assert (entity in named(entities, text, language)) is should_hit


def test_maurice_alone_names_mauritius_only_in_a_title(entities: RuleSet) -> None:
    """Maurice is also a first and family name: in running text, only île Maurice counts."""
    assert "mauritius" in named(entities, "Maurice: élections législatives", "fr")
    body = "Mme Maurice a été payée pour une journée de travail."
    assert "mauritius" not in named(entities, "Nouvelles", "fr", content=body)


def _exact_spellings() -> list[tuple[str, str, str]]:
    """(entity, language, text) for every case-sensitive alias the shipped entities list."""
    _, found = parse_rules_text((ROOT / "rules" / "entities.yaml").read_text("utf-8"))
    return sorted(
        {
            (eid, "en" if a.language == ANY_LANGUAGE else a.language, a.text.rstrip("*"))
            for eid, entity in found.items()
            for a in entity.aliases
            if a.exact
        }
    )


@pytest.mark.parametrize(("entity", "language", "text"), _exact_spellings())
def test_every_spelling_of_a_case_sensitive_name_hits(
    entity: str, language: str, text: str
) -> None:
    """`Áo` and `ÁO` fold to one key but are two spellings: a headline in capitals (`ÁO THẮNG`,
    `TRUMP WINS`) names the entity as the lower-case one does."""
    assert entity in named(shipped_entities(), text, language)
