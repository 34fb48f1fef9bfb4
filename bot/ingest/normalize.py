"""Feed text, links and dates made uniform: plain text, canonical URLs, aware UTC datetimes.

Pure: no I/O and no clock reads; `normalize_entry` is given `now` (the first-seen time).

Time-zone abbreviations: RFC 822 names only the US zones, and feedparser reads any other
abbreviation ("KST", "WIB") as UTC, which shifts an article by hours. `parse_date` reads the
abbreviations listed in `TZ_OFFSETS`. Three are ambiguous; the choice is documented here:

- ``CST`` is US Central (-06:00) as RFC 822 defines it, except in a feed declaring Chinese
  (``zh*``), where it is China Standard Time (+08:00).
- ``IST`` is India (+05:30), except in a Hebrew feed (Israel, +02:00) or an Irish one (+01:00).
- ``AST`` is Atlantic (-04:00), except in an Arabic feed (Arabia, +03:00).

A date more than `FUTURE_SLACK` ahead of the first-seen time is clamped to it: a wrongly read
zone must not keep an old item looking new.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bot.model import Article, ParsedFeed, RawEntry, Source, SourceId

FUTURE_SLACK = timedelta(minutes=10)

_H = 3600
TZ_OFFSETS: dict[str, float] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
    "EST": -5 * _H, "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H,
    "MST": -7 * _H, "MDT": -6 * _H, "PST": -8 * _H, "PDT": -7 * _H,
    "AKST": -9 * _H, "AKDT": -8 * _H, "HST": -10 * _H, "AST": -4 * _H, "ADT": -3 * _H,
    "NST": -3.5 * _H, "BRT": -3 * _H, "ART": -3 * _H,
    "BST": 1 * _H, "IST": 5.5 * _H, "WEST": 1 * _H, "CET": 1 * _H, "CEST": 2 * _H,
    "MET": 1 * _H, "MEST": 2 * _H, "EET": 2 * _H, "EEST": 3 * _H, "MSK": 3 * _H,
    "WAT": 1 * _H, "CAT": 2 * _H, "SAST": 2 * _H, "EAT": 3 * _H, "TRT": 3 * _H,
    "IRST": 3.5 * _H, "GST": 4 * _H, "PKT": 5 * _H, "NPT": 5.75 * _H, "BDT": 6 * _H,
    "ICT": 7 * _H, "WIB": 7 * _H, "WITA": 8 * _H, "WIT": 9 * _H,
    "SGT": 8 * _H, "MYT": 8 * _H, "HKT": 8 * _H, "PHT": 8 * _H, "AWST": 8 * _H,
    "KST": 9 * _H, "JST": 9 * _H, "ACST": 9.5 * _H, "ACDT": 10.5 * _H,
    "AEST": 10 * _H, "AEDT": 11 * _H, "NZST": 12 * _H, "NZDT": 13 * _H,
}  # fmt: skip
_BY_LANGUAGE: dict[tuple[str, str], float] = {
    ("CST", "zh"): 8 * _H,
    ("IST", "he"): 2 * _H,
    ("IST", "ga"): 1 * _H,
    ("AST", "ar"): 3 * _H,
}

_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid"
    r"|ref_src|ref_url|cmpid|ocid|__twitter_impression|at_medium|at_campaign|spm|mkt_tok)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre", "ul",
     "ol", "dl", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption",
     "form", "hr", "main", "nav", "address"}
)  # fmt: skip
_LINE_TAGS = frozenset({"br", "li", "dt", "dd", "td", "th", "caption"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[^\S\n]+")
_BREAKS = re.compile(r"\n{3,}")
_PARA = "\x00"  # paragraph mark while collecting text; never left in the output


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
        elif tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
        elif tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARA)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", " ").replace("\r", " "))


def clean_text(text: str) -> str:
    """NFC, invisible characters removed, spaces collapsed, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs as blank lines, <br> as line breaks."""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    joined = "".join(parser.parts).replace(_PARA, "\n\n")
    return clean_text(joined)


def one_line(text: str) -> str:
    """Text folded onto one line (for titles)."""
    return " ".join(text.split())


def canonical_url(url: str) -> str:
    """The URL two links to one article share: tracking parameters, fragment and default port
    dropped, scheme and host lower-cased, remaining parameters sorted. Idempotent."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    if parts.username:
        cred = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{cred}@{netloc}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


_TZ_TAIL = re.compile(r"\s*\(?([A-Za-z]{1,5})\)?\s*$")
_ISO_HINT = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _offset_for(abbrev: str, language: str | None) -> float | None:
    base = (language or "").lower()[:2]
    return _BY_LANGUAGE.get((abbrev, base), TZ_OFFSETS.get(abbrev))


def _parse_rfc822(raw: str, language: str | None) -> datetime | None:
    offset: float | None = None
    match = _TZ_TAIL.search(raw)
    text = raw
    if match and match.group(1).upper() in TZ_OFFSETS:
        offset = _offset_for(match.group(1).upper(), language)
        text = raw[: match.start()] + " +0000"
    parsed = parsedate_tz(text)
    if parsed is None:
        return None
    try:
        naive = datetime(*parsed[:6])
    except ValueError:
        return None
    seconds = offset if offset is not None else float(parsed[9] or 0)
    return (naive - timedelta(seconds=seconds)).replace(tzinfo=UTC)


def _parse_iso(raw: str) -> datetime | None:
    text = raw.strip().replace(" ", "T", 1)
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(raw: str | None, *, language: str | None = None) -> datetime | None:
    """An aware UTC datetime from an RFC 822 or ISO 8601 string, reading the zone abbreviations
    of `TZ_OFFSETS` (with the language hint for CST/IST/AST); None when unreadable."""
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    if _ISO_HINT.match(raw):
        return _parse_iso(raw)
    return _parse_rfc822(raw, language)


def _first_line(text: str, limit: int = 120) -> str:
    line = one_line(text)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def normalize_entry(
    raw: RawEntry, *, source: Source, feed: ParsedFeed, base_url: str, now: datetime
) -> Article:
    """The Article for one feed item; `now` is its first-seen time (used when it has no date)."""
    link = urljoin(base_url, raw.link.strip()) if raw.link and raw.link.strip() else ""
    if not link and raw.guid and raw.guid.startswith(("http://", "https://")):
        link = raw.guid.strip()
    title = one_line(html_to_text(raw.title))
    summary = html_to_text(raw.summary)
    content = html_to_text(raw.content)
    if content == summary:
        content = ""
    if not title:
        title = _first_line(summary or content)
    guid = (raw.guid or "").strip() or link or _title_guid(title, summary)
    published, known = _published(raw.published, now)
    return Article(
        source_id=SourceId(source.id),
        source_name=source.name or (one_line(feed.title) if feed.title else "") or source.id,
        guid=guid,
        url=canonical_url(link) if link else "",
        link=link,
        title=title,
        summary=summary,
        content=content,
        published=published,
        published_known=known,
        feed_language=raw.language or feed.language,
        source_language=source.language,
    )


def _title_guid(title: str, summary: str) -> str:
    digest = hashlib.blake2b(f"{title}\n{summary}".encode(), digest_size=12).hexdigest()
    return f"hash:{digest}"


def _published(value: datetime | None, now: datetime) -> tuple[datetime, bool]:
    now = now.astimezone(UTC)
    if value is None:
        return now, False
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    value = value.astimezone(UTC)
    return (now, True) if value > now + FUTURE_SLACK else (value, True)


__all__ = [
    "TZ_OFFSETS",
    "canonical_url",
    "clean_text",
    "html_to_text",
    "normalize_entry",
    "one_line",
    "parse_date",
]
