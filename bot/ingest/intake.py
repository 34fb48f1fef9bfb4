"""What a fetch brings in: a source's feed fetched and parsed, and the articles in it that are new.

The first stages of `bot.pipeline.update_source()`: conditional GET, parsing off the event loop
(a first fetch only scans ids), an HTML page followed to the feed it links, normalization,
seen-keys against storage, and for `full_text` sources the article page's main text.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

import aiohttp

from bot.analyze.dedup import seen_keys
from bot.errors import SourceError
from bot.ingest.extract import extract_main_text
from bot.ingest.fetch import FetchLimits, FetchResult, fetch
from bot.ingest.normalize import normalize_entry
from bot.ingest.parse import FeedLinksFound, parse_feed, scan_ids
from bot.model import Article, ParsedFeed
from bot.store import articles as article_store
from bot.store.db import Store
from bot.store.sources import SourceState

log = logging.getLogger("warta.ingest")
FULL_TEXT_CONCURRENCY = 4  # article pages fetched at once for one `full_text` source
FULL_TEXT_MAX = 30  # pages fetched per update at most; older new items keep the feed's text


class Fetcher(Protocol):
    async def __call__(
        self, url: str, *, etag: str | None, last_modified: str | None, allow_private: bool
    ) -> FetchResult: ...


def http_fetcher(session: aiohttp.ClientSession, limits: FetchLimits) -> Fetcher:
    """The Fetcher that `warta run`, `warta poll` and the benches use: aiohttp, our limits."""

    async def fetcher(
        url: str, *, etag: str | None, last_modified: str | None, allow_private: bool
    ) -> FetchResult:
        return await fetch(
            session, url, etag=etag, last_modified=last_modified, allow_private=allow_private,
            limits=limits,
        )  # fmt: skip

    return fetcher


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedFeed:
    """A fetched and parsed feed; `feed` is None when the server answered 304."""

    result: FetchResult
    feed: ParsedFeed | None
    url: str  # where the feed is: as asked, or where a permanent redirect or a page's link led


async def fetch_feed(
    fetch: Fetcher,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
    discover: bool = True,
    scan_only: bool = False,
) -> FetchedFeed:
    """Fetch and parse off the event loop. With `discover`, an HTML page's first feed link is
    followed (FeedLinksFound otherwise); with `scan_only` (a first fetch that only records what
    exists) guid, link and title are read by the fast id scan when it can.
    Raises FetchError or FeedError."""
    fetched = await fetch(url, etag=etag, last_modified=last_modified, allow_private=allow_private)
    where = fetched.permanent_url or url
    if fetched.not_modified:
        return FetchedFeed(result=fetched, feed=None, url=where)
    if scan_only:
        entries = await asyncio.to_thread(
            scan_ids, fetched.body, url=fetched.final_url, charset=fetched.charset
        )
        if entries:
            feed = ParsedFeed(title=None, link=None, language=None, entries=tuple(entries))
            return FetchedFeed(result=fetched, feed=feed, url=where)
    try:
        return FetchedFeed(result=fetched, feed=await asyncio.to_thread(_parse, fetched), url=where)
    except FeedLinksFound as found:
        if not discover:
            raise
        link = found.links[0]
    fetched = await fetch(link, etag=None, last_modified=None, allow_private=allow_private)
    feed = await asyncio.to_thread(_parse, fetched)
    return FetchedFeed(result=fetched, feed=feed, url=fetched.permanent_url or link)


def _parse(fetched: FetchResult) -> ParsedFeed:
    return parse_feed(
        fetched.body,
        url=fetched.final_url,
        content_type=fetched.content_type,
        charset=fetched.charset,
    )


def new_articles(
    conn: Store, state: SourceState, feed: ParsedFeed, base_url: str, now: float
) -> tuple[list[Article], list[str]]:
    """Articles no key of which was seen for this source, and every key of those articles.

    On the first fetch only the newest `backfill` articles go on; the rest are recorded as seen.
    """
    articles = _normalize(state, feed, base_url, now)
    per_article = [(a, seen_keys(a)) for a in articles]
    known = article_store.known_keys(
        conn, state.source.id, (k for _, ks in per_article for k in ks)
    )
    fresh = [(a, ks) for a, ks in per_article if not known.intersection(ks)]
    keys = [k for _, ks in fresh for k in ks]
    if not state.initialized:
        newest = sorted(fresh, key=lambda item: item[0].published, reverse=True)
        fresh = newest[: state.source.backfill]
    return [a for a, _ in fresh], keys


def _normalize(state: SourceState, feed: ParsedFeed, base_url: str, now: float) -> list[Article]:
    s = state.source
    name = s.name or state.feed_title or feed.title or s.id
    when = datetime.fromtimestamp(now, UTC)
    source = replace(s, name=name)
    return [
        normalize_entry(e, source=source, feed=feed, base_url=base_url, now=when)
        for e in feed.entries
    ]


async def with_full_text(
    articles: list[Article], fetch: Fetcher, allow_private: bool
) -> list[Article]:
    """Articles with their page's main text as content (`full_text: true` sources)."""
    limit = asyncio.Semaphore(FULL_TEXT_CONCURRENCY)

    async def one(article: Article) -> Article:
        try:
            async with limit:
                page = await fetch(
                    article.link, etag=None, last_modified=None, allow_private=allow_private
                )
            text = await asyncio.to_thread(
                extract_main_text, page.body, url=page.final_url, charset=page.charset
            )
        except SourceError as e:  # the feed's own text still goes on to matching
            log.info("full text unavailable", extra={"source": article.source_id, "error": str(e)})
            return article
        return replace(article, content=text) if text else article

    return (
        list(await asyncio.gather(*(one(a) for a in articles[:FULL_TEXT_MAX])))
        + articles[FULL_TEXT_MAX:]
    )
