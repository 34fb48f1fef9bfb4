"""Organisations and leaders in the shipped entities: their names across 18 languages, and guards.

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


HEADLINES: dict[str, list[tuple[str, str]]] = {
    "asean": [
        ("ru", "Саммит АСЕАН открылся в Куала-Лумпуре"),
        ("zh-TW", "東協峰會在吉隆坡開幕"),
        ("th", "ผู้นำอาเซียนประชุมสุดยอดที่กัวลาลัมเปอร์"),
        ("hi", "आसियान शिखर सम्मेलन में म्यांमार पर चर्चा"),
    ],
    "g7": [
        ("ru", "Лидеры «Большой семёрки» обсудили санкции"),
        ("ja", "主要7カ国首脳会議が閉幕"),
        ("zh", "七国集团外长会议发表联合声明"),
    ],
    "g20": [
        ("uk", "Лідери «Великої двадцятки» зберуться в Ріо"),
        ("ja", "主要20カ国・地域の財務相会議"),
        ("ar", "قمة مجموعة العشرين تنطلق في جوهانسبرغ"),
    ],
    "brics": [
        ("zh", "金砖国家峰会在喀山举行"),
        ("uk", "БРІКС розширюється: нові члени"),
        ("pt", "Cúpula do BRICS termina no Rio"),
    ],
    "world-health-organization": [
        ("ru", "ВОЗ объявила чрезвычайную ситуацию"),
        ("tr", "DSÖ yeni salgın uyarısı yaptı"),
        ("zh", "世卫组织宣布全球卫生紧急状态"),
    ],
    "imf": [
        ("de", "Internationaler Währungsfonds senkt Prognose"),
        ("ko", "국제통화기금, 성장률 전망 하향"),
        ("hi", "आईएमएफ ने विकास दर का अनुमान घटाया"),
    ],
    "world-bank": [
        ("vi", "Ngân hàng Thế giới hạ dự báo tăng trưởng"),
        ("ja", "世界銀行が成長率見通しを下方修正"),
    ],
    "opec": [
        ("ru", "ОПЕК+ сохранила квоты добычи нефти"),
        ("zh", "欧佩克决定继续减产"),
        ("ar", "أوبك+ تمدد خفض الإنتاج"),
    ],
    "hamas": [
        ("ko", "하마스, 인질 석방 합의"),
        ("ja", "イスラエル軍、ハマスの拠点を攻撃"),
        ("ar", "حماس توافق على وقف إطلاق النار"),
    ],
    "hezbollah": [
        ("de", "Israel greift Hisbollah-Stellungen an"),
        ("zh", "以色列空袭真主党目标"),
        ("ru", "Израиль нанёс удар по позициям «Хезболлы»"),
    ],
    "taliban": [
        ("ru", "Талибы запретили девочкам учиться"),
        ("fr", "Les talibans interdisent l'éducation des filles"),
        ("es", "Los talibanes prohíben la educación de las niñas"),
    ],
    "islamic-state": [
        ("de", "IS-Kämpfer in Syrien festgenommen"),
        ("id", "ISIS klaim serangan di Suriah"),
        ("ar", "تنظيم الدولة يتبنى هجوما في سوريا"),
    ],
    "african-union": [
        ("zh", "非盟呼吁苏丹停火"),
        ("fr", "L'Union africaine suspend le Niger"),
        ("tr", "Afrika Birliği Sudan için acil toplandı"),
    ],
    "arab-league": [
        ("ar", "الجامعة العربية تعقد قمة طارئة"),
        ("es", "La Liga Árabe celebra una cumbre de emergencia"),
        ("ru", "Лига арабских государств осудила удар"),
    ],
    "icc": [
        ("en", "International Criminal Court issues arrest warrant"),
        ("fr", "La CPI émet un mandat d'arrêt"),
        ("ja", "国際刑事裁判所が逮捕状を発行"),
    ],
    "iaea": [
        ("ru", "МАГАТЭ проверит Запорожскую АЭС"),
        ("de", "IAEA-Chef besucht Iran"),
        ("zh", "国际原子能机构总干事访问伊朗"),
    ],
    "wto": [
        ("tr", "DTÖ'den ticaret uyarısı"),
        ("zh", "世贸组织裁定美国关税违规"),
        ("es", "La OMC advierte sobre la guerra comercial"),
    ],
    "interpol": [
        ("en", "Interpol issues red notice for fugitive tycoon"),
        ("ru", "Интерпол объявил бизнесмена в розыск"),
        ("ar", "الإنتربول يصدر نشرة حمراء"),
    ],
    "quad": [
        ("en", "Quad leaders pledge maritime security in Indo-Pacific"),
        ("ja", "日米豪印首脳会合を開催"),
        ("ko", "쿼드 정상회의, 해양 안보 협력 합의"),
    ],
    "aukus": [
        ("en", "AUKUS submarine deal faces review"),
        ("zh", "奥库斯核潜艇协议引发关注"),
        ("ko", "오커스, 핵잠수함 협력 확대"),
    ],
    "oecd": [
        ("ru", "ОЭСР понизила прогноз роста мировой экономики"),
        ("fr", "L'OCDE abaisse sa prévision de croissance"),
        ("ko", "경제협력개발기구, 한국 성장률 전망 상향"),
    ],
    "red-cross": [
        ("en", "Red Cross delivers aid to Gaza"),
        ("fr", "La Croix-Rouge alerte sur la situation humanitaire"),
        ("de", "Rotes Kreuz warnt vor Hungersnot im Sudan"),
    ],
    "vladimir-putin": [
        ("ko", "푸틴, 정상회담 제안"),
        ("fr", "Poutine reçoit le président chinois à Moscou"),
        ("ru", "Путина спросили о переговорах"),
        ("hi", "पुतिन ने भारत दौरे की पुष्टि की"),
    ],
    "kim-jong-un": [
        ("ko", "김정은, 미사일 발사 참관"),
        ("ja", "キム・ジョンウン総書記が視察"),
        ("th", "คิมจองอึนตรวจการทดสอบขีปนาวุธ"),
    ],
    "xi-jinping": [
        ("en", "Xi warns against interference over Taiwan"),
        ("ko", "시 주석, 내달 방한 예정"),
        ("ru", "Путин провёл переговоры с Си Цзиньпином"),
        ("th", "สีจิ้นผิงเยือนกรุงเทพฯ"),
    ],
    "donald-trump": [
        ("en", "Trump signs executive order on tariffs"),
        ("ja", "トランプ大統領が関税発表"),
        ("uk", "Трампа запросили на саміт"),
    ],
    "joe-biden": [
        ("uk", "Зеленський зустрівся з Байденом"),
        ("ar", "بايدن يستقبل زيلينسكي في البيت الأبيض"),
        ("es", "Biden anuncia nueva ayuda militar"),
    ],
    "volodymyr-zelensky": [
        ("de", "Selenskyj trifft Scholz in Berlin"),
        ("uk", "Зеленський звернувся до нації"),
        ("ar", "زيلينسكي يدعو إلى مزيد من الدعم"),
    ],
    "narendra-modi": [
        ("en", "Modi meets Putin in Moscow"),
        ("ja", "モディ首相が来日"),
        ("hi", "प्रधानमंत्री मोदी ने रैली को संबोधित किया"),
    ],
    "benjamin-netanyahu": [
        ("uk", "Нетаньягу відвідав Вашингтон"),
        ("fr", "Nétanyahou rejette le plan de cessez-le-feu"),
        ("zh-TW", "內塔尼亞胡拒絕停火方案"),
    ],
    "recep-tayyip-erdogan": [
        ("tr", "Erdoğan, Macron ile görüştü"),
        ("ru", "Эрдогану предложили посредничество"),
        ("zh", "埃尔多安会见马克龙"),
    ],
    "emmanuel-macron": [
        ("ru", "Эрдоган и Макрон обсудили Сирию"),
        ("zh-TW", "馬克宏訪問北京"),
        ("th", "มาครงเยือนเวียดนาม"),
    ],
    "prabowo-subianto": [
        ("id", "Prabowo bertemu Anwar di Jakarta"),
        ("ko", "프라보워 대통령, 방한"),
        ("zh", "普拉博沃宣誓就任印尼总统"),
    ],
    "anwar-ibrahim": [
        ("ms", "Anwar umum bajet 2026"),
        ("zh", "安华首相访问北京"),
        ("ru", "Анвар Ибрагим прибыл в Москву"),
    ],
    "lee-jae-myung": [
        ("ko", "이재명 대통령, 정상회담 개최"),
        ("ru", "Ли Чжэ Мён вступил в должность"),
        ("en", "Lee Jae-myung sworn in as president"),
    ],
    "ali-khamenei": [
        ("ar", "خامنئي يحذر واشنطن"),
        ("es", "Jamenei advierte a Estados Unidos"),
        ("tr", "Hamaney'den ABD'ye uyarı"),
    ],
    "antonio-guterres": [
        ("ru", "Гутерриш призвал к прекращению огня"),
        ("ja", "グテレス事務総長が停戦呼びかけ"),
        ("hi", "गुटेरेस ने संघर्ष विराम की अपील की"),
    ],
    "ursula-von-der-leyen": [
        ("de", "Von der Leyen besucht Kiew"),
        ("uk", "фон дер Ляєн відвідала Київ"),
        ("zh", "冯德莱恩访问基辅"),
    ],
}

HITS = [(e, lang, title) for e, cases in HEADLINES.items() for lang, title in cases]


@pytest.mark.parametrize(("entity", "language", "title"), HITS)
def test_headline_names_the_organisation_or_leader(
    entities: RuleSet, entity: str, language: str, title: str
) -> None:
    """A headline naming an organisation or leader the way that language's newsrooms do hits it."""
    assert entity in named(entities, title, language)


MISSES = [
    ("en", "Moto G7 gets a price cut", "g7"),
    ("ar", "استقبل الجمهور الفريق بحماس كبير", "hamas"),
    ("ar", "الحماس يسود بين اللاعبين قبل المباراة", "hamas"),
    ("ja", "ハマスタでベイスターズが勝利", "hamas"),
    ("id", "Indonesia bukan negara Islam, kata menteri", "islamic-state"),
    ("zh", "两国并非盟友关系", "african-union"),
    ("en", "ICC announces Champions Trophy schedule", "icc"),
    ("en", "Quad bike rider injured in crash", "quad"),
    ("ko", "퀄컴, 새 쿼드코어 칩 출시", "quad"),
    ("en", "He painted a red cross on the door", "red-cross"),
    ("ru", "Воз и ныне там", "world-health-organization"),
    ("en", "Who is the new coach?", "world-health-organization"),
    ("ru", "Лососевая путина началась на Камчатке", "vladimir-putin"),
    ("ro", "A plouat puțin în București", "vladimir-putin"),
    ("fr", "Une poutine au fromage à Montréal", "vladimir-putin"),
    ("en", "Flights to Xi'an cancelled after snowstorm", "xi-jinping"),
    ("en", "Super Bowl XI remembered", "xi-jinping"),
    ("en", "Love trumps hate, says activist", "donald-trump"),
    ("ja", "トランプゲームで遊ぶ子どもたち", "donald-trump"),
    ("ru", "Прыжки с трамплина отменили из-за ветра", "donald-trump"),
    ("it", "Ci sono molti modi per farlo", "narendra-modi"),
    ("en", "Nirav Modi extradition hearing postponed", "narendra-modi"),
    ("hi", "नीरव मोदी के प्रत्यर्पण पर सुनवाई टली", "narendra-modi"),
    ("ja", "コモディティ価格が上昇", "narendra-modi"),
    ("id", "Anwar Usman dicopot dari ketua MK", "anwar-ibrahim"),
    ("en", "Egypt remembers Anwar Sadat", "anwar-ibrahim"),
    ("zh", "西安华为门店开业", "anwar-ibrahim"),
    ("en", "Lee wins the tournament in a playoff", "lee-jae-myung"),
    ("ko", "이 문제는 내일 다시 논의한다", "lee-jae-myung"),
    ("ko", "배우 김정은, 새 드라마 출연", "kim-jong-un"),
]


@pytest.mark.parametrize(("language", "title", "entity"), MISSES)
def test_ordinary_sentence_does_not_name_the_entity(
    entities: RuleSet, language: str, title: str, entity: str
) -> None:
    """An ordinary sentence using a word that a guarded or left-out name resembles names nobody."""
    assert entity not in named(entities, title, language)
