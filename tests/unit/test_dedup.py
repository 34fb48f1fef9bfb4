"""Seeing each story once: within a source by guid/URL/title, across sources by URL and title."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.analyze.dedup import near_duplicate, seen_keys, story_keys, title_simhash
from bot.ingest.normalize import canonical_url
from bot.model import Article, SourceId


def _article(guid: str, link: str, title: str) -> Article:
    return Article(
        source_id=SourceId("s"), source_name="S", guid=guid, url=canonical_url(link), link=link,
        title=title, published=datetime(2024, 5, 7, tzinfo=UTC),
    )  # fmt: skip


def test_seen_keys_in_priority_order() -> None:
    """An item is identified by guid, then canonical URL, then title."""
    keys = seen_keys(_article("g1", "http://a.example/1", "North Korea sends troops to Russia"))
    assert [k.split(":")[0] for k in keys] == ["guid", "url", "title"]


def test_republished_with_new_guid_shares_url_and_title_keys() -> None:
    """The same link with new tracking parameters and a new guid still shares keys."""
    a = _article("g1", "http://a.example/1?utm_source=x", "North Korea sends troops to Russia")
    b = _article("g2", "http://A.example/1#top", "North Korea sends troops to Russia!")
    shared = set(seen_keys(a)) & set(seen_keys(b))
    assert len(shared) == 2
    assert not any(k.startswith("guid:") for k in shared)


def test_different_stories_share_no_key() -> None:
    """Two different items of one source have no key in common."""
    a = _article("g1", "http://a.example/1", "North Korea sends troops to Russia")
    b = _article("g2", "http://a.example/2", "Parliament passes the budget bill")
    assert not set(seen_keys(a)) & set(seen_keys(b))


def test_short_titles_are_no_evidence() -> None:
    """A title like "Live" does not make two items the same."""
    assert not any(k.startswith("title:") for k in seen_keys(_article("g", "", "Live")))
    assert title_simhash("Live") == 0
    assert not near_duplicate(0, 0)


def test_story_keys_by_canonical_url() -> None:
    """Two outlets linking the same article (one with tracking) share a story key."""
    a = _article("x", "https://wire.example/story?utm_medium=rss", "A")
    b = _article("y", "https://WIRE.example/story", "B")
    assert story_keys(a) == story_keys(b) != []


def test_near_duplicate_titles() -> None:
    """One story's headline as told by different outlets is a near-duplicate."""
    pairs = [
        ("North Korea sends troops to Russia, Seoul says",
         "North Korea sends troops to Russia - Seoul says"),
        ("Korea Utara Kirim Pasukan ke Rusia", "Korea Utara kirim pasukan ke Rusia!"),
        ("북한, 러시아에 병력 파견", "북한 러시아에 병력 파견"),
        ("North Korea sends troops to Russia, Seoul says",
         "Seoul says North Korea sends troops to Russia"),
        ("Kim Jong Un meets Putin in Vladivostok", "Putin meets Kim Jong Un in Vladivostok"),
    ]  # fmt: skip
    for a, b in pairs:
        assert near_duplicate(title_simhash(a), title_simhash(b)), (a, b)


def test_different_titles_are_not_near_duplicates() -> None:
    """Unrelated headlines, even on the same topic, are not merged."""
    titles = [
        "North Korea sends troops to Russia",
        "Russia and China sign new energy deal",
        "South Korea's central bank holds rates steady",
        "North Korea test-fires ballistic missile into sea",
        "Floods in Jakarta displace thousands",
    ]
    hashes = [title_simhash(t) for t in titles]
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            assert not near_duplicate(a, b)
