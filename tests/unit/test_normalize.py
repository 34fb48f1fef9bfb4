"""Normalizing feed items: readable text, canonical links, right times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ingest.normalize import canonical_url, html_to_text, normalize_entry, parse_date
from bot.model import ParsedFeed, RawEntry, Source, SourceId

NOW = datetime(2024, 5, 7, 12, 0, tzinfo=UTC)
SOURCE = Source(id=SourceId("yna"), url="http://yna.example/rss")
FEED = ParsedFeed(title="Yonhap", link=None, language="ko", entries=())


def test_html_to_text_keeps_paragraphs() -> None:
    """Paragraphs become blank lines, <br> a line break, entities are unescaped, scripts vanish."""
    html = "<p>First&nbsp;line<br>second &amp; more</p><script>x()</script><p>Next  para</p>"
    assert html_to_text(html) == "First line\nsecond & more\n\nNext para"


def test_html_to_text_normalizes_unicode() -> None:
    """Decomposed accents are composed and invisible characters removed."""
    assert html_to_text("Cafe\u0301\u200b  au lait") == "Café au lait"


@given(st.text())
def test_html_to_text_is_idempotent_on_plain_text(text: str) -> None:
    """Cleaning text twice changes nothing more."""
    once = html_to_text(text.replace("<", "").replace("&", ""))
    assert html_to_text(once) == once


def test_canonical_url_drops_tracking() -> None:
    """utm_*, fbclid, gclid and the fragment are dropped, the host lower-cased, port 80 dropped."""
    url = "HTTP://News.Example.COM:80/a/b?utm_source=x&id=5&fbclid=y&gclid=z&UTM_medium=q#top"
    assert canonical_url(url) == "http://news.example.com/a/b?id=5"


def test_canonical_url_keeps_meaningful_parts() -> None:
    """Other parameters (sorted), non-default ports and the path case survive."""
    assert (
        canonical_url("https://x.example:8443/Path?b=2&a=1")
        == "https://x.example:8443/Path?a=1&b=2"
    )


@given(
    st.from_regex(
        r"https?://[A-Za-z0-9.-]{1,20}(:[0-9]{1,4})?/[A-Za-z0-9/._-]{0,20}(\?[a-z_]{1,8}=[A-Za-z0-9]{0,5}(&[a-z_]{1,8}=[A-Za-z0-9]{0,5}){0,3})?(#[a-z]{0,5})?",
        fullmatch=True,
    )
)
def test_canonical_url_is_idempotent(url: str) -> None:
    """Canonicalizing a canonical URL gives it back unchanged."""
    once = canonical_url(url)
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("raw", "language", "utc_hour"),
    [
        ("Tue, 07 May 2024 18:00:00 KST", None, 9),
        ("Tue, 07 May 2024 18:00:00 JST", None, 9),
        ("Tue, 07 May 2024 18:00:00 WIB", None, 11),
        ("Tue, 07 May 2024 18:00:00 WITA", None, 10),
        ("Tue, 07 May 2024 18:00:00 WIT", None, 9),
        ("Tue, 07 May 2024 18:00:00 MSK", None, 15),
        ("Tue, 07 May 2024 18:00:00 SGT", None, 10),
        ("Tue, 07 May 2024 18:00:00 PHT", None, 10),
        ("Tue, 07 May 2024 18:00:00 ICT", None, 11),
        ("Tue, 07 May 2024 18:00:00 HKT", None, 10),
        ("Tue, 07 May 2024 18:00:00 CST", None, 0),  # RFC 822: US Central
        ("Tue, 07 May 2024 18:00:00 CST", "zh", 10),  # a Chinese feed: China
        ("Tue, 07 May 2024 18:00:00 +0900", None, 9),
        ("Tue, 07 May 2024 18:00:00 GMT", None, 18),
        ("2024-05-07T18:00:00+09:00", None, 9),
        ("2024-05-07T18:00:00Z", None, 18),
    ],
)
def test_dates_with_zone_abbreviations(raw: str, language: str | None, utc_hour: int) -> None:
    """Zone abbreviations are read as their real offsets, giving aware UTC times."""
    value = parse_date(raw, language=language)
    assert value is not None
    assert value.tzinfo is UTC
    assert value.hour == utc_hour


def test_india_time_has_half_hour() -> None:
    """IST is India's +05:30."""
    assert parse_date("Tue, 07 May 2024 18:00:00 IST") == datetime(2024, 5, 7, 12, 30, tzinfo=UTC)


def test_unreadable_date_is_none() -> None:
    """Nonsense gives None (the caller uses the first-seen time)."""
    assert parse_date("yesterday-ish") is None
    assert parse_date("") is None


def test_entry_without_date_gets_first_seen_time() -> None:
    """An item with no date is stamped with the time it was first seen, marked as such."""
    raw = RawEntry(guid=None, link="/news/1?utm_source=rss", title="<b>Judul</b>")
    art = normalize_entry(raw, source=SOURCE, feed=FEED, base_url="http://yna.example/rss", now=NOW)
    assert art.published == NOW
    assert not art.published_known
    assert art.link == "http://yna.example/news/1?utm_source=rss"
    assert art.url == "http://yna.example/news/1"
    assert art.guid == art.link
    assert art.title == "Judul"
    assert art.source_name == "Yonhap"
    assert art.feed_language == "ko"


def test_future_date_is_clamped() -> None:
    """A date hours in the future (a misread zone) does not keep the item looking new."""
    raw = RawEntry(guid="g", link=None, title="t", published=NOW + timedelta(hours=9))
    art = normalize_entry(raw, source=SOURCE, feed=FEED, base_url="http://yna.example/", now=NOW)
    assert art.published == NOW


def test_title_from_summary_when_missing() -> None:
    """An item without a title is titled by the start of its text."""
    raw = RawEntry(guid="g", link=None, title="", summary="<p>North Korea fired a missile.</p>")
    art = normalize_entry(raw, source=SOURCE, feed=FEED, base_url="http://yna.example/", now=NOW)
    assert art.title == "North Korea fired a missile."
