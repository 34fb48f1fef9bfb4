"""Refuse sources on loopback, private, link-local and other non-public addresses.

A host name is resolved and EVERY address it resolves to is checked: one private address among
public ones is enough to refuse (DNS answers can be chosen by whoever runs the name server).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

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


async def resolve(host: str, port: int, *, dns_timeout: float) -> list[IPAddress]:
    """Every address `host` resolves to (the literal itself when it is one)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(dns_timeout):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError as e:
        raise FetchError(f"could not resolve {host}: timed out after {dns_timeout:g} s") from e
    except OSError as e:
        raise FetchError(f"could not resolve {host}: {e.strerror or e}") from e
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_url(url: str, *, allow_private: bool, dns_timeout: float = 10.0) -> None:
    """Raise FetchError unless `url` is http(s) on public addresses (or `allow_private`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs can be fetched, not {parts.scheme or url!r}")
    host = parts.hostname
    if not host:
        raise FetchError(f"the URL {url!r} has no host")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise FetchError(f"the URL {url!r} has an invalid port") from e
    for address in await resolve(host, port, dns_timeout=dns_timeout):
        if not is_public(address):
            raise FetchError(
                f"refused: {host} resolves to the non-public address {address}; "
                "set allow_private: true on this source to allow it"
            )


def private_allowed_for(url: str, configured: Sequence[Source]) -> bool:
    """Whether a source added at run time (chat, OPML) may use a private address: only where a
    source in the config file with `allow_private: true` has the same host and port."""
    where = urlsplit(url).netloc.lower()
    return any(s.allow_private and urlsplit(s.url).netloc.lower() == where for s in configured)
