"""The bot's own replies, in English and Indonesian, chosen by the chat's language.

`t(lang, key, **values)` fills a template; every value is HTML-escaped unless wrapped in `Safe`,
so feed and user text can never break the reply's HTML.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError

LANGUAGES: tuple[str, ...] = ("en", "id")


class Safe(str):
    """A value that is already HTML: `t` inserts it as is."""

    __slots__ = ()


_HELP_EN = """\
<b>Warta</b> watches news sources in many languages and sends an alert here when an article \
matches a rule, translated into this chat's language.

/rules — the rules you can subscribe to
/subscribe ID|TAG|all — receive a rule's alerts (inside a forum topic: into that topic)
/unsubscribe ID|TAG|all — stop them
/watch EXPR — a personal rule, e.g. <code>"Korea Utara" + Rusia</code> (<code>+</code> and, \
<code>|</code> or, <code>-</code> not)
/unwatch N — remove personal rule N (see /list)
/list — subscriptions, personal rules, language, mute state
/lang CODE · /lang off — translate alerts into CODE, or never translate
/tz Area/City — time zone for alert times
/mute 2h · /unmute — hold alerts; held alerts then arrive as one digest"""

_HELP_ID = """\
<b>Warta</b> memantau sumber berita dalam banyak bahasa dan mengirim peringatan ke sini bila \
sebuah artikel cocok dengan aturan, diterjemahkan ke bahasa obrolan ini.

/rules — aturan yang bisa Anda ikuti
/subscribe ID|TAG|all — terima peringatan sebuah aturan (di dalam topik forum: ke topik itu)
/unsubscribe ID|TAG|all — hentikan
/watch EKSPR — aturan pribadi, mis. <code>"Korea Utara" + Rusia</code> (<code>+</code> dan, \
<code>|</code> atau, <code>-</code> bukan)
/unwatch N — hapus aturan pribadi N (lihat /list)
/list — langganan, aturan pribadi, bahasa, status bisu
/lang KODE · /lang off — terjemahkan peringatan ke KODE, atau jangan terjemahkan
/tz Area/Kota — zona waktu untuk waktu peringatan
/mute 2h · /unmute — tahan peringatan; setelahnya datang sebagai satu ringkasan"""

_HELP_ADMIN_EN = """
<b>Admin</b>: /sources · /addsource URL [ID] · /removesource ID · /refresh [ID] · /reload · \
/test TEXT · /stats · /pause · /resume"""

_HELP_ADMIN_ID = """
<b>Admin</b>: /sources · /addsource URL [ID] · /removesource ID · /refresh [ID] · /reload · \
/test TEKS · /stats · /pause · /resume"""

# key -> (English, Indonesian)
_CATALOGUE: dict[str, tuple[str, str]] = {
    "help": (_HELP_EN, _HELP_ID),
    "help_admin": (_HELP_ADMIN_EN, _HELP_ADMIN_ID),
    "welcome_back": (
        "Welcome back: alerts to this chat are on again. Subscribe with /subscribe.",
        "Selamat datang kembali: peringatan ke obrolan ini aktif lagi. Berlangganan dengan "
        "/subscribe.",
    ),
    "blocked_hint": (
        "Alerts to this chat were stopped. Send /start to turn them on again.",
        "Peringatan ke obrolan ini dihentikan. Kirim /start untuk mengaktifkannya lagi.",
    ),
    "refused_group": (
        "Only this group's administrators can do that.",
        "Hanya administrator grup ini yang bisa melakukannya.",
    ),
    "refused_unverified": (
        "I could not check your admin rights just now; please try again in a minute.",
        "Saya tidak bisa memeriksa hak admin Anda sekarang; coba lagi sebentar lagi.",
    ),
    "refused_admin": (
        "That command is for Warta's administrators only.",
        "Perintah itu hanya untuk administrator Warta.",
    ),
    "unknown_command": (
        "I don't know that command. /help lists what I can do.",
        "Saya tidak mengenal perintah itu. /help menampilkan yang bisa saya lakukan.",
    ),
    "failed": (
        "Sorry, that did not work because of an error on my side. Please try again later.",
        "Maaf, itu gagal karena kesalahan di pihak saya. Silakan coba lagi nanti.",
    ),
    "rules_none": ("No rules are loaded yet.", "Belum ada aturan yang dimuat."),
    "rules_header": (
        "<b>Rules</b> (subscribe with /subscribe ID, TAG or all):",
        "<b>Aturan</b> (berlangganan dengan /subscribe ID, TAG atau all):",
    ),
    "subscribe_usage": (
        "Usage: /subscribe ID|TAG|all — e.g. <code>/subscribe all</code>. See /rules.",
        "Cara pakai: /subscribe ID|TAG|all — mis. <code>/subscribe all</code>. Lihat /rules.",
    ),
    "subscribe_unknown": (
        "No rule or tag named <code>{target}</code>. Try one of: {examples}. /rules lists all.",
        "Tidak ada aturan atau tag bernama <code>{target}</code>. Coba salah satu: {examples}. "
        "/rules menampilkan semuanya.",
    ),
    "subscribed": ("Subscribed to {targets}.", "Berlangganan {targets}."),
    "subscribed_topic": (
        "Subscribed to {targets}; these alerts will arrive in this topic.",
        "Berlangganan {targets}; peringatan ini akan masuk ke topik ini.",
    ),
    "already_subscribed": (
        "This chat already receives {targets}.",
        "Obrolan ini sudah menerima {targets}.",
    ),
    "unsubscribe_usage": (
        "Usage: /unsubscribe ID|TAG|all — see /list for this chat's subscriptions.",
        "Cara pakai: /unsubscribe ID|TAG|all — lihat /list untuk langganan obrolan ini.",
    ),
    "unsubscribed": ("Unsubscribed from {targets}.", "Berhenti berlangganan {targets}."),
    "not_subscribed": (
        "This chat is not subscribed to {targets}. Its subscriptions: {current}.",
        "Obrolan ini tidak berlangganan {targets}. Langganannya: {current}.",
    ),
    "none": ("none", "tidak ada"),
    "list_subscriptions": ("<b>Subscriptions</b>: {items}", "<b>Langganan</b>: {items}"),
    "list_topic": ("topic {thread}", "topik {thread}"),
    "list_watches": ("<b>Personal rules</b>:", "<b>Aturan pribadi</b>:"),
    "list_no_watches": ("<b>Personal rules</b>: none", "<b>Aturan pribadi</b>: tidak ada"),
    "list_language": ("<b>Language</b>: {language}", "<b>Bahasa</b>: {language}"),
    "list_language_off": (
        "<b>Language</b>: off (alerts are not translated)",
        "<b>Bahasa</b>: off (peringatan tidak diterjemahkan)",
    ),
    "list_timezone": ("<b>Time zone</b>: {tz}", "<b>Zona waktu</b>: {tz}"),
    "list_muted": ("<b>Muted</b> until {until}", "<b>Dibisukan</b> sampai {until}"),
    "list_not_muted": ("<b>Not muted</b>", "<b>Tidak dibisukan</b>"),
    "lang_current": (
        "Alerts are translated into {language}. Change with /lang CODE (e.g. /lang id) or "
        "/lang off.",
        "Peringatan diterjemahkan ke {language}. Ubah dengan /lang KODE (mis. /lang en) atau "
        "/lang off.",
    ),
    "lang_current_off": (
        "Alerts are not translated. Turn translation on with /lang CODE (e.g. /lang en).",
        "Peringatan tidak diterjemahkan. Aktifkan dengan /lang KODE (mis. /lang id).",
    ),
    "lang_set": (
        "Alerts will be translated into {language}.",
        "Peringatan akan diterjemahkan ke {language}.",
    ),
    "lang_off": ("Alerts will not be translated.", "Peringatan tidak akan diterjemahkan."),
    "lang_unsupported": (
        "<code>{code}</code> is not a language I can translate into. Usage: /lang CODE "
        "(a language code such as en, id, ko) or /lang off.",
        "<code>{code}</code> bukan bahasa yang bisa saya terjemahkan. Cara pakai: /lang KODE "
        "(kode bahasa seperti en, id, ko) atau /lang off.",
    ),
    "tz_usage": (
        "Usage: /tz Area/City, e.g. <code>/tz Asia/Jakarta</code>. Current: {tz}.",
        "Cara pakai: /tz Area/Kota, mis. <code>/tz Asia/Jakarta</code>. Sekarang: {tz}.",
    ),
    "tz_unknown": (
        "<code>{tz}</code> is not a time zone I know. Usage: /tz Area/City, e.g. "
        "<code>/tz Asia/Jakarta</code>.",
        "<code>{tz}</code> bukan zona waktu yang saya kenal. Cara pakai: /tz Area/Kota, mis. "
        "<code>/tz Asia/Jakarta</code>.",
    ),
    "tz_set": (
        "Alert times will be shown in {tz}.",
        "Waktu peringatan akan ditampilkan dalam {tz}.",
    ),
    "mute_usage": (
        "Usage: /mute DURATION, e.g. <code>/mute 30m</code>, <code>/mute 2h</code>, "
        "<code>/mute 1d</code> (at most 30d).",
        "Cara pakai: /mute DURASI, mis. <code>/mute 30m</code>, <code>/mute 2h</code>, "
        "<code>/mute 1d</code> (paling lama 30d).",
    ),
    "muted": (
        "Muted until {until}. Alerts are held and arrive as a digest after /unmute or then.",
        "Dibisukan sampai {until}. Peringatan ditahan dan datang sebagai ringkasan setelah "
        "/unmute atau saat itu.",
    ),
    "unmuted": (
        "Unmuted. {count} held alert(s) follow as a digest.",
        "Bisu dimatikan. {count} peringatan yang ditahan menyusul sebagai ringkasan.",
    ),
    "unmuted_empty": (
        "Unmuted. No alerts arrived while muted.",
        "Bisu dimatikan. Tidak ada peringatan selama dibisukan.",
    ),
    "not_muted": ("This chat is not muted.", "Obrolan ini tidak sedang dibisukan."),
    "watch_usage": (
        'Usage: /watch EXPR, e.g. <code>/watch "Korea Utara" + Rusia</code> '
        "(<code>+</code> and, <code>|</code> or, <code>-</code> not; quotes for phrases).",
        'Cara pakai: /watch EKSPR, mis. <code>/watch "Korea Utara" + Rusia</code> '
        "(<code>+</code> dan, <code>|</code> atau, <code>-</code> bukan; kutip untuk frasa).",
    ),
    "watch_added": (
        "Personal rule {n} added: <code>{expr}</code>",
        "Aturan pribadi {n} ditambahkan: <code>{expr}</code>",
    ),
    "watch_exists": (
        "This chat already has that personal rule ({n}): <code>{expr}</code>",
        "Obrolan ini sudah punya aturan pribadi itu ({n}): <code>{expr}</code>",
    ),
    "watch_limit": (
        "This chat already has {limit} personal rules, the most allowed. Remove one with "
        "/unwatch N.",
        "Obrolan ini sudah punya {limit} aturan pribadi, batas maksimum. Hapus satu dengan "
        "/unwatch N.",
    ),
    "watch_too_long": (
        "That expression is too long (at most {limit} characters).",
        "Ekspresi itu terlalu panjang (paling banyak {limit} karakter).",
    ),
    "watch_regex_admin": (
        "<code>re:</code> patterns are for Warta's administrators only.",
        "Pola <code>re:</code> hanya untuk administrator Warta.",
    ),
    "watch_invalid": (
        "That expression is not valid: {error}",
        "Ekspresi itu tidak valid: {error}",
    ),
    "unwatch_usage": (
        "Usage: /unwatch N, where N is the number /list shows (1 to {count}), or /unwatch all.",
        "Cara pakai: /unwatch N, dengan N nomor yang ditampilkan /list (1 sampai {count}), "
        "atau /unwatch all.",
    ),
    "unwatch_none": ("This chat has no personal rules.", "Obrolan ini tidak punya aturan pribadi."),
    "unwatched": (
        "Personal rule {n} removed: <code>{expr}</code>",
        "Aturan pribadi {n} dihapus: <code>{expr}</code>",
    ),
    "unwatched_all": ("All personal rules removed.", "Semua aturan pribadi dihapus."),
    "addsource_usage": (
        "Usage: /addsource URL [ID] — URL http(s), ID of a-z, 0-9 and -.",
        "Cara pakai: /addsource URL [ID] — URL http(s), ID dari a-z, 0-9 dan -.",
    ),
    "removesource_usage": (
        "Usage: /removesource ID — see /sources.",
        "Cara pakai: /removesource ID — lihat /sources.",
    ),
    "refresh_usage": (
        "Usage: /refresh [ID] — see /sources.",
        "Cara pakai: /refresh [ID] — lihat /sources.",
    ),
    "test_usage": (
        "Usage: /test TEXT (or reply /test to a message).",
        "Cara pakai: /test TEKS (atau balas sebuah pesan dengan /test).",
    ),
    "no_arguments": (
        "Usage: /{command} (no arguments).",
        "Cara pakai: /{command} (tanpa argumen).",
    ),
    "paused": (
        "Delivery paused: alerts queue until /resume.",
        "Pengiriman dijeda: peringatan mengantre sampai /resume.",
    ),
    "resumed": ("Delivery resumed.", "Pengiriman dilanjutkan."),
}


def t(lang: str, key: str, **values: object) -> str:
    """The template `key` in `lang` (English when `lang` is not in LANGUAGES), filled in."""
    en, id_ = _CATALOGUE[key]
    template = id_ if lang == "id" else en
    if not values:
        return template
    filled = {
        k: (v if isinstance(v, Safe) else html.escape(str(v), quote=False))
        for k, v in values.items()
    }
    return template.format_map(filled)


def pick(lang: str | None) -> str | None:
    """`lang` (or its base, `id` for `id-ID`) when the bot speaks it, else None."""
    if not lang:
        return None
    code = lang.lower().replace("_", "-")
    for candidate in (code, code.split("-")[0]):
        if candidate in LANGUAGES:
            return candidate
    return None


def language_name(code: str, in_lang: str) -> str:
    """`Indonesian (id)`: the language's name in `in_lang` and its code (the code if unknown)."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(in_lang)
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return f"{name} ({code})" if name else code


def catalogue() -> Mapping[str, tuple[str, str]]:
    """Every template (for tests: each key exists in every language with the same fields)."""
    return _CATALOGUE
