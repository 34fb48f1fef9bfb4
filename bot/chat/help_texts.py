"""/start and /help in the languages of the shipped entities beyond English and Indonesian.

The other replies are short and stay English there (`bot.chat.i18n`); the help is what a new
subscriber reads first. Commands and their arguments stay as typed (`/subscribe ID|TAG|all`).
Keys are Warta's language codes; `(help, admin help)` per language.
"""

from __future__ import annotations

from typing import Final

_ADMIN: Final = (
    "\n<b>{admin}</b>{colon} /sources · /addsource URL [ID] · /removesource ID · /refresh [ID] · "
    "/reload · /test {text} · /stats · /pause · /resume"
)


def _help(intro: str, lines: list[str], admin: str, text: str, colon: str = ":") -> tuple[str, str]:
    return intro + "\n\n" + "\n".join(lines), _ADMIN.format(admin=admin, text=text, colon=colon)


HELP: Final[dict[str, tuple[str, str]]] = {
    "ms": _help(
        "<b>Warta</b> memantau sumber berita dalam banyak bahasa dan menghantar amaran ke sini "
        "apabila sesuatu artikel sepadan dengan peraturan, diterjemahkan ke bahasa sembang ini.",
        [
            "/rules — peraturan yang boleh anda langgani",
            "/subscribe ID|TAG|all — terima amaran sesuatu peraturan (dalam topik forum: ke "
            "topik itu)",
            "/unsubscribe ID|TAG|all — hentikannya",
            '/watch EKSPR — peraturan peribadi, cth. <code>"Korea Utara" + Rusia</code> '
            "(<code>+</code> dan, <code>|</code> atau, <code>-</code> bukan)",
            "/unwatch N — buang peraturan peribadi N (lihat /list)",
            "/list — langganan, peraturan peribadi, bahasa, status senyap",
            "/lang KOD · /lang off — terjemahkan amaran ke KOD, atau jangan terjemahkan",
            "/tz Kawasan/Bandar — zon waktu bagi masa amaran",
            "/mute 2h · /unmute — tahan amaran; selepas itu ia tiba sebagai satu ringkasan",
        ],
        "Pentadbir",
        "TEKS",
    ),
    "ko": _help(
        "<b>Warta</b>는 여러 언어의 뉴스 출처를 지켜보다가 기사가 규칙에 맞으면 이 채팅의 언어로 "
        "번역해 알림을 보냅니다.",
        [
            "/rules — 구독할 수 있는 규칙",
            "/subscribe ID|TAG|all — 규칙의 알림 받기 (포럼 주제 안에서 보내면 그 주제로)",
            "/unsubscribe ID|TAG|all — 알림 그만 받기",
            "/watch 식 — 개인 규칙, 예: <code>북한 + 러시아</code> "
            "(<code>+</code> 그리고, <code>|</code> 또는, <code>-</code> 제외)",
            "/unwatch N — 개인 규칙 N 삭제 (/list 참고)",
            "/list — 구독, 개인 규칙, 언어, 음소거 상태",
            "/lang 코드 · /lang off — 알림을 코드의 언어로 번역, 또는 번역하지 않기",
            "/tz 지역/도시 — 알림 시각의 시간대",
            "/mute 2h · /unmute — 알림 보류; 보류된 알림은 나중에 한 번에 모아서 도착",
        ],
        "관리자",
        "텍스트",
    ),
    "ja": _help(
        "<b>Warta</b> は多言語のニュースソースを監視し、記事がルールに一致すると、"
        "このチャットの言語に翻訳して通知を送ります。",
        [
            "/rules — 購読できるルール",
            "/subscribe ID|TAG|all — ルールの通知を受け取る"
            "（フォーラムのトピック内で送るとそのトピックへ）",
            "/unsubscribe ID|TAG|all — 通知を止める",
            "/watch 式 — 個人ルール。例: <code>北朝鮮 + ロシア</code>"
            "（<code>+</code> かつ、<code>|</code> または、<code>-</code> 除外）",
            "/unwatch N — 個人ルール N を削除（/list を参照）",
            "/list — 購読、個人ルール、言語、ミュートの状態",
            "/lang コード · /lang off — 通知をその言語に翻訳する、または翻訳しない",
            "/tz 地域/都市 — 通知時刻のタイムゾーン",
            "/mute 2h · /unmute — 通知を保留し、あとでまとめて届ける",
        ],
        "管理者",
        "テキスト",
    ),
    "zh-CN": _help(
        "<b>Warta</b> 监测多种语言的新闻来源，当文章符合规则时，"
        "会将其翻译成此聊天的语言并发送提醒。",
        [
            "/rules — 可订阅的规则",
            "/subscribe ID|TAG|all — 接收某条规则的提醒（在论坛话题中发送则推送到该话题）",
            "/unsubscribe ID|TAG|all — 停止接收",
            "/watch 表达式 — 个人规则，例如 <code>朝鲜 + 俄罗斯</code>"
            "（<code>+</code> 且，<code>|</code> 或，<code>-</code> 排除）",
            "/unwatch N — 删除第 N 条个人规则（见 /list）",
            "/list — 订阅、个人规则、语言、静音状态",
            "/lang 代码 · /lang off — 将提醒翻译成该语言，或不翻译",
            "/tz 地区/城市 — 提醒时间所用的时区",
            "/mute 2h · /unmute — 暂停提醒；暂存的提醒之后汇总送达",
        ],
        "管理员",
        "文本",
    ),
    "zh-TW": _help(
        "<b>Warta</b> 監測多種語言的新聞來源，當文章符合規則時，"
        "會將其翻譯成此聊天室的語言並發送通知。",
        [
            "/rules — 可訂閱的規則",
            "/subscribe ID|TAG|all — 接收某條規則的通知（在論壇主題中傳送則推送到該主題）",
            "/unsubscribe ID|TAG|all — 停止接收",
            "/watch 運算式 — 個人規則，例如 <code>北韓 + 俄羅斯</code>"
            "（<code>+</code> 且，<code>|</code> 或，<code>-</code> 排除）",
            "/unwatch N — 刪除第 N 條個人規則（見 /list）",
            "/list — 訂閱、個人規則、語言、靜音狀態",
            "/lang 代碼 · /lang off — 將通知翻譯成該語言，或不翻譯",
            "/tz 地區/城市 — 通知時間所用的時區",
            "/mute 2h · /unmute — 暫停通知；暫存的通知之後彙整送達",
        ],
        "管理員",
        "文字",
    ),
    "ru": _help(
        "<b>Warta</b> следит за источниками новостей на многих языках и присылает сюда "
        "уведомление, когда статья подходит под правило, с переводом на язык этого чата.",
        [
            "/rules — правила, на которые можно подписаться",
            "/subscribe ID|TAG|all — получать уведомления по правилу (в теме форума — в эту тему)",
            "/unsubscribe ID|TAG|all — перестать их получать",
            "/watch ВЫРАЖЕНИЕ — личное правило, например <code>КНДР + Росси*</code> "
            "(<code>+</code> и, <code>|</code> или, <code>-</code> не)",
            "/unwatch N — удалить личное правило N (см. /list)",
            "/list — подписки, личные правила, язык, режим без звука",
            "/lang КОД · /lang off — переводить уведомления на язык КОД или не переводить",
            "/tz Регион/Город — часовой пояс для времени уведомлений",
            "/mute 2h · /unmute — придержать уведомления; потом они придут одной сводкой",
        ],
        "Администрирование",
        "ТЕКСТ",
    ),
    "uk": _help(
        "<b>Warta</b> стежить за джерелами новин багатьма мовами й надсилає сюди сповіщення, "
        "коли стаття відповідає правилу, з перекладом мовою цього чату.",
        [
            "/rules — правила, на які можна підписатися",
            "/subscribe ID|TAG|all — отримувати сповіщення за правилом (у темі форуму — у цю тему)",
            "/unsubscribe ID|TAG|all — припинити їх отримувати",
            "/watch ВИРАЗ — особисте правило, наприклад <code>КНДР + Росі*</code> "
            "(<code>+</code> і, <code>|</code> або, <code>-</code> не)",
            "/unwatch N — видалити особисте правило N (див. /list)",
            "/list — підписки, особисті правила, мова, режим без звуку",
            "/lang КОД · /lang off — перекладати сповіщення мовою КОД або не перекладати",
            "/tz Регіон/Місто — часовий пояс для часу сповіщень",
            "/mute 2h · /unmute — притримати сповіщення; потім вони прийдуть одним зведенням",
        ],
        "Адміністрування",
        "ТЕКСТ",
    ),
    "ar": _help(
        "يتابع <b>Warta</b> مصادر الأخبار بلغات كثيرة ويرسل تنبيهًا هنا عندما يطابق مقال "
        "إحدى القواعد، مترجمًا إلى لغة هذه المحادثة.",
        [
            "/rules — القواعد التي يمكنك الاشتراك فيها",
            "/subscribe ID|TAG|all — تلقي تنبيهات قاعدة (داخل موضوع منتدى: إلى ذلك الموضوع)",
            "/unsubscribe ID|TAG|all — إيقافها",
            '/watch تعبير — قاعدة شخصية، مثل <code>"كوريا الشمالية" + روسيا</code> '
            "(<code>+</code> و، <code>|</code> أو، <code>-</code> ليس)",
            "/unwatch N — حذف القاعدة الشخصية N (انظر /list)",
            "/list — الاشتراكات والقواعد الشخصية واللغة وحالة الكتم",
            "/lang رمز · /lang off — ترجمة التنبيهات إلى لغة الرمز، أو عدم الترجمة",
            "/tz المنطقة/المدينة — المنطقة الزمنية لأوقات التنبيهات",
            "/mute 2h · /unmute — تأجيل التنبيهات؛ ثم تصل مجمّعة في ملخص واحد",
        ],
        "الإدارة",
        "نص",
    ),
    "fr": _help(
        "<b>Warta</b> surveille des sources d’information en de nombreuses langues et envoie ici "
        "une alerte quand un article correspond à une règle, traduite dans la langue de ce chat.",
        [
            "/rules — les règles auxquelles vous pouvez vous abonner",
            "/subscribe ID|TAG|all — recevoir les alertes d’une règle "
            "(dans un sujet de forum\u00a0: dans ce sujet)",
            "/unsubscribe ID|TAG|all — ne plus les recevoir",
            '/watch EXPR — une règle personnelle, p. ex. <code>"Corée du Nord" + Russie</code> '
            "(<code>+</code> et, <code>|</code> ou, <code>-</code> sauf)",
            "/unwatch N — supprimer la règle personnelle N (voir /list)",
            "/list — abonnements, règles personnelles, langue, mise en sourdine",
            "/lang CODE · /lang off — traduire les alertes en CODE, ou ne jamais traduire",
            "/tz Zone/Ville — fuseau horaire des heures d’alerte",
            "/mute 2h · /unmute — retenir les alertes\u00a0; elles arrivent ensuite en un seul "
            "récapitulatif",
        ],
        "Administration",
        "TEXTE",
        "\u00a0:",
    ),
    "de": _help(
        "<b>Warta</b> beobachtet Nachrichtenquellen in vielen Sprachen und schickt hierher eine "
        "Meldung, wenn ein Artikel zu einer Regel passt – übersetzt in die Sprache dieses Chats.",
        [
            "/rules — die Regeln, die du abonnieren kannst",
            "/subscribe ID|TAG|all — Meldungen einer Regel erhalten (in einem Forenthema: in "
            "dieses Thema)",
            "/unsubscribe ID|TAG|all — sie abbestellen",
            "/watch AUSDRUCK — eine eigene Regel, z. B. <code>Nordkorea* + Russland*</code> "
            "(<code>+</code> und, <code>|</code> oder, <code>-</code> nicht)",
            "/unwatch N — eigene Regel N entfernen (siehe /list)",
            "/list — Abos, eigene Regeln, Sprache, Stummschaltung",
            "/lang CODE · /lang off — Meldungen in CODE übersetzen oder nie übersetzen",
            "/tz Region/Stadt — Zeitzone für die Uhrzeit der Meldungen",
            "/mute 2h · /unmute — Meldungen zurückhalten; sie kommen danach gesammelt an",
        ],
        "Verwaltung",
        "TEXT",
    ),
    "es": _help(
        "<b>Warta</b> vigila fuentes de noticias en muchos idiomas y envía aquí una alerta cuando "
        "un artículo coincide con una regla, traducida al idioma de este chat.",
        [
            "/rules — las reglas a las que puedes suscribirte",
            "/subscribe ID|TAG|all — recibir las alertas de una regla (en un tema del foro: en ese "
            "tema)",
            "/unsubscribe ID|TAG|all — dejar de recibirlas",
            '/watch EXPR — una regla personal, p. ej. <code>"Corea del Norte" + Rusia</code> '
            "(<code>+</code> y, <code>|</code> o, <code>-</code> no)",
            "/unwatch N — borrar la regla personal N (ver /list)",
            "/list — suscripciones, reglas personales, idioma, silencio",
            "/lang CÓDIGO · /lang off — traducir las alertas a CÓDIGO, o no traducir nunca",
            "/tz Zona/Ciudad — zona horaria de la hora de las alertas",
            "/mute 2h · /unmute — retener las alertas; después llegan juntas en un resumen",
        ],
        "Administración",
        "TEXTO",
    ),
    "pt": _help(
        "<b>Warta</b> acompanha fontes de notícias em muitos idiomas e envia aqui um alerta quando "
        "um artigo corresponde a uma regra, traduzido para o idioma deste chat.",
        [
            "/rules — as regras que você pode assinar",
            "/subscribe ID|TAG|all — receber os alertas de uma regra (num tópico do fórum: nesse "
            "tópico)",
            "/unsubscribe ID|TAG|all — deixar de recebê-los",
            '/watch EXPR — uma regra pessoal, p. ex. <code>"Coreia do Norte" + Rússia</code> '
            "(<code>+</code> e, <code>|</code> ou, <code>-</code> não)",
            "/unwatch N — remover a regra pessoal N (veja /list)",
            "/list — assinaturas, regras pessoais, idioma, silêncio",
            "/lang CÓDIGO · /lang off — traduzir os alertas para CÓDIGO, ou nunca traduzir",
            "/tz Região/Cidade — fuso horário dos alertas",
            "/mute 2h · /unmute — reter os alertas; depois chegam juntos num resumo",
        ],
        "Administração",
        "TEXTO",
    ),
    "vi": _help(
        "<b>Warta</b> theo dõi các nguồn tin bằng nhiều ngôn ngữ và gửi thông báo đến đây khi một "
        "bài viết khớp với quy tắc, được dịch sang ngôn ngữ của cuộc trò chuyện này.",
        [
            "/rules — các quy tắc bạn có thể đăng ký",
            "/subscribe ID|TAG|all — nhận thông báo của một quy tắc (trong một chủ đề diễn đàn: "
            "vào chủ đề đó)",
            "/unsubscribe ID|TAG|all — ngừng nhận",
            "/watch BIỂU_THỨC — quy tắc riêng, ví dụ <code>@north-korea + @russia</code> "
            "(<code>+</code> và, <code>|</code> hoặc, <code>-</code> không)",
            "/unwatch N — xóa quy tắc riêng N (xem /list)",
            "/list — đăng ký, quy tắc riêng, ngôn ngữ, trạng thái tắt tiếng",
            "/lang MÃ · /lang off — dịch thông báo sang ngôn ngữ MÃ, hoặc không bao giờ dịch",
            "/tz Khu_vực/Thành_phố — múi giờ cho thời gian thông báo",
            "/mute 2h · /unmute — tạm giữ thông báo; sau đó chúng đến gộp thành một bản tổng hợp",
        ],
        "Quản trị",
        "VĂN_BẢN",
    ),
    "th": _help(
        "<b>Warta</b> ติดตามแหล่งข่าวหลายภาษา และส่งการแจ้งเตือนมาที่นี่เมื่อบทความตรงกับกฎ "
        "โดยแปลเป็นภาษาของแชทนี้",
        [
            "/rules — กฎที่คุณติดตามได้",
            "/subscribe ID|TAG|all — รับการแจ้งเตือนของกฎ (ถ้าส่งในหัวข้อฟอรัม: ส่งเข้าหัวข้อนั้น)",
            "/unsubscribe ID|TAG|all — เลิกรับ",
            "/watch นิพจน์ — กฎส่วนตัว เช่น <code>เกาหลีเหนือ + รัสเซีย</code> "
            "(<code>+</code> และ, <code>|</code> หรือ, <code>-</code> ยกเว้น)",
            "/unwatch N — ลบกฎส่วนตัวข้อ N (ดู /list)",
            "/list — การติดตาม กฎส่วนตัว ภาษา สถานะปิดเสียง",
            "/lang รหัส · /lang off — แปลการแจ้งเตือนเป็นภาษาตามรหัส หรือไม่แปลเลย",
            "/tz ภูมิภาค/เมือง — เขตเวลาของเวลาแจ้งเตือน",
            "/mute 2h · /unmute — พักการแจ้งเตือนไว้ แล้วส่งมารวมเป็นสรุปเดียว",
        ],
        "ผู้ดูแล",
        "ข้อความ",
    ),
    "tr": _help(
        "<b>Warta</b> birçok dildeki haber kaynaklarını izler ve bir haber bir kurala uyduğunda "
        "buraya, bu sohbetin diline çevrilmiş bir uyarı gönderir.",
        [
            "/rules — abone olabileceğiniz kurallar",
            "/subscribe ID|TAG|all — bir kuralın uyarılarını alın (forum konusunda gönderilirse o "
            "konuya)",
            "/unsubscribe ID|TAG|all — almayı bırakın",
            '/watch İFADE — kişisel kural, ör. <code>"Kuzey Kore" + Rusya</code> '
            "(<code>+</code> ve, <code>|</code> veya, <code>-</code> değil)",
            "/unwatch N — N numaralı kişisel kuralı silin (bkz. /list)",
            "/list — abonelikler, kişisel kurallar, dil, sessize alma durumu",
            "/lang KOD · /lang off — uyarıları KOD diline çevirin ya da hiç çevirmeyin",
            "/tz Bölge/Şehir — uyarı saatleri için saat dilimi",
            "/mute 2h · /unmute — uyarıları bekletin; sonra tek bir özet olarak gelirler",
        ],
        "Yönetim",
        "METİN",
    ),
    "hi": _help(
        "<b>Warta</b> कई भाषाओं के समाचार स्रोतों पर नज़र रखता है और जब कोई लेख किसी नियम से मेल "
        "खाता है, तो इस चैट की भाषा में अनुवाद करके यहाँ अलर्ट भेजता है।",
        [
            "/rules — वे नियम जिनकी आप सदस्यता ले सकते हैं",
            "/subscribe ID|TAG|all — किसी नियम के अलर्ट पाएँ (फ़ोरम विषय में भेजें तो उसी विषय में)",
            "/unsubscribe ID|TAG|all — उन्हें बंद करें",
            '/watch व्यंजक — निजी नियम, जैसे <code>"उत्तर कोरिया" + रूस</code> '
            "(<code>+</code> और, <code>|</code> या, <code>-</code> नहीं)",
            "/unwatch N — निजी नियम N हटाएँ (/list देखें)",
            "/list — सदस्यताएँ, निजी नियम, भाषा, म्यूट स्थिति",
            "/lang कोड · /lang off — अलर्ट का कोड की भाषा में अनुवाद करें, या कभी अनुवाद न करें",
            "/tz क्षेत्र/शहर — अलर्ट के समय के लिए समय क्षेत्र",
            "/mute 2h · /unmute — अलर्ट रोककर रखें; बाद में वे एक सारांश में आते हैं",
        ],
        "प्रशासन",
        "पाठ",
    ),
}
