"""Parsing feed documents: every format gives the same items, and non-feeds give clear errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import FeedError
from bot.ingest import charset
from bot.ingest.parse import (
    NO_FEED_LINK,
    FeedLinksFound,
    find_feed_links,
    parse_feed,
    scan_ids,
)

URL = "http://news.example/feed"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Berita</title><link>http://news.example/</link>
<language>id-ID</language><ttl>30</ttl>
<item><title>Korut &amp; Rusia</title><link>/a/1</link><guid isPermaLink="false">id-1</guid>
<description>&lt;p&gt;Satu&lt;/p&gt;</description>
<pubDate>Tue, 07 May 2024 09:00:00 KST</pubDate></item>
<item><title>Kedua</title><link>http://news.example/a/2</link>
<pubDate>Tue, 07 May 2024 10:00:00 WIB</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ko"><title>News</title>
<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; news</title><id>urn:x:1</id>
<link rel="alternate" href="http://news.example/1"/><updated>2024-05-07T09:00:00+09:00</updated>
<content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://news.example/"><title>RDF</title><link>http://news.example/</link></channel>
<item rdf:about="http://news.example/r1"><title>One</title><link>http://news.example/r1</link></item>
</rdf:RDF>"""

JSON11 = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J", "language": "zh-Hant",
"items": [{"id": 7, "url": "http://news.example/j", "title": "T", "content_text": "a < b\\n\\nc",
"date_published": "2024-05-07T09:00:00Z", "language": "ja"}]}"""


def test_rss_items_dates_and_ttl() -> None:
    """RSS 2.0 gives items in order, KST/WIB dates read as their real zones, ttl in seconds."""
    feed = parse_feed(RSS, url=URL)
    assert feed.title == "Berita"
    assert feed.language == "id"
    assert feed.ttl_seconds == 1800
    first, second = feed.entries
    assert first.guid == "id-1"
    assert first.link == "http://news.example/a/1"
    assert first.published == datetime(2024, 5, 7, 0, 0, tzinfo=UTC)
    assert second.published == datetime(2024, 5, 7, 3, 0, tzinfo=UTC)
    assert "Satu" in first.summary


def test_atom_entry() -> None:
    """Atom 1.0 entries carry id, alternate link, content and an aware UTC date."""
    feed = parse_feed(ATOM, url=URL)
    (entry,) = feed.entries
    assert entry.guid == "urn:x:1"
    assert entry.link == "http://news.example/1"
    assert entry.published == datetime(2024, 5, 7, 0, 0, tzinfo=UTC)
    assert "Body" in entry.content
    assert feed.language == "ko"


def test_rdf_items() -> None:
    """RSS 1.0 (RDF) items are read with rdf:about as their id."""
    (entry,) = parse_feed(RDF, url=URL).entries
    assert entry.guid == "http://news.example/r1"
    assert entry.title == "One"


def test_json_feed_11() -> None:
    """JSON Feed 1.1: numeric ids, plain-text content kept as text, languages normalized."""
    feed = parse_feed(JSON11, url=URL, content_type="application/feed+json")
    (entry,) = feed.entries
    assert feed.language == "zh-tw"
    assert entry.language == "ja"
    assert entry.guid == "7"
    assert "a &lt; b" in entry.content
    assert entry.published == datetime(2024, 5, 7, 9, 0, tzinfo=UTC)


def test_json_that_is_not_a_feed() -> None:
    """Arbitrary JSON is a clear error, not an empty feed."""
    with pytest.raises(FeedError, match="not a JSON Feed"):
        parse_feed(b'{"hello": 1}', url=URL)


@pytest.mark.parametrize("body", [b"", b"   \n\t", b"\xef\xbb\xbf  "])
def test_empty_body(body: bytes) -> None:
    """An empty or blank body says so."""
    with pytest.raises(FeedError, match="empty body"):
        parse_feed(body, url=URL)


def test_garbage_is_not_a_feed() -> None:
    """A body that is neither XML feed, JSON Feed nor HTML is a clear error."""
    with pytest.raises(FeedError, match="not an RSS, Atom or JSON feed"):
        parse_feed(b"just some words, no markup at all", url=URL)


def test_body_is_never_read_as_a_file_name() -> None:
    """A body that happens to be a path is not opened as a local file."""
    with pytest.raises(FeedError):
        parse_feed(b"/etc/passwd", url=URL)


def test_html_page_with_and_without_feed_link() -> None:
    """An HTML page names its feed (absolute URL) or says it has none."""
    page = (
        b'<!doctype html><html><head><link rel="alternate" type="application/atom+xml"'
        b' href="/atom"></head></html>'
    )
    with pytest.raises(FeedLinksFound) as info:
        parse_feed(page, url="http://site.example/blog/")
    assert info.value.links == ["http://site.example/atom"]
    with pytest.raises(FeedError, match=NO_FEED_LINK):
        parse_feed(b"<html><body>hello</body></html>", url=URL)


def test_find_feed_links_kinds_and_order() -> None:
    """RSS, Atom and JSON feed links are found in page order, each once; stylesheets are not."""
    page = (
        b'<html><head><link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" type="application/rss+xml" href="rss.xml">'
        b'<link rel="alternate" type="application/feed+json" href="https://x.example/f.json">'
        b'<link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>'
    )
    assert find_feed_links(page, "http://site.example/a/") == [
        "http://site.example/a/rss.xml",
        "https://x.example/f.json",
    ]


def test_http_charset_passed_to_parser() -> None:
    """A body without declaration is read with the charset the HTTP header gave."""
    body = "<rss version='2.0'><channel><title>Новости</title></channel></rss>".encode("koi8-r")
    assert parse_feed(body, url=URL, charset="koi8-r").title == "Новости"


def test_labels_are_read_as_browsers_read_them() -> None:
    """A feed labelled gb2312 that uses a GBK character (镕, as in 朱镕基) reads whole, as a
    browser reads it: the label names the family, not the strict subset."""
    doc = "<rss version='2.0'><channel><item><title>朱镕基访问北京</title></item></channel></rss>"
    feed = parse_feed(doc.encode("gbk"), url=URL, charset="gb2312")
    assert feed.entries[0].title == "朱镕基访问北京"
    assert charset.decode(doc.encode("gbk"), "gb2312") == (doc, "gb2312")  # the label, no guess


def test_undeclared_latin1_is_readable() -> None:
    """Latin-1 bytes with no declaration anywhere come out as the right accented letters."""
    doc = (
        "<rss version='2.0'><channel><title>Notícias</title>"
        "<item><title>Eleição é amanhã</title></item></channel></rss>"
    )
    feed = parse_feed(doc.encode("latin-1"), url=URL)
    assert feed.entries[0].title == "Eleição é amanhã"


def test_utf16_with_bom() -> None:
    """A UTF-16 document with BOM is read."""
    doc = (
        '<?xml version="1.0" encoding="utf-16"?>'
        '<rss version="2.0"><channel><title>한국</title></channel></rss>'
    )
    assert parse_feed(doc.encode("utf-16"), url=URL).title == "한국"


@pytest.mark.parametrize("doc", [RSS, ATOM, RDF])
def test_scan_matches_full_parse(doc: bytes) -> None:
    """The fast id scan gives the same guid, link and title as the full parse."""
    scanned = scan_ids(doc, url=URL)
    assert scanned is not None
    full = parse_feed(doc, url=URL).entries
    assert [(e.guid, e.link) for e in scanned] == [(e.guid, e.link) for e in full]


def test_scan_declines_what_it_cannot_promise() -> None:
    """Malformed XML, HTML entities, xml:base and other charsets fall back to the full parse."""
    assert (
        scan_ids(b"<rss><channel><item><title>&nbsp;</title></item></channel></rss>", url=URL)
        is None
    )
    assert scan_ids(b"<rss><channel><item>", url=URL) is None
    assert scan_ids(RSS, url=URL, charset="windows-1251") is None
    assert scan_ids(b'<feed xml:base="http://o.example/"><entry/></feed>', url=URL) is None
