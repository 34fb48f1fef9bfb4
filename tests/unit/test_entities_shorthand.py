"""Newsroom shorthand in the shipped entities: demonyms, capitals, abbreviations, and their guards.

Each entity of `rules/entities.yaml` is compiled as a rule of the same name, so a headline's
matched rules are the entities it names.
"""

from __future__ import annotations

import pytest

from bot.analyze.engine import RuleSet
from tests.unit.shipped_entities import named, shipped_entities


@pytest.fixture(scope="module")
def entities() -> RuleSet:
    return shipped_entities()


HITS = [
    (
        "id",
        "Negeri Tirai Bambu balas tarif impor dari Negeri Paman Sam",
        {"china", "united-states"},
    ),
    ("ms", "Kemboja dan Thailand setuju gencatan senjata di sempadan", {"cambodia"}),
    ("ms", "Emiriah Arab Bersatu umum pelaburan baharu di Malaysia", {"united-arab-emirates"}),
    ("ko", "사우디, 가자지구 휴전 촉구…하마스에 인질 석방 요구", {"saudi-arabia", "palestine"}),
    ("ja", "対中関税、米大統領が引き上げを表明", {"china", "united-states"}),
    ("zh", "沙特与阿联酋宣布增产石油", {"saudi-arabia", "united-arab-emirates"}),
    (
        "ru",
        "ОАЭ и ЮАР подписали соглашение о свободной торговле",
        {"united-arab-emirates", "south-africa"},
    ),
    (
        "uk",
        "Президент зустрівся з лідерами ОАЕ у Білому домі",
        {"united-arab-emirates", "united-states"},
    ),
    ("ar", "الرئيس الأميركي يستقبل ولي العهد السعودي", {"united-states", "saudi-arabia"}),
    ("fr", "Le Caire appelle à un cessez-le-feu à Gaza", {"egypt", "palestine"}),
    ("de", "US-Präsident empfängt türkischen Außenminister", {"united-states", "turkey"}),
    ("es", "El gobierno venezolano acusa a La Habana de injerencia", {"venezuela", "cuba"}),
    ("pt", "Itamaraty condena ataque israelense", {"brazil", "israel"}),
    ("vi", "Nhật và Ấn Độ ký thỏa thuận quốc phòng", {"japan", "india"}),
    ("th", "ซาอุฯ และยูเออีเรียกร้องหยุดยิงในกาซา", {"saudi-arabia", "united-arab-emirates", "palestine"}),
    (
        "tr",
        "Mısır ve BAE, Gazze için ortak açıklama yaptı",
        {"egypt", "united-arab-emirates", "palestine"},
    ),
    ("hi", "पाक सेना ने अफगान सीमा पर चौकियां खाली कीं", {"pakistan", "afghanistan"}),
    ("en", "Emirati and Saudi ministers meet in Riyadh", {"united-arab-emirates", "saudi-arabia"}),
    # Korean headlines join one-syllable country names with a middle dot
    ("ko", "북·러 정상회담 임박", {"north-korea", "russia"}),
    ("ko", "한·미·일 외교장관 회담", {"south-korea", "united-states", "japan"}),
    ("ko", "러ㆍ우 전쟁 3년, 이·팔 분쟁 격화", {"russia", "ukraine", "israel", "palestine"}),
    ("ko", "美·中 무역협상 재개", {"united-states", "china"}),
    # visits (방러: a visit to Russia), the news agency, a dotted abbreviation without its space
    ("ko", "北 김정은 방러… 방미 일정도 검토", {"north-korea", "russia", "united-states"}),
    ("ja", "朝鮮中央通信によると", {"north-korea"}),
    ("en", "N.Korea, Russia sign defense pact, KCNA says", {"north-korea", "russia"}),
    # a sitting leader's name counts as the country (`includes`), as Putin's always did
    ("en", "Trump slaps tariffs on Chinese goods", {"united-states", "china"}),
    ("ja", "モディ首相とエルドアン大統領が会談", {"india", "turkey"}),
    ("id", "Prabowo dan Anwar bahas sengketa perbatasan", {"indonesia", "malaysia"}),
    # Chinese and Japanese join one-character names without a mark
    ("zh", "俄乌冲突进入第三年，中俄关系进入新阶段", {"russia", "ukraine", "china"}),
    ("zh", "美俄会谈在利雅得举行", {"united-states", "russia"}),
    ("ja", "露ウ戦争の停戦交渉、米露首脳が電話会談", {"russia", "ukraine", "united-states"}),
    # Ukrainian and Russian decline the family name too: "with Kim Jong Un"
    ("uk", "Помпео зустрівся з Кімом Чен Ином", {"north-korea", "kim-jong-un"}),
    ("ru", "Трамп встретился с Кимом Чен Ыном", {"north-korea", "kim-jong-un"}),
]


@pytest.mark.parametrize(("language", "title", "expected"), HITS)
def test_headline_shorthand_names_the_country(
    entities: RuleSet, language: str, title: str, expected: set[str]
) -> None:
    """A headline in newsroom shorthand (demonym, capital, abbreviation) names the country."""
    assert expected <= named(entities, title, language)


MISSES = [
    ("id", "Harga emas naik, as roda truk patah di jalan tol", "united-states"),
    ("id", "Ijab kabul dilaksanakan di masjid pagi ini", "afghanistan"),
    ("vi", "Anh ấy bị ốm và phải nghỉ học", "belgium"),
    ("vi", "Cập nhật giá vàng sáng Chủ Nhật", "japan"),
    ("vi", "Đức Giáo hoàng kêu gọi hòa bình, đề cao đạo đức", "germany"),
    ("vi", "Người lao động được tăng lương từ tháng sau", "laos"),
    ("vi", "Thẩm mỹ viện bị phạt vì quảng cáo sai", "united-states"),
    ("vi", "Pháp luật không cho phép giải pháp này", "france"),
    ("vi", "Chiếc áo khoác này có giá ảo", "austria"),
    ("ru", "Кроме того, цены на хлеб выросли", "togo"),
    ("uk", "Над чайником піднімається пар", "south-africa"),
    ("pt", "Ele irá ao mercado e eles irão votar amanhã", "iran"),
    ("pt", "Perfume Eau de Toilette em promoção", "united-arab-emirates"),
    ("fr", "Le prix de l'eau augmente encore", "united-arab-emirates"),
    ("tr", "Cinayet davasında karar çıktı", "china"),
    ("tr", "Şirket mali tablolarını açıkladı", "mali"),
    ("tr", "Buğday ve mısır fiyatları arttı", "egypt"),
    ("tr", "Kitap almanın en kolay yolu", "germany"),
    ("tr", "Katarakt ameliyatı sonrası dikkat edilmesi gerekenler", "qatar"),
    ("ja", "タイミングとスタイルが重要だ", "thailand"),
    (
        "ja",
        "週末はトランプ遊びを楽しんだ",
        "united-states",
    ),  # playing cards: excluded with the name
    ("ja", "インドネシアで大きな地震", "india"),
    ("ja", "ボリビア大統領が辞任", "libya"),
    ("ko", "정부, 인도적 지원 확대 방침", "india"),
    # a syllable joined by a middle dot to one that is no country's short name
    ("ko", "과거·미래 세대가 함께", "united-states"),
    ("ko", "지방·중앙 정부 협력", "china"),
    ("ko", "초·중·고 학생 급식", "china"),
    ("ko", "중·남미 순방 마치고 귀국", "south-korea"),  # Central and South America
    ("ko", "중·남미 순방 마치고 귀국", "china"),
    ("zh", "尼日利亚举行大选", "niger"),
    ("zh", "大马士革遭到空袭", "malaysia"),
    ("zh", "中期选举中共和党领先", "china"),
    ("zh", "出口总额中，其中美国占三成", "china"),  # 其中 ("of which"), then 美国
    ("zh", "中美洲移民潮持续", "united-states"),  # Central America
    ("zh", "这次演出美中不足的是音响", "china"),  # an idiom: a fly in the ointment
    ("ar", "تحسن الوضع المالي للشركة", "mali"),
    ("th", "เรื่องนี้ซีเรียสมาก", "syria"),
    ("th", "สหรัฐอาหรับเอมิเรตส์เปิดสถานทูตใหม่", "united-states"),
    ("en", "Atlanta, Georgia police arrest suspect", "georgia"),
    ("en", "Michael Jordan sells his mansion", "jordan"),
    ("en", "Latin American leaders meet in Brasilia", "united-states"),
    ("en", "Storm hits the Turks and Caicos", "turkey"),
    ("en", "Quake strikes under the Indian Ocean", "india"),
]


@pytest.mark.parametrize(("language", "title", "entity"), MISSES)
def test_common_word_does_not_name_the_country(
    entities: RuleSet, language: str, title: str, entity: str
) -> None:
    """An ordinary sentence using the common word behind a guarded short alias names no country."""
    assert entity not in named(entities, title, language)


def test_guarded_alias_still_hits_when_written_as_a_name(entities: RuleSet) -> None:
    """Guards keep the name: `Mali`, `Mısır`, `Bỉ` and `Того` written as names still hit."""
    assert "mali" in named(entities, "Mali'de darbe girişimi", "tr")
    assert "egypt" in named(entities, "Mısır'da seçim sonuçları açıklandı", "tr")
    assert "belgium" in named(entities, "Bỉ và Hà Lan ký hiệp định", "vi")
    assert "togo" in named(entities, "Выборы в Того прошли спокойно", "ru")


def test_title_only_alias_hits_in_titles_but_not_in_text(entities: RuleSet) -> None:
    """Korean 수단 (also "means") and Hindi पाक (also "holy") name a country only in a title."""
    assert "sudan" in named(entities, "수단 군벌 충돌 격화", "ko")
    assert "sudan" not in named(entities, "정부 발표", "ko", content="수단과 방법을 가리지 않았다")
    assert "pakistan" not in named(entities, "त्योहार", "hi", content="रमजान का पाक महीना शुरू")
