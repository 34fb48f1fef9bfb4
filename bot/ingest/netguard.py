"""Refuse sources on loopback, private, link-local and other non-public addresses.

A host name is checked where it is resolved for the connection: `GuardedResolver` is the
resolver of every fetching session, so the addresses checked are the addresses connected to
(no earlier lookup that a hostile name server could answer differently: no DNS rebinding).
EVERY address a name resolves to is checked: one private address among public ones is enough
to refuse. Whether a fetch may use private addresses travels with it (`policy`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.errors import FetchError
from bot.model import Source

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: IPAddress) -> bool:
    """True for a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


_ALLOW_PRIVATE: ContextVar[bool] = ContextVar("warta_allow_private", default=False)


@contextlib.contextmanager
def policy(*, allow_private: bool) -> Iterator[None]:
    """Connections made inside may go to private addresses only if `allow_private`."""
    token = _ALLOW_PRIVATE.set(allow_private)
    try:
        yield
    finally:
        _ALLOW_PRIVATE.reset(token)


class AddressRefused(OSError):
    """A name resolved to a non-public address the fetch may not use."""


def refusal(host: str, address: IPAddress) -> str:
    return (
        f"refused: {host} resolves to the non-public address {address}; "
        "set allow_private: true on this source to allow it"
    )


DNS_TTL = 300.0  # seconds an answer is kept
DNS_NAMES = 4096  # names kept at most


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver with the address check: answers are cached (`DNS_TTL` seconds, at
    most `DNS_NAMES` names) and checked against the current `policy` on every use, cached or
    not. The system's resolver, in threads, holds nothing to close: aiohttp never closes a
    resolver it was given (aiodns's, its default where installed, would be left open)."""

    def __init__(self, inner: AbstractResolver | None = None, *, timeout: float = 10.0) -> None:
        self._inner = inner or ThreadedResolver()
        self._timeout = timeout
        self._cache: OrderedDict[tuple[str, int, int], tuple[float, list[ResolveResult]]] = (
            OrderedDict()
        )

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._lookup(host, port, family)
        if not _ALLOW_PRIVATE.get():
            for answer in answers:
                address = ipaddress.ip_address(answer["host"].split("%")[0])
                if not is_public(address):
                    raise AddressRefused(refusal(host, address))
        return answers

    async def _lookup(
        self, host: str, port: int, family: socket.AddressFamily
    ) -> list[ResolveResult]:
        key = (host.lower(), port, int(family))
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            async with asyncio.timeout(self._timeout):
                answers = await self._inner.resolve(host, port, family)
        except TimeoutError as e:  # not the fetch's own deadline: name it
            raise OSError(f"could not resolve {host}: timed out after {self._timeout:g} s") from e
        self._cache[key] = (now + DNS_TTL, answers)
        self._cache.move_to_end(key)
        while len(self._cache) > DNS_NAMES:
            self._cache.popitem(last=False)
        return answers

    async def close(self) -> None:
        await self._inner.close()


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise FetchError unless `url` is http(s) with a host; an address written in the URL is
    checked here (aiohttp does not resolve it), a name by `GuardedResolver` when connecting."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs can be fetched, not {parts.scheme or url!r}")
    host = parts.hostname
    if not host:
        raise FetchError(f"the URL {url!r} has no host")
    try:
        parts.port  # noqa: B018  (raises for a port out of range)
    except ValueError as e:
        raise FetchError(f"the URL {url!r} has an invalid port") from e
    if allow_private:
        return
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return  # a name
    if not is_public(address):
        raise FetchError(refusal(host, address))


def private_allowed_for(url: str, configured: Sequence[Source]) -> bool:
    """Whether a source added at run time (chat, OPML) may use a private address: only where a
    source in the config file with `allow_private: true` has the same host and port."""
    where = urlsplit(url).netloc.lower()
    return any(s.allow_private and urlsplit(s.url).netloc.lower() == where for s in configured)
