"""HTTP fetching of feeds: conditional GET, timeouts, size cap, redirects, address guard.

Redirects are followed here (not by aiohttp) so that every hop is checked by `netguard` (the
address written in the URL here, a name's addresses by the session's resolver), loops
are named as such, and a chain of permanent redirects (301/308) is reported as the source's new
URL. The size cap counts decompressed bytes, so a gzip bomb stops at `max_bytes`.
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver

from bot import __version__
from bot.errors import FetchError
from bot.ingest import netguard

_PERMANENT = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchLimits:
    """Bounds on one fetch (seconds and bytes)."""

    max_bytes: int = 5_000_000
    connect_timeout: float = 10
    read_timeout: float = 20
    total_timeout: float = 30
    max_redirects: int = 5
    user_agent: str = f"Warta/{__version__} (+https://github.com/warta-bot/warta)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """What the server answered (the body is decompressed; empty when not modified)."""

    status: int
    body: bytes
    final_url: str
    permanent_url: str | None  # set when a chain of 301/308 ended at a new URL
    etag: str | None
    last_modified: str | None
    charset: str | None
    content_type: str | None
    not_modified: bool
    max_age: float | None
    retry_after: float | None


def make_session(
    limits: FetchLimits = FetchLimits(),
    *,
    per_host: int = 2,
    total: int = 50,
    dns: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """A session for fetching feeds: connection limits, gzip/deflate, no cookies, Warta's UA,
    and the address guard in its resolver (`fetch` needs a session made here). `dns` replaces
    the system's resolver under the guard."""
    resolver = netguard.GuardedResolver(dns, timeout=limits.connect_timeout)
    connector = aiohttp.TCPConnector(
        limit=total, limit_per_host=per_host, resolver=resolver, use_dns_cache=False
    )  # the guard caches, and checks its cached answers on every use
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=limits.connect_timeout, sock_read=limits.read_timeout
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
        auto_decompress=True,
    )


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def parse_max_age(value: str | None) -> float | None:
    """max-age (or s-maxage) seconds from a Cache-Control header; None if absent."""
    if not value:
        return None
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None


_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
    limits: FetchLimits = FetchLimits(),
) -> FetchResult:
    """GET `url`, following redirects; FetchError (with status/retry_after) when it fails."""
    headers = {"Accept": _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(limits.total_timeout):
            with netguard.policy(allow_private=allow_private):
                return await _follow(session, url, headers, allow_private, limits)
    except TimeoutError as e:
        raise FetchError(f"timed out after {limits.total_timeout:g} s fetching {url}") from e
    except aiohttp.ClientConnectorError as e:
        if isinstance(e.os_error, netguard.AddressRefused):
            raise FetchError(str(e.os_error)) from e
        raise FetchError(f"could not fetch {url}: {e}") from e
    except aiohttp.ClientPayloadError as e:
        raise FetchError(f"the response body was broken: {e}") from e
    except aiohttp.ClientError as e:
        raise FetchError(f"could not fetch {url}: {e or type(e).__name__}") from e


async def _follow(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    allow_private: bool,
    limits: FetchLimits,
) -> FetchResult:
    seen = {url}
    permanent = True
    current = url
    for _hop in range(limits.max_redirects + 1):
        netguard.check_url(current, allow_private=allow_private)
        tls: ssl.SSLContext | bool = _private_pool() if allow_private else True
        async with session.get(current, headers=headers, allow_redirects=False, ssl=tls) as resp:
            if resp.status not in _REDIRECTS:
                moved = current if permanent and current != url else None
                return await _result(resp, current, moved, limits)
            location = resp.headers.get("Location")
            if not location:
                raise FetchError(
                    f"HTTP {resp.status} redirect without a Location", status=resp.status
                )
            permanent = permanent and resp.status in _PERMANENT
            current = urljoin(current, location)
        if current in seen:
            raise FetchError(f"redirect loop at {current}", status=resp.status)
        seen.add(current)
    raise FetchError(f"more than {limits.max_redirects} redirects starting at {url}")


@functools.cache
def _private_pool() -> ssl.SSLContext:
    """The TLS settings of fetches that may use private addresses: the same verification as
    the default, but another object, so aiohttp keys their kept-alive connections apart and a
    fetch that may not use a private address never reuses one of theirs."""
    return ssl.create_default_context()


async def _result(
    resp: aiohttp.ClientResponse, final_url: str, moved: str | None, limits: FetchLimits
) -> FetchResult:
    now = time.time()
    retry_after = parse_retry_after(resp.headers.get("Retry-After"), now=now)
    if resp.status == 304:
        body = b""
    elif resp.status >= 400 or resp.status < 200:
        reason = resp.reason or ""
        raise FetchError(
            f"HTTP {resp.status} {reason}".strip()
            + (f" (retry after {retry_after:g} s)" if retry_after is not None else ""),
            status=resp.status,
            retry_after=retry_after,
        )
    else:
        body = await _read_capped(resp, limits.max_bytes)
    return FetchResult(
        status=resp.status,
        body=body,
        final_url=final_url,
        permanent_url=moved,
        etag=resp.headers.get("ETag"),
        last_modified=resp.headers.get("Last-Modified"),
        charset=resp.charset,
        content_type=resp.content_type if "Content-Type" in resp.headers else None,
        not_modified=resp.status == 304,
        max_age=parse_max_age(resp.headers.get("Cache-Control")),
        retry_after=retry_after,
    )


async def _read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = resp.content_length
    encoded = resp.headers.get("Content-Encoding", "identity").lower() != "identity"
    if declared is not None and declared > max_bytes:
        raise FetchError(f"the body is {declared} bytes, more than the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            resp.close()
            raise FetchError(
                f"the body exceeds the {max_bytes}-byte limit"
                + (" once decompressed" if encoded else "")
            )
        chunks.append(chunk)
    return b"".join(chunks)
