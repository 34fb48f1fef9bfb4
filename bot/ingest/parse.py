"""Feed documents to `ParsedFeed`: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, RDF (via feedparser) and
JSON Feed 1.0/1.1; feed-link discovery in HTML pages; a fast id scan for the cold path.

This is the only module that imports feedparser. Blocking: call it through `asyncio.to_thread`.

Character sets: the bytes are decoded (`bot.ingest.charset`) before feedparser sees them,
because a wrong label is common in the wild.
"""

from __future__ import annotations

import io
import json
import re
import xml.parsers.expat
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.analyze.language import normalize_code
from bot.errors import FeedError
from bot.ingest.charset import decode_page, to_utf8
from bot.ingest.normalize import parse_date
from bot.model import ParsedFeed, RawEntry

NO_FEED_LINK = "the server returned an HTML page without a feed link"
_FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/x-rss+xml",
    "text/xml",
    "application/xml",
}
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_SY_PERIOD = {"hourly": 3600, "daily": 86400, "weekly": 604800, "monthly": 2592000}


class FeedLinksFound(FeedError):
    """The body is an HTML page that links feeds: fetch `links[0]` instead."""

    def __init__(self, links: list[str]) -> None:
        super().__init__(f"the server returned an HTML page; its feed is at {links[0]}")
        self.links = links


def looks_like_html(body: bytes) -> bool:
    """True when the body starts like an HTML page rather than a feed."""
    return bool(_HTML_START.match(body[:4096]))


def parse_feed(
    body: bytes, *, url: str, content_type: str | None = None, charset: str | None = None
) -> ParsedFeed:
    """The feed in `body`; FeedError when it is empty, an HTML page (FeedLinksFound when the page
    links a feed) or no feed at all."""
    if not body.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise FeedError("empty body: the server returned no content")
    data, used_charset = to_utf8(body, charset)
    if looks_like_html(data):
        links = find_feed_links(data, url)
        if links:
            raise FeedLinksFound(links)
        raise FeedError(NO_FEED_LINK)
    if data.lstrip()[:1] in (b"{", b"[") or (content_type or "").endswith("json"):
        return parse_json_feed(data, url=url)
    return _parse_xml(data, url=url, content_type=content_type, charset=used_charset)


def _parse_xml(
    data: bytes, *, url: str, content_type: str | None, charset: str | None
) -> ParsedFeed:
    ctype = content_type or "application/xml"
    headers = {"content-location": url, "content-type": ctype}
    if charset:
        headers["content-type"] = f"{ctype}; charset={charset}"
    try:
        d = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as e:  # feedparser has no exception tree of its own
        raise FeedError(f"the feed could not be parsed: {e}") from e
    if not d.get("version") and not d.entries:
        why = d.get("bozo_exception")
        raise FeedError("the body is not an RSS, Atom or JSON feed" + (f" ({why})" if why else ""))
    feed = d.feed
    language = normalize_code(feed.get("language"))
    entries = tuple(_entry(e, language) for e in d.entries)
    return ParsedFeed(
        title=feed.get("title") or None,
        link=feed.get("link") or None,
        language=language,
        entries=entries,
        ttl_seconds=_ttl(feed),
    )


def _entry(e: Any, feed_language: str | None) -> RawEntry:
    content = "\n\n".join(str(c.get("value", "")) for c in e.get("content", []) if c.get("value"))
    return RawEntry(
        guid=(e.get("id") or "").strip() or None,
        link=(e.get("link") or "").strip() or None,
        title=e.get("title") or "",
        summary=e.get("summary") or "",
        content=content,
        published=_entry_date(e, feed_language),
        language=normalize_code(e.get("language")),
    )


def _entry_date(e: Any, language: str | None) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw = e.get(key)
        if raw:
            value = parse_date(str(raw), language=language)
            if value is not None:
                return value
            parsed = e.get(f"{key}_parsed")
            if parsed:
                return datetime(*parsed[:6]).replace(tzinfo=UTC)
    return None


def _ttl(feed: Any) -> float | None:
    ttl = str(feed.get("ttl") or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60.0
    period = _SY_PERIOD.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period is None:
        return None
    freq = str(feed.get("sy_updatefrequency") or "1").strip()
    return period / max(1, int(freq)) if freq.isdigit() else float(period)


def parse_json_feed(data: bytes, *, url: str) -> ParsedFeed:
    """A JSON Feed 1.0/1.1 document; FeedError for JSON that is not one."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FeedError(f"the body is not valid JSON: {e}") from e
    version = str(doc.get("version", "")) if isinstance(doc, dict) else ""
    if not version.startswith("https://jsonfeed.org/version/"):
        raise FeedError("the server returned JSON that is not a JSON Feed")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("the JSON Feed has no items list")
    language = normalize_code(_str(doc.get("language")))
    entries = tuple(_json_entry(it, language) for it in items if isinstance(it, dict))
    return ParsedFeed(
        title=_str(doc.get("title")),
        link=_str(doc.get("home_page_url")),
        language=language,
        entries=entries,
    )


def _str(value: object) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def _json_entry(item: dict[str, Any], feed_language: str | None) -> RawEntry:
    content = _str(item.get("content_html")) or ""
    text = _str(item.get("content_text"))
    if not content and text:
        content = escape(text).replace("\n\n", "<p>").replace("\n", "<br>")
    raw_date = _str(item.get("date_published")) or _str(item.get("date_modified"))
    return RawEntry(
        guid=_str(item.get("id")),
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=_str(item.get("title")) or "",
        summary=_str(item.get("summary")) or "",
        content=content,
        published=parse_date(raw_date, language=feed_language),
        language=normalize_code(_str(item.get("language"))),
    )


class _LinkFinder(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base":
            href = dict(attrs).get("href")
            self.base_url = urljoin(self.base_url, href) if href else self.base_url
        if tag != "link":
            return
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        rels = a.get("rel", "").lower().split()
        ctype = a.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and ctype in _FEED_TYPES and a.get("href"):
            self.links.append(urljoin(self.base_url, a["href"]))


def find_feed_links(body: bytes, base_url: str) -> list[str]:
    """Feed URLs an HTML page announces with <link rel="alternate" type="...rss/atom/json...">,
    absolute, in page order, each once."""
    text = decode_page(body, None)
    finder = _LinkFinder(base_url)
    finder.feed(text)
    finder.close()
    return list(dict.fromkeys(finder.links))


def is_feed_content_type(content_type: str | None) -> bool:
    """True for the media types feeds are served with."""
    return (content_type or "").split(";")[0].strip().lower() in _FEED_TYPES


_ITEM_TAGS = frozenset({"item", "entry"})
_ROOT_TAGS = frozenset({"rss", "feed", "RDF", "channel"})
_XML_BASE = "http://www.w3.org/XML/1998/namespace base"
_RDF_ABOUT = "http://www.w3.org/1999/02/22-rdf-syntax-ns# about"
_FIELD_TAGS = {"id": ("guid", "id"), "link": ("link",), "title": ("title",)}


class _Unsure(Exception):
    """The scan cannot promise feedparser's reading of this document."""


class _IdScanner:
    """expat handlers collecting guid/link/title of each item; no HTML, no dates."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.items: list[RawEntry] = []
        self.root: str | None = None
        self._item: dict[str, str] | None = None
        self._field: str | None = None
        self._text: list[str] = []
        self._depth = 0
        self._item_depth = 0
        self._permalink = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        self._depth += 1
        if self.root is None:
            self.root = tag
        if _XML_BASE in attrs:
            raise _Unsure  # xml:base changes how links resolve: leave it to feedparser
        if tag in _ITEM_TAGS:
            if self._item is not None:
                raise _Unsure  # items nested in items
            self._item = {}
            self._item_depth = self._depth
            about = attrs.get(_RDF_ABOUT)
            if about:
                self._item["id"] = about
        elif self._item is not None and self._depth == self._item_depth + 1:
            self._child(tag, attrs)

    def _child(self, tag: str, attrs: dict[str, str]) -> None:
        assert self._item is not None
        if tag == "link" and "href" in attrs:
            rel = attrs.get("rel", "alternate")
            if rel == "alternate" and "link" not in self._item:
                self._item["link"] = attrs["href"]
        elif tag in ("guid", "id"):
            permalink = {k.lower(): v for k, v in attrs.items()}.get("ispermalink", "true")
            self._permalink = permalink == "true"
            self._field, self._text = "id", []
        elif tag in ("link", "title") and tag not in self._item:
            self._field, self._text = tag, []

    def data(self, text: str) -> None:
        if self._field is not None:
            self._text.append(text)

    def end(self, name: str) -> None:
        tag = name.rpartition(" ")[2]
        if self._field is not None and self._item is not None and tag in _FIELD_TAGS[self._field]:
            value = "".join(self._text).strip()
            if self._field == "id" and self._permalink and value:
                value = urljoin(self.url, value)
                self._item.setdefault("guidlink", value)
            self._item[self._field] = value
            self._field = None
        elif tag in _ITEM_TAGS and self._item is not None and self._depth == self._item_depth:
            self._finish(self._item)
            self._item = None
        self._depth -= 1

    def _finish(self, item: dict[str, str]) -> None:
        link = urljoin(self.url, item["link"]) if item.get("link") else item.get("guidlink")
        self.items.append(
            RawEntry(
                guid=item.get("id") or None,
                link=link or None,
                title=item.get("title", ""),
            )
        )


def scan_ids(body: bytes, *, url: str, charset: str | None = None) -> list[RawEntry] | None:
    """Fast path for recording what a feed holds without alerting (a cold first fetch with
    backfill 0): guid, link and title of each item of a well-formed RSS/Atom/RDF document in an
    encoding expat reads. None when it cannot (then use `parse_feed`). About 20x faster than
    feedparser; the keys it yields match `parse_feed`'s for the same document."""
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        return None
    scanner = _IdScanner(url)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.data
    parser.buffer_text = True
    try:
        parser.Parse(body, True)
    except (xml.parsers.expat.ExpatError, ValueError, LookupError, _Unsure):
        return None
    if scanner.root not in _ROOT_TAGS:
        return None
    return scanner.items


__all__ = [
    "NO_FEED_LINK",
    "FeedLinksFound",
    "find_feed_links",
    "is_feed_content_type",
    "looks_like_html",
    "parse_feed",
    "parse_json_feed",
    "scan_ids",
]
