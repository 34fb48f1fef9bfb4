"""Fetching feeds from the local feed server: what a source's admin would see go right or wrong."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import FeedError, FetchError
from bot.ingest.fetch import FetchLimits, fetch, make_session
from bot.ingest.intake import fetch_feed, http_fetcher
from bot.ingest.parse import NO_FEED_LINK
from tests.servers.feeds import FeedServer

FAST = FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=3)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with make_session(FAST) as s:
        yield s


def _story(server: FeedServer, path: str = "/feed.xml") -> None:
    server.add_item(path, "Korut kirim pasukan ke Rusia", "http://news.example/1")


async def test_second_fetch_with_validators_is_not_modified(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """A feed that has not changed answers 304 and nothing is downloaded again."""
    _story(feed_server)
    first = await fetch(session, feed_server.url("/feed.xml"), allow_private=True, limits=FAST)
    again = await fetch(
        session, feed_server.url("/feed.xml"), etag=first.etag,
        last_modified=first.last_modified, allow_private=True, limits=FAST,
    )  # fmt: skip
    assert first.status == 200
    assert b"Korut" in first.body
    assert again.not_modified
    assert again.status == 304
    assert again.body == b""
    assert feed_server.requests["/feed.xml"][1]["If-None-Match"] == first.etag


async def test_changed_feed_is_downloaded_again(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """After a new item the conditional request gets the new body, not a 304."""
    _story(feed_server)
    first = await fetch(session, feed_server.url("/feed.xml"), allow_private=True, limits=FAST)
    feed_server.add_item("/feed.xml", "Second story", "http://news.example/2")
    again = await fetch(
        session, feed_server.url("/feed.xml"), etag=first.etag, allow_private=True, limits=FAST
    )
    assert not again.not_modified
    assert b"Second story" in again.body


async def test_429_carries_retry_after(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """A 429 becomes a FetchError that says the status and how long the server asked to wait."""
    feed_server.set_status("/busy.xml", 429, retry_after="120")
    with pytest.raises(FetchError) as info:
        await fetch(session, feed_server.url("/busy.xml"), allow_private=True, limits=FAST)
    assert info.value.status == 429
    assert info.value.retry_after == 120
    assert "429" in str(info.value)
    assert "120" in str(info.value)


async def test_500_is_a_clear_error(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """A server error is reported with its status code."""
    feed_server.set_status("/broken.xml", 500)
    with pytest.raises(FetchError, match="HTTP 500") as info:
        await fetch(session, feed_server.url("/broken.xml"), allow_private=True, limits=FAST)
    assert info.value.status == 500


async def test_slow_body_times_out(feed_server: FeedServer, session: aiohttp.ClientSession) -> None:
    """A server that stalls mid-body is given up on after the total timeout."""
    feed_server.set_slow("/slow.xml", b"<rss>" + b" " * 10_000 + b"</rss>", delay=30)
    limits = FetchLimits(connect_timeout=1, read_timeout=5, total_timeout=0.5)
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        await fetch(session, feed_server.url("/slow.xml"), allow_private=True, limits=limits)


@pytest.mark.parametrize("chunked", [False, True])
async def test_oversized_body_is_refused(
    feed_server: FeedServer, session: aiohttp.ClientSession, chunked: bool
) -> None:
    """A body over the size cap is refused, with or without a Content-Length."""
    feed_server.set_oversized("/big.xml", 3_000_000, chunked=chunked)
    limits = FetchLimits(max_bytes=1_000_000)
    with pytest.raises(FetchError, match="1000000-byte limit"):
        await fetch(session, feed_server.url("/big.xml"), allow_private=True, limits=limits)


async def test_gzip_bomb_is_refused(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """A tiny gzip body that inflates to 200 MB stops at the cap on decompressed bytes."""
    feed_server.set_gzip_bomb("/bomb.xml", 200_000_000)
    limits = FetchLimits(max_bytes=2_000_000)
    with pytest.raises(FetchError, match="once decompressed"):
        await fetch(session, feed_server.url("/bomb.xml"), allow_private=True, limits=limits)


async def test_redirect_loop_is_named(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """Redirects that go round in circles end with an error saying so."""
    feed_server.set_redirect_loop("/loop.xml")
    with pytest.raises(FetchError, match="redirect loop"):
        await fetch(session, feed_server.url("/loop.xml"), allow_private=True, limits=FAST)


async def test_too_many_redirects(feed_server: FeedServer, session: aiohttp.ClientSession) -> None:
    """A redirect chain longer than the limit is refused."""
    for n in range(4):
        feed_server.set_redirect(f"/r{n}", f"/r{n + 1}", status=302)
    _story(feed_server, "/r4")
    limits = FetchLimits(max_redirects=2)
    with pytest.raises(FetchError, match="more than 2 redirects"):
        await fetch(session, feed_server.url("/r0"), allow_private=True, limits=limits)


@pytest.mark.parametrize(("status", "moved"), [(301, True), (308, True), (302, False)])
async def test_permanent_redirect_is_recorded(
    feed_server: FeedServer, session: aiohttp.ClientSession, status: int, moved: bool
) -> None:
    """A feed that moved for good (301/308) reports its new URL; a temporary move does not."""
    _story(feed_server, "/new.xml")
    feed_server.set_redirect("/old.xml", "/new.xml", status=status)
    result = await fetch(session, feed_server.url("/old.xml"), allow_private=True, limits=FAST)
    assert b"Korut" in result.body
    assert result.final_url == feed_server.url("/new.xml")
    assert result.permanent_url == (feed_server.url("/new.xml") if moved else None)


async def test_html_page_with_feed_link_is_followed(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """Adding a site's home page finds the feed it links and reads that feed."""
    _story(feed_server, "/rss.xml")
    feed_server.set_html("/", feed_link="/rss.xml")
    got = await fetch_feed(http_fetcher(session, FAST), feed_server.url("/"), allow_private=True)
    assert got.url == feed_server.url("/rss.xml")
    assert got.feed is not None
    assert got.feed.entries[0].title == "Korut kirim pasukan ke Rusia"


async def test_html_page_without_feed_link_is_a_clear_error(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """A page that is no feed and links none is an error saying exactly that, not zero items."""
    feed_server.set_html("/", feed_link=None)
    with pytest.raises(FeedError, match=NO_FEED_LINK):
        await fetch_feed(http_fetcher(session, FAST), feed_server.url("/"), allow_private=True)


async def test_empty_body_is_a_clear_error(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """An empty 200 answer is a source error, not an empty feed."""
    feed_server.set_empty("/empty.xml")
    with pytest.raises(FeedError, match="empty body"):
        await fetch_feed(
            http_fetcher(session, FAST), feed_server.url("/empty.xml"), allow_private=True
        )


async def test_wrong_charset_label_still_reads(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """UTF-8 served as ISO-8859-1, and windows-1251 served as UTF-8, both come out readable."""
    doc = (
        '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>Вести</title>'
        "<item><title>Войска КНДР в России</title><link>http://x.example/1</link></item>"
        "</channel></rss>"
    )
    feed_server.set_wrong_charset(
        "/a.xml", doc.format(enc="utf-8"), encoding="utf-8", label="iso-8859-1"
    )
    feed_server.set_wrong_charset(
        "/b.xml", doc.format(enc="windows-1251"), encoding="windows-1251", label="utf-8"
    )
    for path in ("/a.xml", "/b.xml"):
        got = await fetch_feed(
            http_fetcher(session, FAST), feed_server.url(path), allow_private=True
        )
        assert got.feed is not None
        assert got.feed.entries[0].title == "Войска КНДР в России"


async def test_private_address_refused_unless_allowed(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """A source on 127.0.0.1 is refused with a message naming allow_private, and nothing is
    requested from it; with allow_private it is fetched."""
    _story(feed_server)
    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1.*allow_private"):
        await fetch(session, feed_server.url("/feed.xml"), limits=FAST)
    assert feed_server.count("/feed.xml") == 0
    ok = await fetch(session, feed_server.url("/feed.xml"), allow_private=True, limits=FAST)
    assert ok.status == 200


async def test_redirect_to_private_address_refused(session: aiohttp.ClientSession) -> None:
    """Each hop is checked: a URL naming localhost is refused before any connection."""
    with pytest.raises(FetchError, match="non-public address"):
        await fetch(session, "http://localhost:9/feed.xml", limits=FAST)


async def test_request_names_warta_and_accepts_gzip(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """Publishers see a User-Agent naming Warta, and compressed answers are accepted."""
    _story(feed_server)
    await fetch(session, feed_server.url("/feed.xml"), allow_private=True, limits=FAST)
    headers = feed_server.requests["/feed.xml"][0]
    assert headers["User-Agent"].startswith("Warta/")
    assert "gzip" in headers["Accept-Encoding"]


async def test_cache_headers_are_reported(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    """Cache-Control max-age and the charset of the answer reach the caller."""
    feed_server.set_feed(
        "/c.xml", b"<rss version='2.0'><channel><title>t</title></channel></rss>",
        content_type="application/rss+xml; charset=windows-1251",
        headers={"Cache-Control": "public, max-age=900"},
    )  # fmt: skip
    result = await fetch(session, feed_server.url("/c.xml"), allow_private=True, limits=FAST)
    assert result.max_age == 900
    assert result.charset == "windows-1251"
    assert result.content_type == "application/rss+xml"


async def test_connection_refused_is_a_fetch_error(session: aiohttp.ClientSession) -> None:
    """Nothing listening on the port is a FetchError naming the URL."""
    with pytest.raises(FetchError, match=r"could not fetch http://127\.0\.0\.1:9/"):
        await fetch(session, "http://127.0.0.1:9/x", allow_private=True, limits=FAST)


async def test_non_http_scheme_refused(session: aiohttp.ClientSession) -> None:
    """Only http and https sources are fetched (no file:// reads)."""
    with pytest.raises(FetchError, match="only http and https"):
        await fetch(session, "file:///etc/passwd", allow_private=True, limits=FAST)


class ScriptedDNS(AbstractResolver):
    """A name server whose answers the test writes: it counts the questions it is asked."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"{host}: name not known")
        address = self.answers[host]
        return [
            {"hostname": host, "host": address, "port": port, "family": socket.AF_INET,
             "proto": 0, "flags": socket.AI_NUMERICHOST}
        ]  # fmt: skip

    async def close(self) -> None:
        pass


async def test_a_name_is_checked_where_it_is_resolved_for_the_connection(
    feed_server: FeedServer,
) -> None:
    """A name answering 127.0.0.1 is refused; the name server is asked once per fetch, so what
    is checked is what would be connected to (no second lookup to answer differently); allowed,
    the same name reaches the local server through that one answer."""
    _story(feed_server)
    dns = ScriptedDNS({"feeds.rebind.example": "127.0.0.1"})
    url = f"http://feeds.rebind.example:{feed_server.port}/feed.xml"
    async with make_session(FAST, dns=dns) as session:
        with pytest.raises(FetchError, match=r"feeds\.rebind\.example resolves to the non-pub"):
            await fetch(session, url, limits=FAST)
        assert dns.asked == ["feeds.rebind.example"]
        assert feed_server.count("/feed.xml") == 0
        ok = await fetch(session, url, allow_private=True, limits=FAST)
    assert ok.status == 200
    assert feed_server.count("/feed.xml") == 1


async def test_a_cached_answer_is_checked_again_for_a_fetch_that_may_not_use_it(
    feed_server: FeedServer,
) -> None:
    """After a source allowed private addresses fetched a name, another source on the same
    name without allow_private is still refused: the cache does not carry the permission."""
    _story(feed_server)
    dns = ScriptedDNS({"intranet.example": "127.0.0.1"})
    url = f"http://intranet.example:{feed_server.port}/feed.xml"
    async with make_session(FAST, dns=dns) as session:
        assert (await fetch(session, url, allow_private=True, limits=FAST)).status == 200
        with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1"):
            await fetch(session, url.replace("feed.xml", "other.xml"), limits=FAST)
    assert dns.asked == ["intranet.example"]  # the second answer came from the cache
    assert feed_server.count("/other.xml") == 0


async def test_an_unknown_name_is_a_clear_error(feed_server: FeedServer) -> None:
    """A name the name server does not know fails the fetch with the name in the message."""
    async with make_session(FAST, dns=ScriptedDNS({})) as session:
        with pytest.raises(FetchError, match=r"nowhere\.example"):
            await fetch(session, "http://nowhere.example/feed.xml", limits=FAST)
