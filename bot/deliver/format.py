"""Alerts and digests as Telegram HTML (pure: no I/O, no clock).

An alert, top to bottom:
    <b>translated headline</b>          (when the article was translated)
    original headline                  (bold when it is the only headline)
    ▸ key lines, hits in bold           (translated lines when there are; a hit whose text survives
                                         translation verbatim, such as a name, is bold there too,
                                         and the original lines follow in a collapsed quote with
                                         their hits in bold, since hits cannot be located otherwise)
    summary                            (only when there are no key lines)
    ↳ outlet (language): headline      (the story from outlets in other languages, linked)
    source · other outlets, time in the chat's zone, language, rule names and #RuleNames
    a link to the article, and an "Open" button
Every piece of feed text is escaped. The HTML stays within 4096 characters (and so does the text
Telegram shows): key lines go first, then the summary, then the headlines are shortened; the link
always stays. The bot's own words come from `bot.deliver.catalogue`, in 18 languages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from bot.deliver.catalogue import words_for
from bot.model import ChatPrefs, KeyLine, RenderedMessage, Story, Translation

MAX_LENGTH = 4096
MAX_KEY_LINES = 3
MAX_OTHER_SOURCES = 8
MAX_RULES = 8
MAX_RELATED = 5  # the story from outlets in other languages (`bot.retold` adds at most these)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
_ANCHOR = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)


def tr(language: str | None, key: str, **values: object) -> str:
    """The bot's own words for `key` in `language` (English when there is no such catalogue)."""
    return words_for(language)[key].format(**values)


def escape(text: str) -> str:
    """Text safe inside Telegram HTML: & < > " escaped, control characters dropped."""
    return html.escape(_CONTROL.sub("", text), quote=True).replace("&#x27;", "'")


def to_plain(markup: str) -> str:
    """HTML we rendered as plain text: links written out, tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", _ANCHOR.sub(r"\2: \1", markup)))


def _clip(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def _bold_spans(line: KeyLine, limit: int) -> str:
    text, out, pos = line.text, [], 0
    for start, end in sorted(line.spans):
        if start < pos or end <= start or end > len(text):
            continue
        out += [escape(text[pos:start]), "<b>", escape(text[start:end]), "</b>"]
        pos = end
    out.append(escape(text[pos:]))
    rendered = "".join(out)
    if len(line.text) > limit:  # too long to show whole: show it plain and clipped
        return escape(_clip(line.text, limit))
    return _SPACES.sub(" ", rendered).strip()


def _bold_words(text: str, words: Sequence[str]) -> str:
    """`text` escaped, with every case-insensitive occurrence of `words` in bold."""
    wanted = sorted({w for w in words if len(w.strip()) >= 3}, key=len, reverse=True)
    if not wanted:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in wanted), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [escape(text[pos : m.start()]), "<b>", escape(m.group()), "</b>"]
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _hashtag(name: str, fallback: str) -> str:
    words = re.findall(r"\w+", name)
    tag = "".join(w[:1].upper() + w[1:] for w in words) or re.sub(r"\W", "_", fallback)
    return "#" + tag[:40]


def _when(published: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = published.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or timezone)


def _language_name(code: str | None, ui: str | None) -> str:
    if not code:
        return "?"
    try:
        name = Locale.parse((ui or "en").replace("-", "_")).languages.get(code.split("-")[0])
    except (UnknownLocaleError, ValueError):
        name = None
    return f"{name} ({code})" if name else code


def _translated(story: Story, translation: Translation | None) -> Translation | None:
    if translation is None or translation.failed or not translation.title:
        return None
    if translation.title.strip() == story.article.title.strip() and not translation.key_lines:
        return None
    return translation


def _headlines(story: Story, tr_: Translation | None, title_limit: int, ui: str | None) -> str:
    original = _clip(story.article.title, title_limit) or tr(ui, "untitled")
    if tr_ is None or tr_.title is None:
        return f"<b>{escape(original)}</b>"
    return f"<b>{escape(_clip(tr_.title, title_limit))}</b>\n<i>{escape(original)}</i>"


def _key_lines(story: Story, tr_: Translation | None, count: int, ui: str | None) -> str:
    lines = story.key_lines[: min(count, MAX_KEY_LINES)]
    if not lines:
        return ""
    originals = [_bold_spans(line, 600) for line in lines]
    if tr_ is None or not tr_.key_lines:
        return "\n".join(f"▸ {o}" for o in originals)
    hits = [line.text[s:e] for line in lines for s, e in line.spans]
    shown = [_bold_words(_clip(t, 600), hits) for t in tr_.key_lines[: len(lines)]]
    quote = "\n".join(originals)
    return (
        "\n".join(f"▸ {t}" for t in shown)
        + f"\n<blockquote expandable>{escape(tr(ui, 'original'))}\n{quote}</blockquote>"
    )


def _meta(story: Story, prefs: ChatPrefs, ui: str | None) -> str:
    article = story.article
    source = f"📰 {escape(_clip(article.source_name, 100))}"
    if article.source_id != article.source_name:  # the id admins use in /refresh, /sources
        source += f" ({escape(article.source_id)})"
    others = [escape(_clip(s, 60)) for s in story.other_sources[:MAX_OTHER_SOURCES]]
    if others:
        extra = len(story.other_sources) - len(others)
        if extra > 0:
            others.append(escape(tr(ui, "more", n=extra)))
        label = tr(ui, "also")
        gap = "" if label.endswith("：") else " "  # a full-width colon holds its own space
        source += f" · {escape(label)}{gap}{escape(tr(ui, 'sep')).join(others)}"
    when = ("≈" if not article.published_known else "") + _when(article.published, prefs.timezone)
    lines = [source, f"🕒 {escape(when)} · 🌐 {escape(_language_name(story.language, ui))}"]
    rules = story.rules[:MAX_RULES]
    if rules:  # the rules by name (what /rules lists), then as hashtags to find related alerts
        names = dict.fromkeys(_clip(r.name, 80) for r in rules)
        lines.append(f"📌 {escape(' · '.join(names))}")
        lines.append(escape(" ".join(dict.fromkeys(_hashtag(r.name, r.id) for r in rules))))
    return "\n".join(lines)


def _related(story: Story, count: int, ui: str | None) -> str:
    """The story as outlets in other languages told it: source, language, linked headline."""
    out = []
    for r in story.related[:count]:
        head = escape(_clip(r.source_name, 60)) + (f" ({escape(r.language)})" if r.language else "")
        title = escape(_clip(r.title, 200) or tr(ui, "untitled"))
        if r.link.startswith(("http://", "https://")) and len(r.link) <= 500:
            title = f'<a href="{escape(r.link)}">{title}</a>'
        out.append(f"↳ {head}: {title}")
    return "\n".join(out)


def _link(story: Story, ui: str | None) -> str:
    return f'🔗 <a href="{escape(story.article.link)}">{escape(tr(ui, "read"))}</a>'


def _compose(
    story: Story, translation: Translation | None, prefs: ChatPrefs, *, lines: int, summary: int,
    title: int, related: int,
) -> str:  # fmt: skip
    ui = prefs.language
    tr_ = _translated(story, translation)
    parts = [_headlines(story, tr_, title, ui)]
    if translation is not None and translation.failed:
        parts[0] += f"\n<i>{escape(tr(ui, 'translation_failed'))}</i>"
    body = _key_lines(story, tr_, lines, ui)
    if not story.key_lines and story.article.summary and summary > 0:
        body = escape(_clip(story.article.summary, summary))
    parts += [body, _related(story, related, ui), _meta(story, prefs, ui), _link(story, ui)]
    return "\n\n".join(p for p in parts if p)


def _variants() -> list[tuple[int, int, int, int]]:
    """(key lines, summary chars, title chars, related outlets), from the richest alert to the
    leanest."""
    out = [(MAX_KEY_LINES, 400, 1000, MAX_RELATED), (2, 400, 1000, MAX_RELATED)]
    out += [(n, 400, 1000, 2) for n in (2, 1, 0)]  # a key line outweighs three retellings
    out += [(0, s, 1000, 2) for s in (200, 80, 0)]
    out += [(0, 0, 1000, 0)]
    out += [(0, 0, t, 0) for t in (500, 250, 120, 60, 20)]
    return out


def render_alert(
    story: Story, translation: Translation | None, prefs: ChatPrefs
) -> RenderedMessage:
    """One alert for one chat, HTML within 4096 characters, with a plain-text fallback."""
    text = plain = ""
    for lines, summary, title, related in _variants():
        text = _compose(
            story, translation, prefs, lines=lines, summary=summary, title=title, related=related
        )
        plain = to_plain(text)
        if len(text) <= MAX_LENGTH and len(plain) <= MAX_LENGTH:
            break
    link = story.article.link
    button = link if link.startswith(("http://", "https://")) and len(link) <= 2048 else None
    return RenderedMessage(
        text=text,
        parse_mode="HTML",
        button_url=button,
        button_text=tr(prefs.language, "open") if button else None,
        disable_preview=not prefs.link_preview,
        plain_text=plain,
    )


def _chunks(texts: Sequence[str], header: str, separator: str, lead: str = "") -> list[str]:
    """`texts` joined into as few messages as fit; the first starts with `header`, each later one
    with `lead` where it fits."""
    chunks: list[str] = []
    current = header
    for text in texts:
        candidate = f"{current}{separator}{text}" if current else text
        if len(candidate) <= MAX_LENGTH:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if len(text) > MAX_LENGTH:
            text = escape(_clip(to_plain(text), 4000))
        current = lead + text if len(lead + text) <= MAX_LENGTH else text
    if current:
        chunks.append(current)
    return chunks


def render_digest(texts: Sequence[str], *, language: str | None) -> list[RenderedMessage]:
    """Alerts held during /mute as few messages as possible, each within 4096 characters.

    `texts` are rendered alerts (HTML, each within the limit); they are never cut in the middle.
    """
    if not texts:
        return []
    header = f"<b>{escape(tr(language, 'digest', n=len(texts)))}</b>"
    more = f"<i>{escape(tr(language, 'digest_cont'))}</i>\n\n"  # on the messages after the first
    chunks = _chunks(texts, header, "\n\n— — —\n\n", lead=more)
    return [
        RenderedMessage(
            text=c, parse_mode="HTML", plain_text=_fit(to_plain(c)), disable_preview=True
        )
        for c in chunks
    ]


def _fit(text: str) -> str:
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"
